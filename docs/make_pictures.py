"""Draw the pictures of README.md and docs/ from the real program, as SVGs exported by rich.

    python docs/make_pictures.py            # writes docs/confirm-shell.svg and docs/confirm-home.svg

Each picture is one request translated by the shipped model (nlsh's own pipeline, default settings,
no translation cache) and shown by nlsh's own confirmation step (nlsh.confirm), answered with Abort,
so nothing runs. The shell request deletes files in a scratch folder the script fills first, so the
picture also shows the preview of what the command would touch; the home request uses the sample
registry beside this script (docs/home-example.yaml). Answers can differ on another CPU (near-tied
logits; see docs/results.md), so the script prints what it drew.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from pathlib import Path

from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console
from rich.text import Text

from nlsh import confirm
from nlsh.config import Config
from nlsh.api import Translator
from nlsh.tty import TTY

DOCS = Path(__file__).resolve().parent
WIDTH = 78
SHELL_REQUEST = "remove every .log file in the logs folder"
SHELL_FILES = ("logs/app.log", "logs/error.log", "logs/old.log", "logs/README", "notes.txt")
HOME_REQUEST = "turn off the kitchen lights and open the garage door"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")
QUESTION = re.compile(r"(\w[\w, ]*\? \[[^\]]+\])(?: (\w)(?!\w))?")


def confirmation(request: str, proposal, svg: Path) -> None:
    """What a person sees for `proposal`: the panel, any preview, and the question, saved as `svg`."""
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", highlight=False)
    console.print(Text(f'$ nlsh "{request}"', style="bold"))
    asked = io.StringIO()
    with create_pipe_input() as keys:
        keys.send_text("a")  # Abort: the picture must not run anything
        output = Vt100_Output(asked, lambda: Size(rows=40, columns=WIDTH))
        final = confirm.review_proposal(proposal, validate=lambda c: None, explain=confirm.explain_text,
                                        preview=confirm.preview_text, tty=TTY.for_streams(keys, output, console))
    assert final is None, "the picture's answer was Abort"
    # The question is drawn by prompt-toolkit, not rich: take its last drawing and the key it echoed.
    drawn = " ".join(ANSI.sub("", asked.getvalue()).split())
    question, key = QUESTION.findall(drawn)[-1]
    console.print(Text(f"{question} {key}"))
    console.save_svg(str(svg), title="nlsh")
    print(f"{svg.relative_to(DOCS.parent)}: {request!r} -> {describe(proposal)}")


def describe(proposal) -> str:
    what = proposal.command if proposal.kind == "shell" else ", ".join(f"{a.device} {a.action}" for a in proposal.actions)
    return f"{what} ({proposal.risk.value})"


def main() -> int:
    config = Config()  # the defaults, not this machine's config file
    with tempfile.TemporaryDirectory(prefix="nlsh-pictures-") as scratch:
        for name in SHELL_FILES:
            path = Path(scratch, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("example\n")
        here = os.getcwd()
        os.chdir(scratch)  # the validator and the preview look at the folder the command runs in
        try:
            shell = Translator(config, use_cache=False)
            confirmation(SHELL_REQUEST, shell.translate(SHELL_REQUEST), DOCS / "confirm-shell.svg")
        finally:
            os.chdir(here)
    home = Translator(config, registry=str(DOCS / "home-example.yaml"), use_cache=False)
    confirmation(HOME_REQUEST, home.translate(HOME_REQUEST), DOCS / "confirm-home.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
