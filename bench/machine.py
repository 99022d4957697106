"""What the benchmarks report about where they ran, and the requests they time and score."""

from __future__ import annotations

import json
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


def blind_requests() -> list[dict]:
    """`everyday2.jsonl`: requests written blind to the models, each with its acceptable commands."""
    return [json.loads(line) for line in Path(__file__).with_name("everyday2.jsonl").read_text().splitlines()]


def same_command(a: str, b: str) -> bool:
    """Word for word the same command, whatever the spacing."""
    return a.split() == b.split()
