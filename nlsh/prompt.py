"""The one prompt template. Inference (nlsh.api's Translator) and training (finetune) both render
through here.

Kept short on purpose: every prompt token is paid for at every CPU training step and at every cold
start, and a fine-tuned 135M model needs a stable frame more than it needs instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from nlsh.spoken_numbers import spoken_numbers


class Example(BaseModel):
    """An (instruction, answer) pair shown to the model: retrieved, learned, or the previous turn."""

    instruction: str
    answer: str


class ToolHint(BaseModel):
    """A utility the user's machine has, with its one-line summary (whatis, --help, tldr cache)."""

    name: str
    summary: str


class PromptContext(BaseModel):
    os_family: str = "GNU/Linux"
    shell: str = "bash"
    tools: list[ToolHint] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    # The turn being refined ("only the .py ones"): its instruction and the answer it got.
    previous: Example | None = None
    # Compact device listing (nlsh.home.registry.render_listing); None means shell only.
    devices: str | None = None


@dataclass(frozen=True)
class ChatFormat:
    """How one model family marks turns. The words inside the turns are the same for every family."""

    name: str
    system: str  # format string with {text}
    user: str
    assistant_prefix: str
    end_of_turn: str  # what a finished answer ends with (the model's end-of-turn token text)


CHATML = ChatFormat(
    name="chatml",
    system="<|im_start|>system\n{text}<|im_end|>\n",
    user="<|im_start|>user\n{text}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    end_of_turn="<|im_end|>",
)

# Gemma has no system role: its system text goes at the top of the first user turn.
GEMMA = ChatFormat(
    name="gemma",
    system="{text}\n\n",
    user="<start_of_turn>user\n{text}<end_of_turn>\n",
    assistant_prefix="<start_of_turn>model\n",
    end_of_turn="<end_of_turn>",
)

# Llama 3.x. Its <|begin_of_text|> is left out: llama.cpp adds the BOS token itself when it
# tokenizes the prompt, and a second one in the text is a second BOS.
LLAMA3 = ChatFormat(
    name="llama3",
    system="<|start_header_id|>system<|end_header_id|>\n\n{text}<|eot_id|>",
    user="<|start_header_id|>user<|end_header_id|>\n\n{text}<|eot_id|>",
    assistant_prefix="<|start_header_id|>assistant<|end_header_id|>\n\n",
    end_of_turn="<|eot_id|>",
)

# Phi-3 and Phi-3.5 (mini, medium).
PHI3 = ChatFormat(
    name="phi3",
    system="<|system|>\n{text}<|end|>\n",
    user="<|user|>\n{text}<|end|>\n",
    assistant_prefix="<|assistant|>\n",
    end_of_turn="<|end|>",
)

FORMATS = {f.name: f for f in (CHATML, GEMMA, LLAMA3, PHI3)}


def chat_format_for(architecture: str | None, chat_template: str | None = None) -> ChatFormat:
    """Pick the turn markers from a GGUF's metadata (general.architecture, tokenizer.chat_template)."""
    if chat_template and "<start_of_turn>" in chat_template:
        return GEMMA
    if chat_template and "<|im_start|>" in chat_template:
        return CHATML
    if chat_template and "<|start_header_id|>" in chat_template:
        return LLAMA3
    if chat_template and "<|assistant|>" in chat_template and "<|end|>" in chat_template:
        return PHI3
    if architecture and architecture.startswith("gemma"):
        return GEMMA
    if architecture and architecture.startswith("phi3"):
        return PHI3
    return CHATML


def system_text(ctx: PromptContext) -> str:
    text = f"Translate the request into one {ctx.shell} command for {ctx.os_family}. Reply with the command only."
    if ctx.devices is not None:
        text += " For the devices below, reply with device actions instead."
    return text


