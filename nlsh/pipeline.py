"""From an instruction to a checked proposal, top to bottom:

    instruction
      -> context      OS family, shell, retrieved hints, previous turn, device listing
      -> prompt       nlsh.prompt, the one template
      -> model        greedy, bound by a grammar (shell, home, or either)
      -> proposal     a command, or device actions
      -> validator    risk, reasons, validity
    (-> confirm -> execute: nlsh.confirm and nlsh.execute, driven by the CLI and the REPL)

Nothing here prints or asks; failures are NlshError subclasses carrying their exit codes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from nlsh import bundled
from nlsh.config import Config, cache_dir
from nlsh.context import MachineContext, machine_context
from nlsh.errors import NoTranslation, Refused, UsageError
from nlsh.grammar import shell_grammar
from nlsh.model import Generation, Guide, Model
from nlsh.prompt import ChatFormat, Example, PromptContext, as_read, chat_format_for, render_prompt
from nlsh.schema import HomeProposal, Proposal, ShellProposal, Verdict
from nlsh.shell_guide import barring_options, named_words, shell_guide
from nlsh.sudo import with_requested_sudo

Mode = Literal["shell", "home"]

# Longer instructions are refused rather than cut: a truncated request would get a confident answer
# to a question nobody asked.
MAX_INSTRUCTION_CHARS = 2000
# Decodes more, each barring the options found so far, when an answer holds an option its program's
# documentation lacks. Part of the translation cache key: entries written under other rules are not reused.
OPTION_RETRIES = 2
# Answers leaving the greedy path that are decoded, at most, when the greedy one loops or is no command.
FALLBACK_FORKS = 6
LOW_CONFIDENCE = "low confidence"
_ASKS_FOR_HELP = re.compile(r"\b(?:help|usage|version|options)\b", re.I)


class Pipeline:
    """Translate instructions for one configuration. The model is loaded on first use, once."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        model_path: str | os.PathLike | None = None,
        lora: str | os.PathLike | None = None,
        registry=None,
        mode: Mode | None = None,
        grammar: str | None = None,
        retrieval: bool = True,
        use_cache: bool | None = None,
        device_prior: bool = True,
        copy_prior: bool = True,
    ):
        self.config = config or Config()
        requested_model = model_path if model_path is not None else self.config.model
        self.model_path = bundled.resolve_model(requested_model)
        requested_lora = lora if lora is not None else self.config.lora
        self.lora_path = bundled.resolve_adapter(requested_lora, self.model_path, requested_model is not None)
        self.registry = self._load_registry(registry if registry is not None else self.config.registry)
        if mode == "home" and self.registry is None:
            raise UsageError("--home needs a device registry: pass --devices FILE or set `registry` in the config file.")
        self.mode: Mode | None = mode
        self.grammar_mode = grammar or self.config.grammar
        if self.grammar_mode not in ("format", "path", "none"):
            raise UsageError(f"Unknown grammar mode `{self.grammar_mode}`; use format or path.")
        self.device_prior = device_prior
        self.copy_prior = copy_prior
        self.machine: MachineContext = machine_context()
        self.retriever = None
        k = self.config.retrieval
        if retrieval and (k.tools > 0 or k.examples > 0):
            from nlsh.retrieval import Retriever

            self.retriever = Retriever(tools=k.tools, examples=k.examples, use_tldr=k.tldr, bundled=k.bundled)
        use_cache = self.config.cache if use_cache is None else use_cache
        self.cache = None
        if use_cache:
            from nlsh.cache import TranslationCache

            self.cache = TranslationCache(cache_dir() / "translations.sqlite3")
        self._model: Model | None = None
        self._chat_format: ChatFormat | None = None
        self._devices_listing: tuple[object, str] | None = None  # (registry, its listing)

    @staticmethod
    def _load_registry(registry):
        if registry is None or registry == "":
            return None
        if isinstance(registry, (str, Path)):
            from nlsh.home.registry import load_registry

            return load_registry(Path(registry).expanduser())
        return registry

    # -- the pieces ---------------------------------------------------------------------------

    @property
    def model(self) -> Model:
        if self._model is None:
            from nlsh.model import load_model

            from nlsh.model import context_for

            listing = self._listing() or ""
            # The device listing is the only part of the prompt that grows without bound.
            n_ctx = context_for(len(listing) + MAX_INSTRUCTION_CHARS + 1500, self._trained_context())
            path, lora = self._model_files()
            self._model = load_model(path, lora, n_threads=self.config.threads or None, n_ctx=n_ctx)
        return self._model

    def _model_files(self) -> tuple[Path, Path | None]:
        from nlsh.merge import model_files

        return model_files(self.model_path, self.lora_path, cache_dir(), self.config.merge)

    def _trained_context(self) -> int | None:
        try:
            meta = bundled.model_metadata(self.model_path)
        except (OSError, ValueError):
            return None
        value = meta.get(f"{meta.get('general.architecture')}.context_length")
        return value if isinstance(value, int) and value > 0 else None

    @property
    def chat_format(self) -> ChatFormat:
        # Read from the GGUF header, so a prompt (and a cache lookup) needs no model load.
        if self._chat_format is None:
            if self._model is not None:
                self._chat_format = self._model.chat_format
            else:
                try:
                    meta = bundled.model_metadata(self.model_path)
                except (OSError, ValueError) as exc:
                    raise UsageError(f"The model {self.model_path} cannot be read: {exc}.") from exc
                arch, template = meta.get("general.architecture"), meta.get("tokenizer.chat_template")
                self._chat_format = chat_format_for(
                    arch if isinstance(arch, str) else None, template if isinstance(template, str) else None
                )
        return self._chat_format

    @property
    def min_confidence(self) -> float:
        return self.config.min_confidence

    def uses_devices(self) -> bool:
        return self.registry is not None and self.mode != "shell"

    def context(self, instruction: str, previous: Example | None = None) -> PromptContext:
        ctx = PromptContext(os_family=self.machine.os_family, shell=self.machine.shell, previous=previous)
        if self.uses_devices():
            ctx.devices = self._listing()
        # Hints go with shell-only prompts: the model was trained on device listings without
        # hints, and a `shutdown` hint next to "lights off" only invites the wrong kind of answer.
        if self.retriever is not None and not self.uses_devices():
            found = self.retriever.retrieve(instruction)
            ctx.tools, ctx.examples = found.tools, found.examples
        return ctx

    def _listing(self) -> str | None:
        if not self.uses_devices():
            return None
        if self._devices_listing is None or self._devices_listing[0] is not self.registry:
            from nlsh.home.registry import render_listing

            self._devices_listing = (self.registry, render_listing(self.registry))
        return self._devices_listing[1]

    def prompt(self, instruction: str, previous: Example | None = None) -> str:
        return render_prompt(instruction, self.context(instruction, previous), self.chat_format)

    def grammar(self, instruction: str = "") -> str | None:
        if self.grammar_mode == "none":
            return None
        if self.mode == "home":
            from nlsh.home.grammar import home_grammar

            return home_grammar(self.registry)
        shell = shell_grammar(self.grammar_mode, named=named_words(instruction))
        if self.uses_devices():
            from nlsh.home.grammar import home_or_shell_grammar

            return home_or_shell_grammar(self.registry, shell)
        return shell

    def guide(self, instruction: str, devices_only: bool | None = None, no_device: bool = True) -> Guide | None:
        """Decoding hints: nlsh.home.guide for device answers, nlsh.shell_guide for shell ones.
        devices_only: whether the grammar allows device answers only (default: --home);
        no_device=False lowers a no_device answer."""
        if self.grammar_mode == "none":
            return None
        if not self.uses_devices():
            return shell_guide(instruction, copy=self.copy_prior)
        from nlsh.home.guide import home_guide

        only = self.mode == "home" if devices_only is None else devices_only
        return home_guide(self.registry, instruction, devices_only=only, prior=self.device_prior, no_device=no_device)

    # -- translating --------------------------------------------------------------------------

    def generate(self, instruction: str, previous: Example | None = None) -> Generation:
        """The model's answer for an instruction (from the translation cache when possible), with
        the `sudo` the request asked for."""
        # The guide and the grammar read the request as the model does: a closing "." is no value.
        instruction = as_read(clean_instruction(instruction))
        prompt = self.prompt(instruction, previous)
        grammar = self.grammar(instruction)
        guide = self.guide(instruction)
        key = None
        if self.cache is not None:
            key = self.answer_key(prompt, grammar, guide)
            hit = self.cache.get(key)
            if hit is not None:
                return self._as_asked(instruction, hit)
        generation = self.model.generate(prompt, grammar, guide=guide)
        if self._left_the_home_grammar(generation.text):
            # The either-kind grammar holds a shell alternative that accepts any line, so a device
            # answer can wander off the home grammar half-way (`hvac_mode=heat_mode`). Once the
            # answer is clearly about devices, decode it again under the home grammar alone.
            generation = self._decode_devices_only(prompt, instruction)
        if self._refuted_no_device(generation.text):
            # "no such device: kids room lights" in a home that has Kids Room Lights: the registry's
            # own resolver says otherwise, so decode again with no_device lowered.
            generation = self._decode_devices_only(prompt, instruction, no_device=False)
        if not generation.finished or not self._is_command(generation.text):
            # Greedy decoding that loops (`grep -v '^[0-9]$[0-9]$...`) would loop again, and a line
            # bash cannot parse or that reads as prose would only be refused: the most probable
            # answer that leaves the greedy path, finishes and is a command is the next best answer.
            alternatives = self.model.alternatives(prompt, grammar, 1, guide=guide, max_forks=FALLBACK_FORKS,
                                                   accept=self._is_command)
            finished = [g for g in alternatives if g.finished]
            generation = next((g for g in finished if self._is_command(g.text)), finished[0] if finished else generation)
        if generation.finished and not self._is_home(generation.text):
            generation = self._without_invented_options(instruction, prompt, grammar, guide, generation)
        if key is not None:
            # Unfinished answers too: greedy decoding would loop the same way again. The model's
            # own answer is stored: entries written before a rule below changed stay right.
            self.cache.put(key, generation)
        return self._as_asked(instruction, generation)

    def answer_key(self, prompt: str, grammar: str | None, guide: Guide | None) -> str:
        """The translation cache's key: everything the answer depends on, the rules included."""
        from nlsh.cache import cache_key

        return cache_key(prompt, grammar, self.model_path, self.lora_path,
                         [guide.name if guide else None, f"option-retries-{OPTION_RETRIES}-letters-help-2-fallback-{FALLBACK_FORKS}",
                          self.config.merge and self.lora_path is not None])

    def _without_invented_options(self, instruction: str, prompt: str, grammar: str | None,
                                  guide: Guide | None, generation: Generation) -> Generation:
        """`df -b` where df's man page has no -b: the model invents options for tools it knows,
        and such a command fails. Decode again with every one-letter option that program's
        documentation lacks barred in its command, and the invented long ones: the model's next
        choice among what exists (`df -k`; barring only `-b`, it went on to the equally invented
        `-c`). An option that only prints help or version is no answer either unless asked for
        (`uptime -h` for "how long has this machine been up"), so it is found and barred alike.
        Keep the answer with the fewest such options, the model's own on a tie. The validator
        still warns about invented ones left."""
        from nlsh.validator.options import not_an_answer, not_answering_options

        keep_help = bool(_ASKS_FOR_HELP.search(instruction))
        found = not_answering_options(generation.text, keep_help)
        best, fewest = generation, len(found)
        barred: dict[str, set[str]] = {}
        for _ in range(OPTION_RETRIES):
            if not found:
                break
            for utility, flag in found:
                barred.setdefault(utility, set(not_an_answer(utility, keep_help))).add(flag)
            generation = self.model.generate(prompt, grammar, guide=barring_options(guide, barred))
            if not generation.finished:
                break
            found = not_answering_options(generation.text, keep_help)
            if len(found) < fewest:
                best, fewest = generation, len(found)
        return best

    def _is_command(self, text: str) -> bool:
        """Device actions, or a shell line the validator takes for a command (it refuses nothing
        for its risk: a dangerous command is valid, and confirmation deals with it)."""
        return self._is_home(text) or is_command(text)

    def _as_asked(self, instruction: str, generation: Generation) -> Generation:
        """A shell answer gets the `sudo` its request asked for ("start nethogs as root")."""
        if not generation.finished or self._is_home(generation.text):
            return generation
        return generation.model_copy(update={"text": with_requested_sudo(instruction, generation.text)})

    def _decode_devices_only(self, prompt: str, instruction: str, no_device: bool = True) -> Generation:
        from nlsh.home.grammar import home_grammar

        guide = self.guide(instruction, devices_only=True, no_device=no_device)
        return self.model.generate(prompt, home_grammar(self.registry), guide=guide)

    def _left_the_home_grammar(self, text: str) -> bool:
        if self.mode == "home" or not self.uses_devices() or self.grammar_mode == "none" or not self._is_home(text):
            return False
        from nlsh.home.grammar import home_grammar

        return not self.model.accepts(home_grammar(self.registry), text)

    def _refuted_no_device(self, text: str) -> bool:
        if not self.uses_devices() or self.grammar_mode == "none":
            return False
        from nlsh.home.answer import no_device_phrase

        phrase = no_device_phrase(text)
        if not phrase:
            return False
        from nlsh.home.guide import without_said_values

        # the model sometimes names the id it did not dare write: no_device "lock.front-door", or
        # the device with the value it was asked to set: no_device "porch thermostat fan-only"
        as_id = re.sub(r"[-\s]+", "_", phrase.lower())
        return as_id in self.registry or any(self.registry.resolve(p) for p in (phrase, without_said_values(phrase)))

    def translate(self, instruction: str, previous: Example | None = None) -> Proposal:
        """One checked proposal. Raises UsageError (bad input), NoTranslation, or Refused (invalid)."""
        instruction = clean_instruction(instruction)
        generation = self.generate(instruction, previous)
        proposal = self.proposal(instruction, generation)
        return proposal

    def alternatives(self, instruction: str, n: int, previous: Example | None = None) -> list[Proposal]:
        """Up to n distinct valid proposals, most probable first (issue 5's --alternatives)."""
        instruction = clean_instruction(instruction)
        if n < 1:
            raise UsageError("--alternatives needs a number of at least 1.")
        prompt = self.prompt(instruction, previous)
        read = as_read(instruction)
        out: list[Proposal] = []
        last_error: Exception | None = None
        for gen in self.model.alternatives(prompt, self.grammar(read), n, guide=self.guide(read)):
            try:
                proposal = self.proposal(instruction, self._as_asked(instruction, gen))
            except (NoTranslation, Refused) as exc:
                last_error = exc
                continue
            # `x` and `sudo x` become one answer once the request asked for root.
            if all(_what_runs(proposal) != _what_runs(q) for q in out):
                out.append(proposal)
        if not out:
            raise last_error or NoTranslation("The model produced no usable command.")
        return out

    def proposal(self, instruction: str, generation: Generation) -> Proposal:
        """Turn the model's answer into a validated proposal."""
        text = generation.text.strip()
        if not generation.finished:
            raise NoTranslation("The model did not produce a complete answer; try rephrasing the request.")
        if not text:
            raise NoTranslation("The model produced an empty answer; try rephrasing the request.")
        confidence = round(generation.confidence, 3)
        warnings = [LOW_CONFIDENCE] if confidence < self.min_confidence else []
        if self.registry is not None and self.mode != "shell" and self._is_home(text):
            return self._home_proposal(instruction, text, confidence, warnings)
        if self.mode == "home":
            raise NoTranslation("The model's answer is not a device action.")
        verdict = self.check(text, instruction)
        if not verdict.valid:
            raise Refused(f"The validator rejected the proposed command `{text}`: {_reasons(verdict)}.")
        return ShellProposal(
            instruction=instruction,
            command=verdict.command or text,
            risk=verdict.risk,
            reasons=verdict.reasons,
            confidence=confidence,
            warnings=warnings + verdict.warnings,
        )

    def _is_home(self, text: str) -> bool:
        if self.mode == "home":
            return True
        from nlsh.home.answer import is_home_answer

        return is_home_answer(text)

    def _home_proposal(self, instruction: str, text: str, confidence: float, warnings: list[str]) -> HomeProposal:
        from nlsh.home.answer import parse_answer
        from nlsh.home.validate import check_actions

        actions = parse_answer(text, self.registry)
        verdict = check_actions(actions, self.registry)
        if not verdict.valid:
            raise Refused(f"The validator rejected the device actions: {_reasons(verdict)}.")
        return HomeProposal(
            instruction=instruction,
            actions=actions,
            risk=verdict.risk,
            reasons=verdict.reasons,
            confidence=confidence,
            warnings=warnings + verdict.warnings,
        )

    def is_unsure(self, proposal: Proposal) -> bool:
        return proposal.confidence < self.min_confidence

    # -- checking -----------------------------------------------------------------------------

    def check(self, command: str, request: str | None = None) -> Verdict:
        """The validator's verdict on a shell command (no model involved), and on the request it
        answers where there is one."""
        return check_command(command, request)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def check_command(command: str, request: str | None = None) -> Verdict:
    from nlsh.validator import check_command as validate

    return validate(command, request=request)


def is_command(command: str) -> bool:
    from nlsh.validator import is_command as command_or_not

    return command_or_not(command)


def clean_instruction(instruction: str) -> str:
    """The instruction as the model should see it: one line, trimmed; bad input is a UsageError."""
    if not isinstance(instruction, str):
        raise UsageError("The instruction must be text.")
    text = " ".join(instruction.split())
    if not text:
        raise UsageError("The instruction is empty.")
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise UsageError(
            f"The instruction is too long ({len(text)} characters; the limit is {MAX_INSTRUCTION_CHARS})."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("The instruction is not valid UTF-8.") from None
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        text = "".join(c for c in text if ord(c) >= 32 and ord(c) != 127)
        if not text.strip():
            raise UsageError("The instruction has no readable text.")
    return text


def _what_runs(p: Proposal):
    return p.command if isinstance(p, ShellProposal) else p.actions


def _reasons(verdict: Verdict) -> str:
    items = verdict.reasons or verdict.warnings or ["it is not a valid command"]
    return "; ".join(i.rstrip(".") for i in items)
