"""The model cards: the shipped adapter's and the one finetune.model_card writes for a new adapter
have Hugging Face's sections in the same order and the same fixed parts (intended use, the training
data's licenses and attribution, risks), so a card written for a new adapter says what the shipped
one says about them."""

from __future__ import annotations

import re
from pathlib import Path

from finetune.model_card import INTENDED_USE, RISKS, SECTIONS, TRAINING_DATA, write_model_card

SHIPPED = Path(__file__).resolve().parents[1] / "nlsh" / "data" / "MODEL_CARD.md"


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.M)


def test_the_shipped_card_has_the_sections_and_fixed_parts_of_a_written_one():
    text = SHIPPED.read_text(encoding="utf-8")
    assert headings(text) == list(SECTIONS)
    for part in (INTENDED_USE, TRAINING_DATA, RISKS):
        assert part in text
    assert len(text.splitlines()) <= 150  # a card, not a training diary


def test_a_written_card_has_the_sections_the_attribution_and_the_run(tmp_path):
    train_config = {"base": "/models/SmolLM2-135M-Instruct.Q4_1.gguf", "lora_r": 16, "lr": 2e-4,
                    "data_dir": "runs/data", "seed": 25}
    path = write_model_card(tmp_path / "MODEL_CARD.md", train_config, {"tldr": 1752, "nl2bash": 648},
                            "| system | same utilities |\n|---|---|\n| tuned | 42.2% |", "400 steps on 2 CPU cores.")
    text = path.read_text(encoding="utf-8")
    assert headings(text) == list(SECTIONS)
    assert "tldr-pages team and contributors" in text and "CC BY 4.0" in text
    assert "`SmolLM2-135M-Instruct.Q4_1.gguf`" in text
    assert '"lora_r": 16' in text and '"data_dir"' not in text  # hyper-parameters, not paths
    assert '"nl2bash": 648' in text and "| tuned | 42.2% |" in text and "400 steps on 2 CPU cores." in text
