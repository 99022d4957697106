"""The decoding rules for shell answers (nlsh.decoding.rules): the request's words spelled as typed,
quoted values kept off option clusters, compounds closed, invented options barred; alone and through
the real model."""

from __future__ import annotations

import pytest

from conftest import greedy_answer, needs_man
from nlsh.decoding.registry import RuleSet
from nlsh.decoding.rule import Asked
from nlsh.decoding.rules.close_compounds import cut_short
from nlsh.decoding.rules.option_barring import BARRED, barring_options
from nlsh.decoding.rules.spelling import BOOST, TOOL_BOOST, tool_rest
from nlsh.decoding.rules.spelling import copy_prior as spelling_prior
from nlsh.decoding.rules.unglued_values import quoted_words, unglued_values
from nlsh.words import named_words, tool_words

COPYING = ["copy-prior", "named-tool"]


def copy_prior(request: str):
    """The spelling prior as both spelling rules make it together."""
    return spelling_prior(request, tool_words(request))


def shell_guide(request: str, off=()):
    """The guide the active shell rules make for a shell-only request."""
    rules = RuleSet(off)
    return rules.guide(Asked(request=request, kinds=("shell",), on=rules.on))


def test_program_like_words_of_a_request():
    words = named_words('frobnicate: print config.json, "quoted" 42 ~/src then use aa-cleanprof')
    assert {"frobnicate", "aa-cleanprof", "print", "quoted"} <= words
    assert not words & {"config.json", "42", "~/src", "config"}


def test_a_started_copy_is_finished_and_nothing_else_is_favoured():
    prior = copy_prior("print the file with rainbow colours, pridecat style: notes.txt")
    assert prior("") is None and prior("p") is None  # nothing started yet
    offset = prior("pr")
    assert offset("ide") == BOOST and offset("ight") == 0.0
    assert prior("pride")("cat") == BOOST and prior("pride")("cat ") == BOOST
    assert prior("pride")("") == 0.0  # ending on half a word is never favoured
    assert prior("pridecat")("") == BOOST  # ending on the whole word is as good as going on
    assert prior("sudo pr")("id") == BOOST
    assert prior("pridecat")(" ") == BOOST and prior("pridecat")("s") == 0.0  # the word ends as typed
    assert prior("pridecat ") is None  # past the command word: the model alone decides


def test_words_in_a_tool_position():
    assert tool_words("oma: install a package nginx") == {"oma"}
    assert tool_words("use aide to check and update the database") == {"aide"}
    assert tool_words("use b4 prep to enroll an existing branch: main") == {"b4"}
    assert tool_words("list all secret keys using sq") == {"sq"}
    assert tool_words("remove a package using oma: nginx") == {"oma"}
    assert tool_words("check for errors in the configuration file with foot") == {"foot"}
    assert tool_words("start squid with xauth - app.conf") == {"xauth"}
    # English in the same places names no tool
    assert tool_words("list files with the largest size") == set()
    assert tool_words("compress it using a strong level") == set()
    assert tool_words("show the last 20 lines of /var/log/syslog") == set()
    assert tool_words("print 42: the answer") == set()


def test_a_first_word_before_a_task_verb_is_the_tool():
    assert tool_words("oma update the list of available packages") == {"oma"}
    assert tool_words("drill perform a dnssec trace - example.com") == {"drill"}
    assert tool_words("git show the last commit") == {"git"}
    assert tool_words("foot start a terminal") == {"foot"}
    # English before the verb, or a verb itself, is no tool
    for request in ["only show hidden files", "recursively copy src to dst", "also list the sizes",
                    "please list files", "Saves value 1 in a variable", "show disk usage", "print list of users"]:
        assert tool_words(request) == set(), request


def test_a_tool_in_a_tool_position_is_favoured_from_its_first_letter():
    prior = copy_prior("remove a package using oma: nginx")
    offset = prior("")
    assert offset("o") == BOOST and offset("om") == BOOST and offset("oma") == BOOST
    assert offset("m") == 0.0 and offset("mao") == 0.0 and offset("sudo") == 0.0
    assert prior("sudo ")("o") == BOOST  # after sudo the tool is still the command word
    assert copy_prior("remove the package nginx with oma later")("") is None  # not a tool position
    assert copy_prior("remove a package nginx")("") is None


