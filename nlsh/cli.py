"""The `nlsh` command (SPEC section 1).

    nlsh                         REPL (when stdin is a terminal)
    nlsh "INSTRUCTION"           translate, show, confirm, execute
    nlsh --dry-run [--json] ...  print the command (or JSON) only
    nlsh --batch FILE|-          one JSON line per input line
    nlsh --check "COMMAND"       validator only
    nlsh devices|explain|init|learned ...   subcommands

An instruction is free text, so the first word decides: a subcommand's name runs it, anything else
is (the start of) an instruction. Heavy modules (llama.cpp, rich, prompt-toolkit, the validator)
are imported only on the paths that need them, to keep a cold `--dry-run` quick.

Every failure ends as one sentence on stderr and the SPEC exit code; --debug shows the traceback.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import sys
from typing import IO

import click

from nlsh import __version__
from nlsh.errors import EXIT_ABORTED, EXIT_USAGE, NlshError, NoTranslation, UsageError

# Subcommands, imported only when called: name -> "module:attribute" of a click command.
SUBCOMMANDS = {
    "devices": "nlsh.home.cli:devices",
    "explain": "nlsh.cli:explain_cli",
    "init": "nlsh.shell_init:init",
    "learned": "nlsh.learned:learned",
    "models": "nlsh.model_list:models_cli",
}

# Longest line --batch reads as an instruction; longer lines get an error line (and are not kept).
BATCH_LINE_LIMIT = 64 * 1024


class NlshGroup(click.Group):
    """A group whose first free word is either a subcommand or the start of an instruction."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return _unavailable(name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options, words, quoted = split_words(args, self._value_options())
        # After `--` every word is instruction text, even one that names a subcommand.
        if words and words[0] in SUBCOMMANDS and not quoted:
            return super().parse_args(ctx, args)
        ctx.meta["nlsh.words"] = words
        return super().parse_args(ctx, options)

    def _value_options(self) -> set[str]:
        names: set[str] = set()
        for p in self.params:
            if isinstance(p, click.Option) and not p.is_flag and not p.count:
                names.update(p.opts)
                names.update(p.secondary_opts)
        return names


def split_words(args: list[str], value_options: set[str]) -> tuple[list[str], list[str], bool]:
    """Separate options (with their values) from free words, keeping each group's order; the flag
    says whether the first free word came after `--`."""
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            quoted = not words
            words.extend(args[i + 1 :])
            return options, words, quoted
        if a.startswith("-") and len(a) > 1:
            options.append(a)
            if a in value_options and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        else:
            words.append(a)
        i += 1
    return options, words, False


