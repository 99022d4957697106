"""The interactive loop: one instruction per line, each translated, reviewed and (if confirmed) run.

Every line after the first is sent with the previous turn (its instruction and the command it
ended with), so follow-ups such as "only the .py ones" or "now sort by size" refine the last
proposal instead of starting over. A bad line costs one sentence, never the session.
"""

from __future__ import annotations

from prompt_toolkit import PromptSession
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from rich.console import Console
from rich.text import Text

from nlsh.errors import Aborted, NlshError
from nlsh.history import repl_history
from nlsh.home.answer import format_answer
from nlsh.prompt import Example
from nlsh.schema import Proposal, ShellProposal
from nlsh.session import Learn, RunHome, Session
from nlsh.tty import TTY

PROMPT = "nlsh> "

def run_repl(
    translator,
    config,
    *,
    input: Input | None = None,
    output: Output | None = None,
    console: Console | None = None,
    run_home: RunHome | None = None,
    learn: Learn | None = None,
    history_file: str | None = None,
) -> int:
    """Read instructions until Ctrl-D (returns 0). Ctrl-C drops the current line or proposal.

    `translator` needs translate(instruction, previous=Example|None) -> Proposal and
    check(command, kind) -> Verdict (nlsh.api.Translator). `input`/`output` replace the terminal
    (tests use a pipe input); without them the REPL runs on /dev/tty. `run_home` executes confirmed
    device actions, and `learn(instruction, command)` receives commands the user edited before
    running them (nlsh.session).
    """
    tty = TTY.for_streams(input, output, console) if input is not None else TTY.open(color=_color(config))
    try:
        return _Repl(translator, config, tty, run_home, learn, history_file).loop()
    finally:
        tty.close()


class _Repl:
    def __init__(self, translator, config, tty: TTY, run_home: RunHome | None, learn: Learn | None,
                 history_file: str | None):
        self.translator = translator
        self.tty = tty
        default = getattr(config, "default_answer", None) or "abort"
        self.session = Session(translator, tty=tty, default=default, run_home=run_home, learn=learn)
        self.previous: Example | None = None
        history = repl_history(history_file) if history_file else repl_history()
        self.prompt = PromptSession(PROMPT, history=history, input=tty.input, output=tty.output)

    def loop(self) -> int:
        while True:
            try:
                line = self.prompt.prompt()
            except KeyboardInterrupt:
                continue  # Ctrl-C throws away the line being typed, like a shell
            except EOFError:
                return 0
            line = line.strip()
            if not line:
                continue
            try:
                self.handle(line)
            except Aborted:
                self.say("aborted", style="dim")
            except KeyboardInterrupt:
                self.say("cancelled", style="dim")
            except NlshError as err:
                self.say(err.message, style="red")
            except Exception as err:  # noqa: BLE001 - the session outlives any one instruction
                self.say(f"internal error: {err}", style="red")

    def handle(self, line: str) -> None:
        proposal = self.translator.translate(line, previous=self.previous)
        # The instruction as the model saw it (trimmed, one line), for the next turn's prompt.
        line = proposal.instruction
        self.previous = Example(instruction=line, answer=_answer(proposal))
        final = self.session.review(proposal)
        if final is None:
            self.say("aborted", style="dim")
            return
        # What was actually run is what the next follow-up refines.
        self.previous = Example(instruction=line, answer=_answer(final))
        code = self.session.execute(proposal, final)
        if code is None:
            self.say("no device backend is configured; nothing was run", style="yellow")
        elif code != 0:
            self.say(f"exit {code}", style="dim")

    def say(self, message: str, style: str = "") -> None:
        self.tty.print(Text(message, style=style))


def _answer(proposal: Proposal) -> str:
    """The previous turn as the model itself would have answered it."""
    if isinstance(proposal, ShellProposal):
        return proposal.command
    return format_answer(proposal.actions)


def _color(config) -> bool | None:
    """config.color is auto | always | never; auto leaves it to rich (TERM, NO_COLOR)."""
    return {"always": True, "never": False}.get(getattr(config, "color", "auto"))
