"""`nlsh models`: every GGUF model nlsh can name on this machine (the bundled ones, and those of
Ollama, the Hugging Face cache and LM Studio, nlsh.model_sources), with the size, architecture and
chat format read from each file's own header."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import click

from nlsh import bundled
from nlsh.errors import UsageError
from nlsh.model_sources import FoundModel, hf_models, lmstudio_models, ollama_models


class ModelInfo(FoundModel):
    """A found model with what its GGUF header says about it."""

    architecture: str | None = None
    chat_format: str | None = None
    # False where the header has no chat template saying so and the format is nlsh's default guess.
    chat_format_from_template: bool = False
    parameters: str | None = None  # general.size_label, e.g. "135M"
    # True for the model nlsh's shipped adapter was trained on: it runs fine-tuned.
    tuned: bool = False


def bundled_models() -> Iterator[FoundModel]:
    smollm2 = bundled.smollm2_path()
    if smollm2 is not None:
        yield FoundModel(reference="smollm2", source="bundled", path=smollm2, size=smollm2.stat().st_size)
    gemma = bundled.gemma3_path(assemble=False)
    if gemma is not None:
        yield FoundModel(reference="gemma3", source="bundled", path=gemma, size=gemma.stat().st_size)


def find_models(env: dict[str, str] | None = None) -> list[FoundModel]:
    """Every model nlsh can name on this machine: bundled first, then Ollama, Hugging Face, LM Studio."""
    env = os.environ if env is None else env
    found: list[FoundModel] = []
    for source in (bundled_models(), ollama_models(env), hf_models(env), lmstudio_models(env)):
        try:
            found.extend(source)
        except OSError:
            continue  # an unreadable store hides its models, not the others'
    return found


def describe(found: FoundModel) -> ModelInfo | None:
    """What the GGUF header says about a found model; None for a GGUF that is no model to chat
    with (a LoRA adapter, a vision projector) or a file that is not GGUF."""
    from nlsh.prompt import chat_format_for

    try:
        meta = bundled.model_metadata(found.path)
    except (OSError, ValueError, KeyError):
        return None
    arch = meta.get("general.architecture")
    if meta.get("general.type") == "adapter" or arch == "clip":
        return None
    template = meta.get("tokenizer.chat_template")
    template = template if isinstance(template, str) else None
    fmt = chat_format_for(arch if isinstance(arch, str) else None, template)
    label = meta.get("general.size_label")
    return ModelInfo(
        **found.model_dump(),
        architecture=arch if isinstance(arch, str) else None,
        chat_format=fmt.name,
        chat_format_from_template=bool(template and fmt.end_of_turn in template),
        parameters=label if isinstance(label, str) else None,
        tuned=_is_tuned(found.path),
    )


def _is_tuned(path: Path) -> bool:
    if bundled.default_adapter_path() is None:
        return False
    try:
        return path == bundled.default_model_path()
    except UsageError:
        return False


def human_size(n: float) -> str:
    unit = "B"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            break
        n /= 1000
    return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"


def render_table(infos: list[ModelInfo]) -> str:
    rows = [("MODEL", "SIZE", "ARCH", "CHAT FORMAT", "")]
    for m in infos:
        fmt = m.chat_format if m.chat_format_from_template else f"{m.chat_format}?"
        note = "nlsh adapter" if m.tuned else ""
        rows.append((m.reference, human_size(m.size), m.architecture or "?", fmt, note))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + ("  " + r[4] if r[4] else "") for r in rows]
    return "\n".join(line.rstrip() for line in lines)


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per model instead of a table.")
def models_cli(as_json: bool) -> None:
    """List the GGUF models nlsh can use here: bundled, Ollama's, the Hugging Face cache's, LM Studio's.

    A chat format ending in `?` is nlsh's guess: the file's header has no chat template that says.
    Models without the nlsh adapter run untuned, with a few of nlsh's own examples in the prompt."""
    infos = [info for info in map(describe, find_models()) if info is not None]
    if as_json:
        for info in infos:
            click.echo(info.model_dump_json())
        return
    if not infos:
        click.echo("No GGUF models found (looked for bundled ones, Ollama's, the Hugging Face cache's and LM Studio's).")
        return
    click.echo(render_table(infos))
