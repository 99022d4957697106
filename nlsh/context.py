"""What the prompt says about the user's machine: the OS family (flags differ between GNU and BSD
userlands) and the shell the command will run in."""

from __future__ import annotations

import os
import sys

from pydantic import BaseModel

GNU_LINUX = "GNU/Linux"
MACOS = "macOS"
BSD = "BSD"


class MachineContext(BaseModel):
    os_family: str
    shell: str


def os_family(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform == "darwin":
        return MACOS
    if "bsd" in platform or platform.startswith("dragonfly"):
        return BSD
    return GNU_LINUX


def user_shell(env: dict[str, str] | None = None) -> str:
    """The family of the shell commands will run in (nlsh.execute picks it), so the model writes
    for the shell that will execute its answer."""
    from nlsh.execute import shell_name

    env = os.environ if env is None else env
    return shell_name(env.get("SHELL") or None)


def machine_context(env: dict[str, str] | None = None) -> MachineContext:
    return MachineContext(os_family=os_family(), shell=user_shell(env))
