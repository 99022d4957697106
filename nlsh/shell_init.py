"""`nlsh init bash|zsh|fish`: a key binding that turns the text on the command line into a command.

    eval "$(nlsh init bash)"      # ~/.bashrc
    eval "$(nlsh init zsh)"       # ~/.zshrc
    nlsh init fish | source       # ~/.config/fish/config.fish

The key (Ctrl-G unless --key says otherwise) sends the line to `nlsh --dry-run` and puts the answer
in its place. Nothing runs: the person reads the command and presses Enter, or edits it, or not.
When nlsh fails, the typed text stays and nlsh's one-sentence error is shown, so no request is lost.

The snippet names the very nlsh that printed it (a venv or pipx install need not be on $PATH when
the key is pressed), and tells it which shell the command is for through $SHELL: someone whose login
shell is bash but who is typing in fish wants fish syntax.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys

import click

from nlsh.errors import UsageError

SHELLS = ("bash", "zsh", "fish")
DEFAULT_KEY = "ctrl-g"

# Control keys the terminal or the line editor needs for itself: binding them would take away
# interrupt, end-of-file, Tab, Enter, suspend or flow control.
RESERVED_CTRL = {"c": "interrupt", "d": "end of input", "i": "Tab", "j": "Enter", "m": "Enter",
                 "q": "flow control", "s": "flow control", "z": "suspend"}

_KEY = re.compile(r"^(?:(?P<mod>ctrl|control|c|alt|meta|m)[-+]|(?P<caret>\^))(?P<char>[a-z0-9])$")


class Key:
    """A validated key: Ctrl+letter or Alt+letter/digit, spelled the way each shell wants it."""

    def __init__(self, modifier: str, char: str):
        self.modifier = modifier  # "ctrl" or "alt"
        self.char = char

    @classmethod
    def parse(cls, text: str) -> Key:
        spec = text.strip().lower()
        m = _KEY.match(spec)
        if not m:
            raise UsageError(f"Unknown key `{text}`; use ctrl-LETTER or alt-LETTER, for example ctrl-g or alt-e.")
        modifier = "alt" if m["mod"] in ("alt", "meta", "m") else "ctrl"
        char = m["char"]
        if modifier == "ctrl":
            if not char.isalpha():
                raise UsageError(f"Unknown key `{text}`; a ctrl key needs a letter, for example ctrl-g.")
            if char in RESERVED_CTRL:
                raise UsageError(
                    f"The key `{text}` is the terminal's {RESERVED_CTRL[char]} key; pick another, for example ctrl-g."
                )
        return cls(modifier, char)

    def __str__(self) -> str:
        return f"{self.modifier.capitalize()}-{self.char.upper() if self.modifier == 'ctrl' else self.char}"

    def readline(self) -> str:
        return f"\\C-{self.char}" if self.modifier == "ctrl" else f"\\e{self.char}"

    def zsh(self) -> str:
        return f"^{self.char.upper()}" if self.modifier == "ctrl" else f"^[{self.char}"

    def fish(self) -> str:
        return f"\\c{self.char}" if self.modifier == "ctrl" else f"\\e{self.char}"


def nlsh_invocation() -> list[str]:
    """The argv that starts this same nlsh: the script it was started as, else this Python with -m."""
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and not argv0.endswith(".py") and argv0 not in ("-c", "-m"):
        path = argv0 if os.sep in argv0 else shutil.which(argv0)
        # abspath, not realpath: a venv's python and pipx's links must keep their own path.
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return [os.path.abspath(path)]
    return [os.path.abspath(sys.executable), "-m", "nlsh"]


def fish_quote(word: str) -> str:
    """A fish single-quoted word: inside, only \\ and ' are special."""
    return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'"


