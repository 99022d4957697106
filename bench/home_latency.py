"""Latency of home instructions with a 30-device registry (the target: p50 <= 0.7 s on 2 cores).

    python bench/home_latency.py

The registry is built here (10 areas x 3 devices), the model is loaded once, and each request goes
through Translator.translate exactly as `nlsh --devices ... --dry-run` does: the listing is a shared
prompt prefix, so after the first request only the request itself is evaluated.
"""

from __future__ import annotations

import datetime
import os
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from machine import cpu_name  # bench/machine.py (this folder is on sys.path)

AREAS = ["kitchen", "living_room", "bedroom", "office", "hallway", "bathroom", "garage", "garden", "dining_room", "attic"]
# "the living room blinds" are not in the registry: one request names a device the home lacks.
REQUESTS = [
    "turn off the kitchen light", "kitchen lights off and heat the living room to 21", "open the garage door",
    "set the bedroom light to 40 percent", "turn on the office fan", "close the living room blinds",
    "make the dining room light red", "lock the front door", "turn everything off in the hallway",
    "set the office fan to 70 percent", "turn on the garden switch", "stop the bathroom fan",
    "set the thermostat in the bedroom to 19", "dim the attic light to 10%", "turn on the garage heater",
]


def registry_file(folder: Path) -> Path:
    devices = []
    for area in AREAS:
        devices.append({"id": f"light.{area}", "name": f"{area.replace('_', ' ').title()} Light", "area": area,
                        "features": ["brightness", "color"]})
        devices.append({"id": f"fan.{area}", "name": f"{area.replace('_', ' ').title()} Fan", "area": area})
        if area in ("living_room", "bedroom"):
            devices.append({"id": f"climate.{area}", "name": f"{area.replace('_', ' ').title()} Thermostat", "area": area})
        elif area == "garage":
            devices.append({"id": "cover.garage_door", "name": "Garage Door", "area": area, "device_class": "garage"})
        elif area == "hallway":
            devices.append({"id": "lock.front_door", "name": "Front Door", "area": area})
        else:
            devices.append({"id": f"switch.{area}", "name": f"{area.replace('_', ' ').title()} Switch", "area": area})
    path = folder / "home.yaml"
    path.write_text(yaml.safe_dump({"devices": devices}))
    return path


def run(translator, rounds: int) -> tuple[list[float], int]:
    """Seconds per request (the median over `rounds` passes), and how many gave a valid proposal."""
    from nlsh.errors import NlshError

    per_request: list[list[float]] = [[] for _ in REQUESTS]
    ok = 0
    for r in range(rounds):
        for i, request in enumerate(REQUESTS):
            t = time.perf_counter()
            try:
                translator.translate(request)
                ok += r == 0
            except NlshError:
                pass
            per_request[i].append(time.perf_counter() - t)
    return sorted(statistics.median(ts) for ts in per_request), ok


DEVICE_PRIORS = ["quantified-groups", "device-names", "request-order", "said-values"]


def main() -> None:
    from nlsh.config import Config
    from nlsh.api import Translator

    rounds = 3
    with tempfile.TemporaryDirectory() as tmp:
        registry = registry_file(Path(tmp))
        # The baseline in the same run: the same (process-wide) model without the device priors
        # (nlsh.decoding.rules; the repeat cut stays).
        guided = Translator(Config(), registry=str(registry), mode="home", use_cache=False)
        plain = Translator(Config(), registry=str(registry), mode="home", use_cache=False, rules_off=DEVICE_PRIORS)
        n_devices = len(guided.registry.devices)
        guided.translate(REQUESTS[0])  # warm: model load and the listing prefix
        load = os.getloadavg()[0]
        results = {"device prior (default)": run(guided, rounds), "no device prior": run(plain, rounds)}
    print(f"## home latency - {datetime.date.today()}, {cpu_name()}, {os.cpu_count()} cores, "
          f"{n_devices} devices, load at start {load:.2f}, median of {rounds} passes per request")
    base = statistics.median(results["no device prior"][0])
    for name, (times, ok) in results.items():
        p50 = statistics.median(times)
        print(f"{name}: p50 {p50:.3f} s ({p50 / base:.2f}x), p95 {times[int(0.95 * (len(times) - 1))]:.3f} s, "
              f"{ok}/{len(REQUESTS)} produced a valid proposal")


if __name__ == "__main__":
    main()
