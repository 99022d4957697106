"""`nlsh devices ...`: look at the device registry and build one from Home Assistant."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from nlsh.errors import NlshError, UsageError
from nlsh.home.registry import Registry, load_registry


def _one_sentence_errors(fn):
    """Turn nlsh errors into one line on stderr and their exit code, as the main command does."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NlshError as e:
            click.echo(f"nlsh: {e.message}", err=True)
            sys.exit(e.exit_code)

    return wrapper


def _configured_registry() -> str | None:
    from nlsh.config import load_config

    return load_config().registry


def _table(registry: Registry) -> str:
    header = ("ID", "NAME", "AREA", "ALIASES", "FEATURES")
    rows = [
        (
            d.id,
            d.name,
            d.area or "-",
            ", ".join(d.aliases) or "-",
            "all" if d.features is None else (", ".join(d.features) or "none"),
        )
        for d in registry.devices
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


@click.group("devices")
def devices() -> None:
    """Show the device registry or import one from Home Assistant."""


@devices.command("list")
@click.option("--devices", "path", metavar="REGISTRY", help="Registry file (default: `registry` in the config file).")
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@_one_sentence_errors
def list_devices(path: str | None, as_json: bool) -> None:
    """List the devices nlsh can control."""
    path = path or _configured_registry()
    if not path:
        raise UsageError("no device registry: pass --devices FILE or set `registry` in the config file.")
    registry = load_registry(path)
    if as_json:
        click.echo(json.dumps({"devices": [d.model_dump(exclude_none=True) for d in registry.devices]}))
        return
    if not registry.devices:
        click.echo(f"{path} lists no devices.")
        return
    click.echo(_table(registry))
    areas = len(registry.areas)
    click.echo(f"\n{len(registry.devices)} device{'s' if len(registry.devices) != 1 else ''} in {areas} area{'s' if areas != 1 else ''}.")


@devices.command("import")
@click.option("--ha", "url", required=True, metavar="URL", help="Home Assistant base URL, e.g. http://homeassistant.local:8123.")
@click.option("-o", "--output", metavar="FILE", help="Where to write the registry (default: `registry` in the config file, else ./devices.yaml).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds to wait for Home Assistant.")
@_one_sentence_errors
def import_devices(url: str, output: str | None, force: bool, timeout: float) -> None:
    """Build a registry from Home Assistant's /api/states (token from $NLSH_HA_TOKEN)."""
    from nlsh.home.ha_import import fetch_registry, write_registry

    target = Path(output or _configured_registry() or "devices.yaml").expanduser()
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; pass --force to replace it.")
    registry = fetch_registry(url, timeout=timeout)
    write_registry(registry, target)
    n = len(registry.devices)
    click.echo(f"Wrote {n} device{'s' if n != 1 else ''} to {target}.", err=True)