def test_a_begun_tool_is_finished_firmly_and_sudo_keeps_its_chance():
    prior = copy_prior("initialize the database using aide")
    assert prior("aid")("e") == TOOL_BOOST and prior("aid")("") == 0.0 and prior("aid")(" -i") == 0.0
    assert prior("aide")("") == TOOL_BOOST and prior("aide")(" -i") == TOOL_BOOST
    squid = copy_prior("reload the configuration file with squid")("s")
    assert squid("quid") == TOOL_BOOST and squid("udo") == TOOL_BOOST and squid("ir") == 0.0
    assert copy_prior("reload the configuration file with squid")("sudo s")("udo") == 0.0
    # a word the request has but not in a tool position keeps the mild boost
    assert copy_prior("remove the package nginx with oma later")("om")("a") == BOOST


def test_the_rest_of_a_begun_tool_name_is_wanted():
    wanted = tool_rest("initialize the database using aide")
    assert wanted("aid") == ["e"] and wanted("a") == ["ide"] and wanted("sudo ai") == ["de"]
    assert wanted("") == []  # before the first letter the model may rightly write sudo
    assert wanted("aide") == [] and wanted("aide -i") == []  # written whole, or past the command word
    assert wanted("ls") == []  # not the start of the named tool
    assert tool_rest("initialize the database")("aid") == []  # no tool named


def test_the_pipeline_spells_an_unseen_tool_as_typed(model_paths):
    """Tool names the model has never seen, so only the request can spell them. Unguided, the
    shipped model answers the first with `prune -n 10 notes.txt`."""
    from nlsh.config import Config
    from nlsh.api import Translator

    path, adapter = model_paths
    pipeline = Translator(Config(), model_path=path, lora=adapter, use_cache=False)
    try:
        for request, tool in [("show notes.txt in rainbow colours with pridecat", "pridecat"),
                              ("list all running jobs with quuxctl", "quuxctl"),
                              # a tool favoured from its first letter; unguided, `readelf -v`
                              ("display information about the authority file with xauth", "xauth"),
                              # begun but not finished: `aid` without the firm finish
                              ("initialize the database using aide", "aide"),
                              # begun, then `magento_passwd` by more than 12 logits
                              ("use mosquitto_passwd to delete username instead - notes.txt alice",
                               "mosquitto_passwd")]:
            words = pipeline.generate(request).text.split()
            assert tool in words[:2], (request, words)
    finally:
        pipeline.close()


def test_a_barred_option_is_never_completed_as_a_whole_word():
    prior = barring_options(None, {"uptime": {"-l"}, "ls": {"--home"}}).prior
    assert prior("uptime")(" -l") == BARRED and prior("uptime -")("l") == BARRED
    assert prior("uptime")(" -lh") == BARRED  # a cluster it opens: getopt rejects the -l
    assert prior("uptime")(" -p") == 0.0 and prior("uptime")(" -hl") == 0.0  # another option
    assert prior("ls -a")(" --home") == BARRED and prior("ls")(" --homedir") == 0.0
    assert prior("ls --home")("") == 0.0  # the end adds no text: nothing newly completed
    assert prior("uptime -l x")(" y") == 0.0  # written before the bar: not this decode's to judge


def test_an_option_is_barred_only_in_its_own_programs_command():
    prior = barring_options(None, {"uptime": {"-l"}}).prior
    assert prior("/usr/bin/uptime")(" -l") == BARRED and prior("sudo uptime")(" -l") == BARRED
    assert prior("uptime | grep")(" -l") == 0.0 and prior("uptime; ls")(" -l") == 0.0
    assert prior("grep")(" -l") == 0.0


def test_a_retry_bars_what_the_man_page_lacks_and_its_help():
    from nlsh.validator.options import not_an_answer, not_answering_options, undocumented_options

    needs_man("df")
    barred = not_an_answer("df")
    assert {"-b", "-c", "-z", "--help", "--version"} <= barred
    assert not {"-h", "-k", "-T", "-B"} & barred  # -h is --human-readable, -B of --block-size
    assert {"--help", "--version"}.isdisjoint(not_an_answer("df", keep_help=True))
    assert not_an_answer("git") == frozenset()  # its options are in each subcommand's page
    # git's commands are warned about (the validator), never decoded again: barred `-s`, the model
    # went on to `git branch -d feature-login` for "create a branch feature-login and switch to it".
    needs_man("git-status")
    assert not_answering_options("git status -a") == []
    assert undocumented_options("git status -a") == [("git-status", "-a")]


def test_an_option_that_only_prints_help_is_found():
    from nlsh.validator.options import help_options, not_answering_options

    for tool in ("uptime", "free", "grep", "df"):
        needs_man(tool)
    assert help_options("uptime -h") == [("uptime", "-h")]
    assert help_options("grep -V | uptime --help") == [("grep", "-V"), ("uptime", "--help")]
    assert help_options("free -h") == []  # free's -h is --human
    assert help_options("uptime -p") == help_options("git --help") == []  # git: each subcommand's page
    # What the option-barring rule decodes again to be rid of: both kinds, in one reading, help only unless asked.
    assert not_answering_options("df -b --help") == [("df", "-b"), ("df", "--help")]
    assert not_answering_options("df -b --help", keep_help=True) == [("df", "-b")]


