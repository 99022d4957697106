"""What the benchmarks report about where they ran, and the requests they time."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def everyday_requests() -> list[str]:
    """Requests a shell user types (no expected answers: the benchmarks time, they don't score)."""
    return (Path(__file__).with_name("everyday.txt")).read_text().split("\n")[:-1]