# A request that opens like a question ("is nginx running?", "what's my ip?").
_QUESTION = re.compile(
    r"(?:is|are|am|was|were|what|what's|whats|which|who|who's|whose|where|when|why|how|can|could|do|does"
    r"|did|will|would|should|have|has|may)\b.*\?[?!]*$",
    re.IGNORECASE,
)
# A full stop or "!" right after a word ("rename a.txt to b.txt."); "list files in ." keeps its dot.
_SENTENCE_END = re.compile(r"(?<=[A-Za-z0-9])[.!]+$")
# Words that ask for the task without being part of it: "please ...", "can you ...", "how do i ...",
# "nlsh, ...", "..., thanks". A closing one goes only after two words or more ("echo please" stays),
# and a thanks only after a comma: "comment on pull request 123 Thanks!" has it as the comment.
_ASKING = re.compile(
    r"^(?:(?:hey\s+)?nlsh\s*[,:]\s*|(?:please|pls|kindly)\b,?\s+"
    # a voice assistant's wake word, as requests spoken to a home arrive ("alexa, lights off");
    # "computer" and "siri" only with a comma: "computer name" may be the task
    r"|(?:alexa|hey\s+google|ok(?:ay)?\s+google|hey\s+siri)\b\s*[,:]?\s*|(?:computer|siri)\s*[,:]\s*"
    r"|(?:can|could|would|will)\s+you\s+(?:please\s+)?|how\s+(?:do|can|should|would)\s+i\s+|how\s+to\s+"
    r"|i(?:\s+(?:want|need|would\s+like)\s+to|'d\s+like\s+to|\s+wanna)\s+|help\s+me\s+)(?=\S)",
    re.IGNORECASE,
)
_THANKS = re.compile(r"(?:\s*,\s*|\s+)(?:please|pls)$|\s*,\s*(?:thanks|thank\s+you|thx)$", re.IGNORECASE)


def as_read(instruction: str) -> str:
    """The request as the model reads it: the task, without the punctuation that closes a sentence
    and the words that ask for it.

    Training requests for shell commands almost never carry either (tldr descriptions and NL2Bash are
    bare imperatives: 7 of 32,000 end in "?", 11 in "." or "!", none opens with "please" or "can
    you"), so the model took a closing "." into the last value (`wc -l notes.txt.`) and a "?" or a
    "please" moved answers ("is nginx running?" got `/usr/bin/nologin`). A "?" goes only where the
    request opens like a question: elsewhere it may be part of a value (`*IDN?`, `foo??`). Numbers
    said in words are read in digits (nlsh.spoken_numbers)."""
    text = spoken_numbers(instruction.strip())
    while True:
        before = text
        text = _SENTENCE_END.sub("", text)
        if _QUESTION.match(text):
            text = text.rstrip("?!").rstrip()
        text = _ASKING.sub("", text, count=1)
        closing = _THANKS.search(text)
        if closing and len(text[: closing.start()].split()) >= 2:
            text = text[: closing.start()]
        if text == before:
            return text


def user_text(instruction: str, ctx: PromptContext) -> str:
    lines: list[str] = []
    if ctx.devices:
        lines.append("Devices:")
        lines.append(ctx.devices)
    for tool in ctx.tools:
        lines.append(f"Tool: {tool.name} - {tool.summary}")
    for ex in ctx.examples:
        lines.append(f"Example: {as_read(ex.instruction)} => {ex.answer}")
    if ctx.previous is not None:
        lines.append(f"Previous: {as_read(ctx.previous.instruction)} => {ctx.previous.answer}")
    lines.append(f"Request: {as_read(instruction)}")
    return "\n".join(lines)


def render_prompt(instruction: str, ctx: PromptContext, fmt: ChatFormat = CHATML) -> str:
    """Everything the model reads before its answer, ending with the assistant turn's opening."""
    if fmt.name == "gemma":
        body = fmt.system.format(text=system_text(ctx)) + user_text(instruction, ctx)
        return fmt.user.format(text=body) + fmt.assistant_prefix
    return (
        fmt.system.format(text=system_text(ctx))
        + fmt.user.format(text=user_text(instruction, ctx))
        + fmt.assistant_prefix
    )


def split_prompt(prompt: str, fmt: ChatFormat) -> tuple[str, str] | None:
    """The (system, user) texts render_prompt put into `prompt`, or None when it is not one of its
    prompts: for a server that applies the model's own turn markers (a chat endpoint), the same
    words go as two messages."""
    sys_open, sys_close = fmt.system.split("{text}")
    user_open, user_close = fmt.user.split("{text}")
    if fmt.name == "gemma":
        head, tail = user_open, user_close + fmt.assistant_prefix
        if not (prompt.startswith(head) and prompt.endswith(tail)):
            return None
        body = prompt[len(head) : len(prompt) - len(tail)]
        system, sep, user = body.partition(sys_close)
        return (system, user) if sep else None
    tail = user_close + fmt.assistant_prefix
    if not (prompt.startswith(sys_open) and prompt.endswith(tail)):
        return None
    system, sep, user = prompt[len(sys_open) : len(prompt) - len(tail)].partition(sys_close + user_open)
    return (system, user) if sep else None


def render_answer(answer: str, fmt: ChatFormat = CHATML) -> str:
    """The training target that follows render_prompt: the answer and the end-of-turn marker."""
    return answer + fmt.end_of_turn