def test_barring_keeps_the_copy_prior():
    request = "show notes.txt in rainbow colours with pridecat"
    guide = barring_options(shell_guide(request), {"pridecat": {"-l"}})
    assert guide.prior("pr")("ide") == copy_prior(request)("pr")("ide") == TOOL_BOOST  # passed through
    assert guide.prior("pridecat")(" -l") == BARRED
    assert guide.wanted is not None

    assert guide.go_on is cut_short


def test_a_line_bash_reads_on_past_is_cut_short():
    for text in ['if [ -f a.txt ]; then echo found', 'for f in *.log; do gzip "$f"', "ls -l |", "make &&",
                 "{ ls", "while true; do sleep 1", "echo $(ls", "tar czf logs.tar.gz logs ||"]:
        assert cut_short(text), text
    for text in ['if [ -f a.txt ]; then echo found; fi', 'for f in *.log; do gzip "$f"; done', "ls -l", "",
                 "echo 'if then'", "sleep 5 &", "ls; fi"]:  # the last is wrong, and no more text mends it
        assert not cut_short(text), text


def test_without_the_copy_prior_a_line_still_goes_on():
    guide = shell_guide("list files with pridecat", off=COPYING)
    assert guide.prior("pr") is None and guide.go_on is cut_short  # nothing copied
    assert RuleSet(COPYING).key(("shell",)) != RuleSet().key(("shell",))  # part of the cache key


def test_a_named_tool_is_spelled_without_the_copy_prior_and_only_it():
    request = "initialize the database using aide"
    alone = shell_guide(request, off=["copy-prior"])
    assert alone.prior("aid")("e") == TOOL_BOOST and alone.wanted("aid") == ["e"]
    assert alone.prior("da") is None  # a word the request has, but not in a tool position
    assert shell_guide(request).prior("da")("tabase") == BOOST
    nothing = shell_guide(request, off=COPYING)
    assert nothing.prior("aid") is None and nothing.wanted is None


def test_the_values_a_request_quotes():
    assert quoted_words("search for 'def main' in src and \"TODO:\" in 'a' or ':'") == {"def", "TODO:"}
    assert quoted_words("list files") == set()


def test_a_quoted_value_is_never_glued_onto_an_option_cluster():
    prior = unglued_values("search for 'TODO:' and 'straße' in main.py")
    assert prior("grep -rl")("TODO") == BARRED and prior("grep -rl")("TODO:") == BARRED
    assert prior("grep -rl")("stra") == BARRED  # three letters and more of the value
    assert prior("grep -rl")(" ") == 0.0 and prior("grep -rl")("n") == 0.0 and prior("grep -rn")("st") == 0.0
    assert prior("grep -rl ") is None and prior("grep") is None  # not at an option cluster
    assert prior("mysql -p") is None  # one letter: some options take their value glued on
    assert prior("grep -rlTO") is None  # already glued: not this prior's to mend
    # Both parts of the shell guide, with and without the copy prior.
    for off in ((), COPYING):
        guide = shell_guide("search for 'TODO:' in main.py", off=off)
        assert guide.prior("grep -rl")("TODO") == BARRED
    assert shell_guide("list files with pridecat").prior("pr")("ide") == TOOL_BOOST


# Requests that quote the value to look for: the shipped model glued it onto grep's options
# (`grep -rlTODO main.py`, `grep -rldef main src`, `grep -rlstraße notes.txt`) before the unglued-values rule.
QUOTING = ["search for 'TODO:' in main.py", "search for 'def main' in src", "grep for 'straße' in notes.txt"]


def test_the_pipeline_answers_without_a_value_glued_onto_an_option(model_paths):
    import re

    from nlsh.config import Config
    from nlsh.api import Translator

    path, adapter = model_paths
    pipeline = Translator(Config(), model_path=path, lora=adapter, use_cache=False, retrieval=False)
    try:
        for request_ in QUOTING:
            value = quoted_words(request_).pop()
            answer = pipeline.generate(request_).text
            assert not re.search(r"(?:^|\s)-[a-z]{2,}" + re.escape(value[:3]), answer), (request_, answer)
    finally:
        pipeline.close()