def _unavailable(name: str) -> click.Command:
    @click.command(name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def stub() -> None:
        raise UsageError(f"`nlsh {name}` is not available in this installation.")

    return stub


@click.command("explain")
@click.argument("command", nargs=-1, required=True)
def explain_cli(command: tuple[str, ...]) -> None:
    """Explain each utility and flag of COMMAND from this machine's man pages and --help (no model)."""
    from nlsh.explain import explain_command as explain, render_explanation

    text = " ".join(command).strip()
    if not text:
        raise UsageError("Nothing to explain: give a command in quotes.")
    click.echo(render_explanation(explain(text)))


@click.group(
    cls=NlshGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog='Examples: nlsh "list large files in home" | nlsh --dry-run "how much disk space is free" | '
    "nlsh --batch requests.txt | nlsh --check 'rm -rf ~/tmp'",
)
@click.option("--dry-run", is_flag=True, help="Print only the command (or one JSON line for device actions); run nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: print the whole proposal as one JSON object.")
@click.option("--batch", metavar="FILE", help="Translate one instruction per line of FILE (- for stdin) into JSON lines.")
@click.option("--devices", "registry", metavar="REGISTRY", help="Device registry (YAML or JSON) for smart-home instructions.")
@click.option("--home/--shell", "home", default=None, help="Force device actions or a shell command (with a registry).")
@click.option("-y", "--yes", is_flag=True, help="Run safe proposals without asking; anything riskier still asks.")
@click.option("--model", metavar="FILE.gguf", help="Use this GGUF model (or: smollm2, gemma3, ollama:NAME, hf:REPO/FILE.gguf, lmstudio:NAME; `nlsh models` lists them); with --server, the server's model.")
@click.option("--lora", metavar="FILE.gguf", help="Use this LoRA adapter; `none` runs the base model alone.")
@click.option("--server", metavar="URL", help="Decode on this OpenAI-compatible model server (llama.cpp, vLLM, Ollama...); the rest stays here.")
@click.option("--check", "check_command", metavar="COMMAND", help="Only run the validator on COMMAND and print its verdict.")
@click.option("--alternatives", metavar="N", type=click.IntRange(1, 10), help="Show the N most likely distinct commands.")
@click.option("--grammar", type=click.Choice(["format", "path", "none"]), help="Answer grammar: format only, or a first word on $PATH or named in the request.")
@click.option("--no-retrieval", is_flag=True, help="Leave the man-page/tldr/learned hints out of the prompt.")
@click.option("--no-cache", is_flag=True, help="Do not answer from (or store into) the translation cache.")
@click.option("--rules-off", metavar="NAME,...", help="Switch these decoding rules off (names: nlsh.decoding.rules).")
@click.option("--config", "config_file", metavar="FILE", help="Read this config file instead of ~/.config/nlsh/config.toml.")
@click.option("--debug", is_flag=True, help="Show tracebacks and llama.cpp messages on errors.")
@click.version_option(__version__, "--version", prog_name="nlsh")
@click.pass_context
def cli(ctx: click.Context, **opts) -> int | None:
    """Turn a request in plain words into a shell command (or device actions), check it, and run it
    only when you say so."""
    if ctx.invoked_subcommand is not None:
        return None
    words: list[str] = ctx.meta.get("nlsh.words", [])
    return run(Options(**opts), words)


class Options:
    """The main command's flags, as attributes."""

    def __init__(self, **opts):
        self.__dict__.update(opts)
        self.dry_run = self.dry_run or self.as_json or self.batch is not None

    @property
    def mode(self):
        return None if self.home is None else ("home" if self.home else "shell")


def run(opts: Options, words: list[str]) -> int:
    from nlsh.config import load_config

    config = load_config(opts.config_file)
    if opts.check_command is not None:
        if words:
            raise UsageError("--check takes one command and no instruction.")
        return check(opts, config)
    if opts.batch is not None:
        if words:
            raise UsageError("--batch reads instructions from a file, not from the command line.")
        return batch(opts, config)
    if not words:
        if opts.dry_run or opts.alternatives:
            raise UsageError("The instruction is empty.")
        if not sys.stdin.isatty():
            raise UsageError('No instruction given: pass one in quotes, use --batch FILE, or run nlsh in a terminal.')
        return repl(opts, config)
    instruction = " ".join(words)
    translator = make_translator(opts, config)
    if opts.alternatives:
        return alternatives(opts, config, translator, instruction)
    if opts.dry_run:
        return dry_run(opts, translator, instruction)
    return interactive(opts, config, translator, instruction)


def make_translator(opts: Options, config):
    from nlsh.api import Translator

    server = None
    if opts.server or config.server:
        if opts.lora:
            raise UsageError("--lora applies to a model run here; a model server runs its own.")
        from nlsh.server import configured_server  # urllib's HTTP client: only for a server

        server = configured_server(config, opts.server, opts.model)
    return Translator(
        config,
        model_path=None if server else opts.model,
        model=server,
        lora=opts.lora,
        registry=opts.registry,
        mode=opts.mode,
        grammar=opts.grammar,
        retrieval=not opts.no_retrieval,
        use_cache=False if opts.no_cache else None,
        rules_off=(opts.rules_off or "").split(","),
    )


# -- output ---------------------------------------------------------------------------------------


def emit(line: str, stream: IO[bytes] | None = None) -> None:
    """Write one line of output as UTF-8, whatever the locale says, and flush it (pipes, scripts)."""
    out = stream or sys.stdout.buffer
    out.write(line.encode("utf-8", errors="replace") + b"\n")
    out.flush()


def proposal_json(proposal) -> str:
    return json.dumps(proposal.model_dump(mode="json"), ensure_ascii=False)


def failure_json(instruction: str, error: str) -> str:
    from nlsh.schema import Failure

    return json.dumps(Failure(instruction=instruction, error=error).model_dump(), ensure_ascii=False)


def plain_output(proposal) -> str:
    """--dry-run without --json: the command itself, or the actions as one compact JSON line."""
    from nlsh.session import shown

    return shown(proposal)


def warn(message: str) -> None:
    click.echo(f"nlsh: {message}", err=True)


# -- the modes ------------------------------------------------------------------------------------


def check(opts: Options, config) -> int:
    command = opts.check_command
    if not command.strip():
        raise UsageError("There is no command to check.")
    from nlsh.api import Translator

    # Only a registry named here makes a device answer checkable (the config's is for translating).
    translator = Translator(config, registry=opts.registry or "", retrieval=False, use_cache=False)
    verdict = translator.check(command)
    emit(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False))
    return 3 if verdict.risk.value == "dangerous" else 0


