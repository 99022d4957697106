"""nlsh as a library: a Translator turns a request into a checked proposal. The CLI, the REPL, the
benchmarks and `python -m finetune eval` all go through it.

    from nlsh.api import Translator
    translator = Translator()                      # the user's config file is not read: pass Config
    proposal = translator.translate("how much disk space is free")   # ShellProposal or HomeProposal
    translator.alternatives("list large files", 3)                   # distinct proposals, best first
    translator.check("rm -rf ~/tmp")                                  # the validator's Verdict

One request, top to bottom:

    request
      -> prompt      nlsh.prompt, the one template, with what each kind of answer adds (nlsh.tasks):
                     OS and shell, hints from this machine, the previous turn, the device listing
      -> grammar     the answer kinds' grammars, joined where a request may be either kind
      -> decoding    the model under the grammar and the active decoding rules (nlsh.decoding)
      -> proposal    the kind whose answer it is checks it: the validator, or the home validator
    (-> review -> execute -> learn: nlsh.session, for the CLI and the REPL)

Nothing here prints or asks; failures are NlshError subclasses carrying their exit codes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

from nlsh import bundled
from nlsh.config import Config, cache_dir
from nlsh.context import MachineContext, machine_context
from nlsh.decoding.decoder import Decoding
from nlsh.decoding.guide import Guide
from nlsh.decoding.registry import RuleSet, needing_logits
from nlsh.decoding.rule import ANY, Asked
from nlsh.decoding.runner import Generation
from nlsh.errors import NoTranslation, Refused, UsageError
from nlsh.prompt import ChatFormat, Example, PromptContext, as_read, chat_format_for, render_prompt
from nlsh.schema import Proposal, Verdict
from nlsh.tasks import Mode, Task, joint_grammar, tasks_for

# Longer instructions are refused rather than cut: a truncated request would get a confident answer
# to a question nobody asked.
MAX_INSTRUCTION_CHARS = 2000
LOW_CONFIDENCE = "low confidence"
# A model server that returns no token probabilities: the confidence (0) is unknown, so nothing is
# refused for it, and the proposal says why its confidence is 0.
NO_TOKEN_PROBABILITIES = "the server gave no token probabilities: confidence unknown"


class Translator:
    """Translate requests for one configuration. The model is found and loaded on first use, once.

    mode: "shell" or "home" answers only; None allows device actions too when there is a registry.
    grammar: format, path or none (no grammar, so no decoding rules either).
    rules_off: decoding rules to switch off by name, besides the config's `rules_off`.
    model: an object offering the runner's generate/alternatives/accepts/chat_format (a model
    elsewhere, such as nlsh.server.ServerModel); the translation cache is not used for it, and one
    that cannot steer decoding (`steers` False) runs without the rules that need the logits.
    """

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
        rules_off: Iterable[str] = (),
        model=None,
    ):
        self.config = config or Config()
        self._requested_model = model_path if model_path is not None else self.config.model
        self._requested_lora = lora if lora is not None else self.config.lora
        self._paths: tuple[Path, Optional[Path]] | None = None
        self.registry = _load_registry(registry if registry is not None else self.config.registry)
        self.grammar_mode = grammar or self.config.grammar
        if self.grammar_mode not in ("format", "path", "none"):
            raise UsageError(f"Unknown grammar mode `{self.grammar_mode}`; use format or path.")
        local_only = needing_logits() if model is not None and not getattr(model, "steers", True) else []
        self.rules = RuleSet([*self.config.rules_off, *rules_off, *local_only])
        self.machine: MachineContext = machine_context()
        retriever = None
        k = self.config.retrieval
        if retrieval and (k.tools > 0 or k.examples > 0):
            from nlsh.retrieval import Retriever

            retriever = Retriever(tools=k.tools, examples=k.examples, use_tldr=k.tldr, bundled=k.bundled)
        self.tasks: list[Task] = tasks_for(mode, self.registry, self.grammar_mode, retriever)
        self.kinds = tuple(task.kind for task in self.tasks)
        use_cache = self.config.cache if use_cache is None else use_cache
        self.cache = None
        if use_cache and model is None:
            from nlsh.cache import TranslationCache

            self.cache = TranslationCache(cache_dir() / "translations.sqlite3")
        self._model = model
        self._chat_format: ChatFormat | None = None

    # -- the pieces ---------------------------------------------------------------------------

    @property
    def model_path(self) -> Path:
        return self._resolved()[0]

    @property
    def lora_path(self) -> Optional[Path]:
        return self._resolved()[1]

    def _resolved(self) -> tuple[Path, Optional[Path]]:
        if self._paths is None:
            path = bundled.resolve_model(self._requested_model)
            lora = bundled.resolve_adapter(self._requested_lora, path, self._requested_model is not None)
            self._paths = (path, lora)
        return self._paths

    @property
    def model(self):
        if self._model is None:
            from nlsh.decoding.runner import context_for, load_model

            # What a kind puts in every prompt (a device listing) is the part that grows without bound.
            fixed = sum(task.prompt_chars() for task in self.tasks)
            n_ctx = context_for(fixed + MAX_INSTRUCTION_CHARS + 1500, self._trained_context())
            path, lora = self.model_files()
            self._model = load_model(path, lora, n_threads=self.config.threads or None, n_ctx=n_ctx)
        return self._model

    def model_files(self) -> tuple[Path, Optional[Path]]:
        """The files the runner loads: the model and adapter merged into one (built once in the
        cache, nlsh.merge) unless the config says not to."""
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
    def model_name(self) -> str:
        """Which model answers, for the proposal: a server's own name for its model and the
        server's URL, or the model as the user named it (with nlsh's adapter when it applies)."""
        if self._model is not None and hasattr(self._model, "describe"):
            return self._model.describe()
        name = str(self._requested_model) if self._requested_model else self.model_path.stem
        return f"{name} + {self.lora_path.stem}" if self.lora_path is not None else name

    @property
    def retriever(self):
        """The shell answers' hints from this machine (nlsh.retrieval.Retriever), or None."""
        shell = self._task("shell")
        return shell.retriever if shell is not None else None

    @retriever.setter
    def retriever(self, value) -> None:
        shell = self._task("shell")
        if shell is not None:
            shell.retriever = value

    def _task(self, kind: str) -> Task | None:
        return next((task for task in self.tasks if task.kind == kind), None)

    @property
    def min_confidence(self) -> float:
        return self.config.min_confidence

    @property
    def alone(self) -> bool:
        """Whether one kind of answer is allowed."""
        return len(self.tasks) == 1

    def context(self, instruction: str, previous: Example | None = None) -> PromptContext:
        ctx = PromptContext(os_family=self.machine.os_family, shell=self.machine.shell, previous=previous)
        for task in self.tasks:
            task.add_context(instruction, ctx, self.alone)
        return ctx

    def prompt(self, instruction: str, previous: Example | None = None) -> str:
        return render_prompt(instruction, self.context(instruction, previous), self.chat_format)

    def grammar(self, instruction: str = "") -> str | None:
        if self.grammar_mode == "none":
            return None
        return joint_grammar(self.tasks, [task.grammar(instruction) for task in self.tasks])

    def asked(self, request: str) -> Asked:
        """What the decoding rules read about a request (as the model reads it)."""
        retriever = self.retriever if self.alone else None  # examples go with shell-only prompts
        taught = tuple(retriever.taught(request)) if retriever is not None else ()
        return Asked(request=request, kinds=self.kinds, on=self.rules.on, registry=self.registry, taught=taught)

    def guide(self, request: str) -> Guide | None:
        """The active decoding rules' guide for a request (as the model reads it)."""
        return self.rules.guide(self.asked(request)) if self.grammar_mode != "none" else None

    def task_for(self, text: str) -> Task:
        """The kind of answer whose text this is."""
        return next(task for task in self.tasks if task.claims(text, self.alone))

    def kind_of(self, text: str) -> str:
        return self.task_for(text).kind

    def is_answer(self, text: str) -> bool:
        """Whether some kind of answer takes the text (a device answer, a line that is a command)."""
        return any(task.is_answer(text, self.alone) for task in self.tasks)

    # -- translating --------------------------------------------------------------------------

    def generate(self, instruction: str, previous: Example | None = None) -> Generation:
        """The model's answer for an instruction (from the translation cache when possible)."""
        # The rules and the grammar read the request as the model does: a closing "." is no value.
        request = as_read(clean_instruction(instruction))
        if self.cache is not None:
            # Looked up before the prompt is built: a repeat reads no index, pairs or model.
            hit = self.cache.get(self.answer_key(request, previous))
            if hit is not None:
                return hit
        prompt = self.prompt(request, previous)
        # Stamped again once the prompt is built: building it may have rebuilt the machine index.
        key = self.answer_key(request, previous) if self.cache is not None else None
        grammar = self.grammar(request)
        asked = self.asked(request)
        generation = self._decoding(prompt, grammar, asked).run()
        if self._unconstrained() and generation.finished and not self.is_answer(generation.text):
            # No grammar held a server's answer to a command: a line of prose is no translation.
            raise NoTranslation(f"The model at {self._model.url} answered with something that is not a command; "
                                "nothing was run.")
        if key is not None:
            # Unfinished answers too: greedy decoding would loop the same way again. The model's
            # own answer is stored: entries written before a rewriting rule changed stay right.
            self.cache.put(key, generation)
        return generation

    def _unconstrained(self) -> bool:
        """Whether the model's answers are not bound by the grammar sent with them (a server
        without grammar support)."""
        return self._model is not None and getattr(self._model, "constrained", True) is False

    def _decoding(self, prompt: str, grammar: str | None, asked: Asked) -> Decoding:
        return Decoding(self.model, prompt, grammar, asked, self.rules, self.kind_of, self.is_answer)

    def answer_key(self, request: str, previous: Example | None = None) -> str:
        """The translation cache's key for a request (as the model reads it): what decides the
        prompt, the grammar and the decoding, each in a form that is cheap to know (nlsh.cache), so
        a repeat is answered before any of them is built."""
        from nlsh.cache import cache_key, file_stamp

        retriever = self.retriever
        return cache_key({
            "request": request,
            "previous": [previous.instruction, previous.answer] if previous is not None else None,
            "model": [file_stamp(self.model_path), file_stamp(self.lora_path),
                      self.config.merge and self.lora_path is not None],
            "kinds": list(self.kinds),
            "rules": self.rules.key(self.kinds),
            # the format grammar is a file of nlsh's (in the source stamp); the path grammar lists $PATH
            "grammar": self.grammar(request) if self.grammar_mode == "path" else self.grammar_mode,
            # in the file's order, which the listing keeps (content_hash sorts the devices)
            "registry": self.registry.model_dump_json() if self.registry is not None else None,
            "machine": [self.machine.os_family, self.machine.shell],
            "retrieval": retriever.stamps(request) if retriever is not None else None,
        })

    def translate(self, instruction: str, previous: Example | None = None) -> Proposal:
        """One checked proposal. Raises UsageError (bad input), NoTranslation, or Refused (invalid)."""
        instruction = clean_instruction(instruction)
        return self.proposal(instruction, self.generate(instruction, previous))

    def alternatives(self, instruction: str, n: int, previous: Example | None = None) -> list[Proposal]:
        """Up to n distinct valid proposals, most probable first."""
        instruction = clean_instruction(instruction)
        if n < 1:
            raise UsageError("--alternatives needs a number of at least 1.")
        prompt = self.prompt(instruction, previous)
        read = as_read(instruction)
        grammar = self.grammar(read)
        decoding = self._decoding(prompt, grammar, self.asked(read))
        out: list[Proposal] = []
        last_error: Exception | None = None
        for gen in self.model.alternatives(prompt, grammar, n, guide=decoding.guide):
            try:
                proposal = self.proposal(instruction, gen)
            except (NoTranslation, Refused) as exc:
                last_error = exc
                continue
            if all(_what_runs(proposal) != _what_runs(q) for q in out):
                out.append(proposal)
        if not out:
            raise last_error or NoTranslation("The model produced no usable command.")
        return out

    def proposal(self, instruction: str, generation: Generation) -> Proposal:
        """Turn the model's answer into a validated proposal of its kind."""
        text = generation.text.strip()
        if not generation.finished:
            raise NoTranslation("The model did not produce a complete answer; try rephrasing the request.")
        if not text:
            raise NoTranslation("The model produced an empty answer; try rephrasing the request.")
        confidence = round(generation.confidence, 3)
        if not generation.confidence_known:
            warnings = [NO_TOKEN_PROBABILITIES]
        else:
            warnings = [LOW_CONFIDENCE] if confidence < self.min_confidence else []
        proposal = self.task_for(text).proposal(instruction, text, confidence, warnings)
        return proposal.model_copy(update={"model": self.model_name})

    def is_unsure(self, proposal: Proposal) -> bool:
        """Below min_confidence; never where the confidence is unknown (a server gave no token
        probabilities): refusing every answer of such a server would make --dry-run useless."""
        return proposal.confidence < self.min_confidence and NO_TOKEN_PROBABILITIES not in proposal.warnings

    # -- checking -----------------------------------------------------------------------------

    def check(self, command: str, kind: str | None = None) -> Verdict:
        """The validator's verdict on an answer (no model involved): of the kind named, or of the
        kind its text reads as."""
        task = self._task(kind) if kind else self.task_for(command)
        if task is None:
            raise UsageError(f"There is no {kind} answer to check here.")
        return task.check(command)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _load_registry(registry):
    if registry is None or registry == "":
        return None
    if isinstance(registry, (str, Path)):
        from nlsh.home.registry import load_registry

        return load_registry(Path(registry).expanduser())
    return registry


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


def _what_runs(proposal: Proposal) -> dict:
    """What a proposal would run, without what is said about it."""
    return proposal.model_dump(exclude={"instruction", "risk", "reasons", "confidence", "warnings", "model"})