# Requests whose greedy answer invents an option, and the tool it invents it for, with both an
# AVX-512 and an AVX2 build of llama.cpp: the first five with one earlier adapter (`env -a`, `du -h -u`,
# `nl -r`, `id -l`, `join -c`), the rest with the next (`lscpu -l`, `df -n`, `col -s`, `gpasswd -g`); the
# retry answered all of them with documented options on both builds. Near-tied logits differ between
# CPUs and adapters, so the test asks several and counts. With an early adapter, "how much disk space
# is free" was `df -b`: barring only -b it went on to the equally invented -c on one machine and to -k on
# another, so every letter the program lacks is barred; `uptime -l` then became `uptime -h`, its
# help, so help is barred too.
INVENTING = [
    ("print all environment variables sorted", "env"),
    ("show the size of every file in human units sorted by size", "du"),
    ("reverse the order of lines in list.txt", "nl"),
    ("remove leading zeros from every number in ids.txt", "id"),
    ("join two files on their first column", "join"),
    ("list the block devices with their sizes", "lscpu"),
    ("watch the output of df every 5 seconds", "df"),
    ("print the second field of /etc/passwd separated by colons", "col"),
    ("show the groups my user belongs to", "gpasswd"),
]


def test_the_pipeline_answers_without_options_the_man_pages_lack(model_paths):
    from nlsh.config import Config
    from nlsh.machine.docs import man_page
    from nlsh.api import Translator
    from nlsh.validator.options import help_options, undocumented_options

    requests = [request_ for request_, tool in INVENTING if man_page(tool) is not None]
    if len(requests) < 4:
        pytest.skip("too few of the tools' man pages on this machine")
    path, adapter = model_paths
    # Without retrieval the prompt is the same on every machine (tool hints come from its man pages
    # and shell history).
    pipeline = Translator(Config(), model_path=path, lora=adapter, use_cache=False, retrieval=False)
    try:
        invented = cleared = 0
        for request_ in requests:
            greedy = greedy_answer(pipeline, request_)
            before = undocumented_options(greedy.text)
            if not before:
                continue
            invented += 1
            answer = pipeline.generate(request_).text
            after = undocumented_options(answer)
            assert len(after) <= len(before), (greedy.text, answer)
            assert not help_options(answer), (greedy.text, answer)  # nor its --help instead
            cleared += not after
        assert invented >= 2, "pick other requests: these no longer invent options under greedy decoding"
        # All cleared on both builds; on another CPU a retry may settle on a rarer invention, so allow one.
        assert cleared >= invented - 1, f"{cleared} of {invented} answers cleared of invented options"
    finally:
        pipeline.close()


# What a machine's man database says of a few everyday tools (their Debian NAME lines), so the tool
# hints in the prompt are the same on every machine.
EVERYDAY_WHATIS = {
    "uptime": "Tell how long the system has been running.",
    "w": "Show who is logged on and what they are doing.",
    "who": "show who is logged on",
    "renice": "alter priority of running processes",
    "halt": "Halt, power-off or reboot the machine",
    "free": "Display amount of free and used memory in the system",
    "date": "print or set the system date and time",
    "hostname": "show or set the system's host name",
}

# Greedy `uptime -h`, its usage text, with the shipped adapter on an AVX-512 and an AVX2 build: all
# eight. It says `uptime -s` for most other wordings ("how long has the system been running"), so
# these are the ones with "box" and the like, which still draw the help option.
ASKING_HOW_LONG_UP = [
    "how long is the box up",
    "how long has this box been up",
    "how long has the box been up",
    "how long is this box up",
    "how long has the vm been up",
    "how long has this box been running",
    "how long has my box been up",
    "how long have i been up",
]


def test_the_pipeline_answers_without_the_help_option_unless_asked(model_paths, isolated_home):
    from nlsh.config import Config
    from nlsh.api import Translator
    from nlsh.prompt import ToolHint
    from nlsh.machine.index import MachineIndex
    from nlsh.retrieval import Retriever
    from nlsh.validator.options import help_options

    needs_man("uptime")
    path, adapter = model_paths
    pipeline = Translator(Config(), model_path=path, lora=adapter, use_cache=False)
    index = MachineIndex(tools=[ToolHint(name=n, summary=s) for n, s in EVERYDAY_WHATIS.items()])
    pipeline.retriever = Retriever(tools=3, examples=0, index=index)
    try:
        asked_help = cleared = 0
        for request_ in ASKING_HOW_LONG_UP:
            greedy = greedy_answer(pipeline, request_)
            if not help_options(greedy.text):
                continue
            asked_help += 1
            answer = pipeline.generate(request_).text
            cleared += answer.split()[0] == "uptime" and not help_options(answer)
        assert asked_help >= 2, "pick other requests: these no longer answer with uptime's help"
        assert cleared >= asked_help - 1, f"{cleared} of {asked_help} answers cleared of the help option"
    finally:
        pipeline.close()
