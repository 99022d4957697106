"""The decoding rules for shell answers (nlsh.decoding.rules): a named program spelled as typed,
compounds closed; alone and through the real model."""

from __future__ import annotations

from conftest import needs_man
from nlsh.decoding.registry import RuleSet
from nlsh.decoding.rule import Asked
from nlsh.decoding.rules.close_compounds import cut_short
from nlsh.decoding.rules.named_tool import BOOST, TOOL_BOOST, tool_prior, tool_rest
from nlsh.words import named_words, tool_words


def shell_guide(request: str, off=()):
    """The guide the active shell rules make for a shell-only request."""
    rules = RuleSet(off)
    return rules.guide(Asked(request=request, kinds=("shell",), on=rules.on))


def test_program_like_words_of_a_request():
    words = named_words('frobnicate: print config.json, "quoted" 42 ~/src then use aa-cleanprof')
    assert {"frobnicate", "aa-cleanprof", "print", "quoted"} <= words
    assert not words & {"config.json", "42", "~/src", "config"}


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
    prior = tool_prior("remove a package using oma: nginx")
    offset = prior("")
    assert offset("o") == BOOST and offset("om") == BOOST and offset("oma") == BOOST
    assert offset("m") == 0.0 and offset("mao") == 0.0 and offset("sudo") == 0.0
    assert prior("sudo ")("o") == BOOST  # after sudo the tool is still the command word
    assert tool_prior("remove the package nginx with oma later")("") is None  # not a tool position
    assert tool_prior("remove a package nginx")("") is None


def test_a_begun_tool_is_finished_firmly_and_sudo_keeps_its_chance():
    prior = tool_prior("initialize the database using aide")
    assert prior("aid")("e") == TOOL_BOOST and prior("aid")("") == 0.0 and prior("aid")(" -i") == 0.0
    assert prior("aide")("") == TOOL_BOOST and prior("aide")(" -i") == TOOL_BOOST
    squid = tool_prior("reload the configuration file with squid")("s")
    assert squid("quid") == TOOL_BOOST and squid("udo") == TOOL_BOOST and squid("ir") == 0.0
    assert tool_prior("reload the configuration file with squid")("sudo s")("udo") == 0.0
    # a word the request has but not in a tool position is the model's to spell
    assert tool_prior("remove the package nginx with oma later")("om") is None


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


def test_git_commands_are_judged_by_their_own_pages():
    from nlsh.validator.options import undocumented_options

    needs_man("git-status")
    assert undocumented_options("git status -a") == [("git-status", "-a")]
    assert undocumented_options("git status -s") == []


def test_a_line_bash_reads_on_past_is_cut_short():
    for text in ['if [ -f a.txt ]; then echo found', 'for f in *.log; do gzip "$f"', "ls -l |", "make &&",
                 "{ ls", "while true; do sleep 1", "echo $(ls", "tar czf logs.tar.gz logs ||"]:
        assert cut_short(text), text
    for text in ['if [ -f a.txt ]; then echo found; fi', 'for f in *.log; do gzip "$f"; done', "ls -l", "",
                 "echo 'if then'", "sleep 5 &", "ls; fi"]:  # the last is wrong, and no more text mends it
        assert not cut_short(text), text


def test_without_the_named_tool_rule_a_line_still_goes_on():
    guide = shell_guide("list files with pridecat", off=["named-tool"])
    assert guide.prior is None and guide.go_on is cut_short  # nothing spelled
    assert RuleSet(["named-tool"]).key(("shell",)) != RuleSet().key(("shell",))  # part of the cache key


def test_a_named_tool_is_spelled_and_only_it():
    request = "initialize the database using aide"
    guide = shell_guide(request)
    assert guide.prior("aid")("e") == TOOL_BOOST and guide.wanted("aid") == ["e"]
    assert guide.prior("da") is None  # a word the request has, but not in a tool position
    assert shell_guide("list files with pridecat").prior("pr")("ide") == TOOL_BOOST