def unsure_error(translator, proposal) -> NoTranslation:
    return NoTranslation(
        f"The model is unsure (confidence {proposal.confidence:.2f}, below {translator.min_confidence:.2f}); "
        "rephrase the request or lower min_confidence in the config file."
    )


def dry_run(opts: Options, translator, instruction: str) -> int:
    try:
        proposal = translator.translate(instruction)
        if translator.is_unsure(proposal):
            raise unsure_error(translator, proposal)
    except NlshError as exc:
        if opts.as_json:
            emit(failure_json(" ".join(instruction.split()), exc.message))
        raise
    emit(proposal_json(proposal) if opts.as_json else plain_output(proposal))
    return 0


def batch(opts: Options, config) -> int:
    """One JSON line out for every line in, in order; no input line can stop the run."""
    translator = make_translator(opts, config)
    source = _open_batch(opts.batch)
    translator.model  # load once, up front: a model that cannot load is one error, not one per line
    try:
        for raw in _lines(source):
            emit(batch_line(translator, raw))
    except BrokenPipeError:
        # The reader went away (`nlsh --batch f | head -1`): stop quietly, as `cat` would.
        _silence_stdout()
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    return 0


def _open_batch(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UsageError(f"The batch file {path} cannot be read: {exc.strerror or exc}.") from None


def _lines(source: IO[bytes]):
    """Lines as bytes, without their newline; an overlong line is cut to the limit plus a marker."""
    while True:
        line = source.readline(BATCH_LINE_LIMIT + 1)
        if not line:
            return
        if len(line) > BATCH_LINE_LIMIT and not line.endswith(b"\n"):
            # Swallow the rest of this line without holding it in memory.
            while True:
                more = source.readline(BATCH_LINE_LIMIT)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line.rstrip(b"\n").rstrip(b"\r")


def batch_line(translator, raw: bytes | None) -> str:
    if raw is None:
        return failure_json("", f"The line is longer than {BATCH_LINE_LIMIT} bytes and was skipped.")
    try:
        instruction = raw.decode("utf-8")
    except UnicodeDecodeError:
        return failure_json(raw.decode("utf-8", errors="replace"), "The line is not valid UTF-8 text.")
    shown = " ".join(instruction.split())
    try:
        proposal = translator.translate(instruction)
    except NlshError as exc:
        return failure_json(shown, exc.message)
    except Exception as exc:  # noqa: BLE001 - one bad line must not end the batch
        return failure_json(shown, f"Internal error: {exc}.")
    # Low confidence stays in the line (confidence and a warning say so): a script reading the
    # batch decides what to do with it; only a single --dry-run refuses to print a guess.
    return proposal_json(proposal)


def alternatives(opts: Options, config, translator, instruction: str) -> int:
    proposals = translator.alternatives(instruction, opts.alternatives)
    if opts.dry_run:
        for p in proposals:
            emit(proposal_json(p) if opts.as_json else plain_output(p))
        return 0
    from nlsh.tty import TTY

    tty = TTY.open(color=_color(config))
    try:
        for i, p in enumerate(proposals, 1):
            tty.print(f"{i}. {plain_output(p)}   [{p.risk.value}, {p.confidence:.0%}]")
        keys = "".join(str(i) for i in range(1, len(proposals) + 1)) + "a"
        key = tty.read_key(f"Pick 1-{len(proposals)} or (a)bort", keys, "a")
        if key == "a":
            raise_aborted()
        return review_and_run(opts, config, translator, proposals[int(key) - 1], tty=tty)
    finally:
        tty.close()


def interactive(opts: Options, config, translator, instruction: str) -> int:
    return review_and_run(opts, config, translator, translator.translate(instruction))


def session(opts: Options | None, config, translator, tty=None):
    """The review -> execute -> learn loop (nlsh.session) as the configuration sets it up."""
    from nlsh.learned import learn
    from nlsh.session import Session, run_home

    return Session(translator, tty=tty, default=config.default_answer, learn=learn,
                   run_home=lambda proposal: run_home(config, proposal, warn),
                   yes=bool(opts and opts.yes), announce=warn)


def review_and_run(opts: Options, config, translator, proposal, tty=None) -> int:
    steps = session(opts, config, translator, tty)
    final = steps.review(proposal)
    if final is None:
        raise_aborted()
    return steps.execute(proposal, final)


def raise_aborted():
    from nlsh.errors import Aborted

    raise Aborted("Aborted; nothing was run.")


def repl(opts: Options, config) -> int:
    from nlsh.learned import learn
    from nlsh.repl import run_repl
    from nlsh.session import run_home

    return run_repl(make_translator(opts, config), config, learn=learn,
                    run_home=lambda proposal: run_home(config, proposal, warn))


def _color(config) -> bool | None:
    return {"always": True, "never": False}.get(config.color)


# -- the entry point ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    code = run_main(args)
    if answers_only(args) and sys.gettrace() is None and sys.getprofile() is None:
        # The interpreter's teardown of numpy, llama.cpp's bindings and pydantic's models only
        # costs time once the answer is out (about 50 ms of a cold --dry-run, 25 ms of a cached one
        # on the EPYC, bench/cold_start.py): a command that only prints has nothing left to write,
        # so the exit handlers run (llama.cpp's model close) and the OS frees the rest at once.
        # Not under a profiler or a coverage tracer, which report after the program returns.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)


def answers_only(args: list[str]) -> bool:
    """Whether a command line only prints (--dry-run, --json, --batch, --check): it runs nothing,
    asks nothing and sends no device anything."""
    options, words, quoted = split_words(args, cli._value_options())
    if words and words[0] in SUBCOMMANDS and not quoted:
        return False
    return any(o.split("=", 1)[0] in ("--dry-run", "--json", "--batch", "--check") for o in options)


def run_main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
    try:
        result = cli.main(args=args, prog_name="nlsh", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except NlshError as exc:
        if debug:
            _debug_details()
        warn(_sentence(exc.message))
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        warn(_sentence(exc.format_message()))
        return EXIT_USAGE
    except (KeyboardInterrupt, click.Abort, EOFError):
        warn("Aborted.")
        return EXIT_ABORTED
    except BrokenPipeError:
        # The reader went away (`nlsh --batch f | head -1`): not an error worth a word.
        _silence_stdout()
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place every unexpected failure ends
        if debug:
            raise
        warn(f"Internal error: {exc or type(exc).__name__}; run with --debug for details.")
        return 1


def _sentence(message: str) -> str:
    message = " ".join(str(message).split())
    return message if message.endswith((".", "!", "?", ")")) else message + "."


def _debug_details() -> None:
    import traceback

    traceback.print_exc()
    try:
        from nlsh.decoding.runner import LOG_TAIL

        if LOG_TAIL:
            sys.stderr.write("llama.cpp said:\n" + "".join(LOG_TAIL))
    except ImportError:
        pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