def bash_snippet(argv: list[str], key: Key) -> str:
    command = " ".join(shlex.quote(a) for a in argv)
    # READLINE_LINE arrived in bash 4.0; macOS still ships 3.2 as /bin/bash.
    return f"""\
# nlsh: {key} turns the text on the command line into a command; read it, then press Enter.
if (( BASH_VERSINFO[0] < 4 )); then
    printf 'nlsh: the key binding needs bash 4 or newer; this is bash %s.\\n' "$BASH_VERSION" >&2
else
__nlsh_translate() {{
    [[ -n "${{READLINE_LINE//[[:space:]]/}}" ]] || return 0
    local out rc errf msg
    errf=$(mktemp "${{TMPDIR:-/tmp}}/nlsh.XXXXXX") || return 0
    out=$(SHELL=bash {command} --dry-run -- "$READLINE_LINE" 2>"$errf" </dev/null)
    rc=$?
    if [[ $rc -eq 0 && -n "$out" ]]; then
        READLINE_LINE=$out
        READLINE_POINT=${{#READLINE_LINE}}
    else
        msg=$(<"$errf")
        printf '%s\\n' "${{msg:-nlsh: no translation (exit $rc).}}" >&2
    fi
    command rm -f -- "$errf"
}}
bind -m emacs -x '"{key.readline()}": __nlsh_translate'
bind -m vi-insert -x '"{key.readline()}": __nlsh_translate'
fi
"""


def zsh_snippet(argv: list[str], key: Key) -> str:
    command = " ".join(shlex.quote(a) for a in argv)
    return f"""\
# nlsh: {key} turns the text on the command line into a command; read it, then press Enter.
__nlsh_translate() {{
    emulate -L zsh
    [[ -n "${{BUFFER//[[:space:]]/}}" ]] || return 0
    local out rc errf msg
    errf=$(mktemp "${{TMPDIR:-/tmp}}/nlsh.XXXXXX") || return 0
    zle -R "nlsh: translating..."
    out=$(SHELL=zsh {command} --dry-run -- "$BUFFER" 2>"$errf" </dev/null)
    rc=$?
    if (( rc == 0 )) && [[ -n "$out" ]]; then
        BUFFER=$out
        CURSOR=${{#BUFFER}}
        zle -R
    else
        msg=$(<"$errf")
        zle -M "${{msg:-nlsh: no translation (exit $rc).}}"
    fi
    command rm -f -- "$errf"
}}
zle -N __nlsh_translate
bindkey -M emacs '{key.zsh()}' __nlsh_translate
bindkey -M viins '{key.zsh()}' __nlsh_translate
"""


def fish_snippet(argv: list[str], key: Key) -> str:
    command = " ".join(fish_quote(a) for a in argv)
    return f"""\
# nlsh: {key} turns the text on the command line into a command; read it, then press Enter.
function __nlsh_translate --description 'nlsh: turn the command line into a command'
    set -l line (commandline | string collect)
    if string match -qr '^\\s*$' -- "$line"
        return
    end
    set -l outf (mktemp); or return
    set -l errf (mktemp); or begin; command rm -f -- $outf; return; end
    SHELL=fish {command} --dry-run -- "$line" >$outf 2>$errf </dev/null
    set -l rc $status
    set -l out (string collect <$outf)
    if test $rc -eq 0; and test -n "$out"
        commandline -r -- $out
        commandline -C (string length -- "$out")
    else
        set -l msg (string collect <$errf)
        test -n "$msg"; or set msg "nlsh: no translation (exit $rc)."
        printf '\\n%s\\n' $msg >&2
    end
    command rm -f -- $outf $errf
    commandline -f repaint
end
bind {key.fish()} __nlsh_translate
bind -M insert {key.fish()} __nlsh_translate
"""


SNIPPETS = {"bash": bash_snippet, "zsh": zsh_snippet, "fish": fish_snippet}


def snippet(shell: str, key: str = DEFAULT_KEY, argv: list[str] | None = None) -> str:
    """The rc-file snippet for `shell`; UsageError for a shell or key nlsh does not know."""
    name = shell.strip().lower()
    if name not in SNIPPETS:
        raise UsageError(f"Unknown shell `{shell}`; nlsh init supports bash, zsh and fish.")
    return SNIPPETS[name](argv or nlsh_invocation(), Key.parse(key))


@click.command("init")
@click.argument("shell", required=False)
@click.option("--key", default=DEFAULT_KEY, show_default=True, metavar="KEY",
              help="Key to bind: ctrl-LETTER or alt-LETTER.")
def init(shell: str | None, key: str) -> None:
    """Print the snippet that binds a key to "turn this line into a command" in SHELL.

    \b
    bash:  eval "$(nlsh init bash)"    in ~/.bashrc
    zsh:   eval "$(nlsh init zsh)"     in ~/.zshrc
    fish:  nlsh init fish | source     in ~/.config/fish/config.fish
    """
    if not shell:
        raise UsageError("Name the shell to set up: nlsh init bash, nlsh init zsh or nlsh init fish.")
    click.echo(snippet(shell, key), nl=False)
