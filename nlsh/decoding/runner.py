"""The model runner: one GGUF model (plus optional LoRA adapter) in llama.cpp, greedy and grammar-bound.

The decoding loop is our own rather than Llama.generate(), for three reasons:
- confidence: each chosen token's softmax probability is read from the last position's logits,
  without `logits_all` (which would copy a vocabulary-sized row for every prompt token);
- speed: the grammar is only applied to the whole vocabulary when the model's favourite token breaks
  it (llama.cpp's own trick); usually one candidate is checked per step;
- the KV cache is kept across calls and only the part of the prompt after the longest shared prefix
  is evaluated, so a batch of instructions pays for the common system prompt once.
"""

from __future__ import annotations

import atexit
import ctypes
import math
import os
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from pydantic import BaseModel

from nlsh.decoding.guide import Guide
from nlsh.errors import UsageError
from nlsh.prompt import ChatFormat, chat_format_for

N_CTX = 2048
MAX_TOKENS = 160
GRAMMAR_CACHE = 16  # parsed grammars kept per model

# llama.cpp's log lines, kept instead of printed: they are shown with --debug and quoted in errors.
LOG_TAIL: deque[str] = deque(maxlen=50)
_log_callback = None


def _silence_llama_logs() -> None:
    """Route llama.cpp's logging (model load chatter, grammar parse errors) into LOG_TAIL."""
    global _log_callback
    if _log_callback is not None:
        return
    import llama_cpp

    @llama_cpp.llama_log_callback
    def callback(level, text, user_data):  # noqa: ARG001 - C signature
        try:
            LOG_TAIL.append(text.decode("utf-8", errors="replace"))
        except Exception:  # a logging callback must never raise into C
            pass

    _log_callback = callback  # keep a reference: llama.cpp holds only the C pointer
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


def cpu_has_amx() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return "amx_int8" in line.split()
    except OSError:
        pass
    return False


_LOAD_LOCK = threading.Lock()


def load_llama(path: str | os.PathLike, **kwargs):
    """llama_cpp.Llama(path, **kwargs), without llama.cpp's AMX weight repacking on a CPU that has AMX.

    Its matrix multiply crashes the process on any batch of more than one token (llama.cpp issue
    20824, seen here on a Xeon with llama-cpp-python 0.3.36), so every prompt would. Llama() offers
    no switch for it, so its default model parameters are swapped for the length of the load."""
    import llama_cpp.llama_cpp as lc
    from llama_cpp import Llama

    if not cpu_has_amx():
        return Llama(model_path=str(path), **kwargs)
    defaults = lc.llama_model_default_params

    def without_repacking():
        params = defaults()
        params.use_extra_bufts = False
        return params

    with _LOAD_LOCK:
        lc.llama_model_default_params = without_repacking
        try:
            return Llama(model_path=str(path), **kwargs)
        finally:
            lc.llama_model_default_params = defaults


class Generation(BaseModel):
    text: str
    # Geometric mean of the chosen tokens' probabilities (end-of-turn token included), in [0, 1].
    confidence: float
    # False when the model gave no token probabilities (a server that returns no logprobs): the
    # confidence of 0 then says nothing about the answer.
    confidence_known: bool = True
    n_tokens: int
    seconds: float
    # Sum of the chosen tokens' log-probabilities: ranks alternatives by sequence probability.
    logprob: float = 0.0
    # False when the answer hit the token limit or a loop instead of ending on its own.
    finished: bool = True
    # Prompt length, and how much of it the KV cache already held from an earlier call.
    prompt_tokens: int = 0
    reused_tokens: int = 0


@dataclass
class _Step:
    token: int
    logprob: float
    # Other grammar-allowed tokens at this step (token, logprob), best first; only when branching.
    others: list[tuple[int, float]] = field(default_factory=list)


PRIOR_CANDIDATES = 16


class Model:
    """A loaded GGUF model. Load once per process; generate() and alternatives() may be called often."""

    def __init__(
        self,
        path: str | os.PathLike,
        lora: str | os.PathLike | None = None,
        n_ctx: int = N_CTX,
        n_threads: int | None = None,
    ):
        _silence_llama_logs()
        import llama_cpp

        self.path = Path(path)
        self.lora = Path(lora) if lora else None
        threads = max(1, n_threads or auto_threads())
        try:
            self.llm = load_llama(
                self.path,
                n_ctx=n_ctx,
                n_batch=512,
                n_threads=threads,
                n_threads_batch=threads,
                use_mmap=True,
                logits_all=False,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise UsageError(f"The model {self.path} could not be loaded ({_last_log_error() or exc}).") from exc
        self._llama_cpp = llama_cpp
        self._ctx = self.llm._ctx.ctx
        self._vocab = llama_cpp.llama_model_get_vocab(self.llm._model.model)
        self.n_vocab = self.llm.n_vocab()
        if self.lora is not None:
            self._apply_adapter(self.lora)
        meta = self.llm.metadata
        self.architecture = meta.get("general.architecture")
        self.chat_format: ChatFormat = chat_format_for(self.architecture, meta.get("tokenizer.chat_template"))
        self._eog = self._end_of_turn_tokens()
        self._grammars: dict[str, object] = {}
        self._openings: dict[str, tuple[int, ...]] = {}  # text -> the tokens that begin it
        self._lock = threading.Lock()
        # The candidate array handed to llama.cpp's grammar sampler, allocated once.
        self._cand = (llama_cpp.llama_token_data * self.n_vocab)()
        import numpy as np

        self._np = np
        self._cand_view = np.ctypeslib.as_array(self._cand)
        self._cand_view["id"] = np.arange(self.n_vocab, dtype=np.int32)
        self._one = (llama_cpp.llama_token_data * 1)()
        self.n_threads = threads
        self.last_reused = 0
        _LIVE.add(self)

    # -- loading ------------------------------------------------------------------------------

    def _apply_adapter(self, path: Path) -> None:
        # Applied here rather than through Llama(lora_path=...), which turns mmap off for the base
        # model (a leftover from adapters that were merged into the weights in place).
        lc = self._llama_cpp
        adapter = lc.llama_adapter_lora_init(self.llm._model.model, str(path).encode())
        if not adapter:
            raise UsageError(
                f"The adapter {path} does not fit the model {self.path.name} ({_last_log_error() or 'load failed'})."
            )
        self._adapter = adapter
        adapters = (lc.llama_adapter_lora_p_ctypes * 1)(adapter)
        scales = (ctypes.c_float * 1)(1.0)
        if lc.llama_set_adapters_lora(self._ctx, adapters, 1, scales):
            raise UsageError(f"The adapter {path} could not be applied to {self.path.name}.")

    def _end_of_turn_tokens(self) -> set[int]:
        lc = self._llama_cpp
        eog = {t for t in (lc.llama_vocab_eos(self._vocab), lc.llama_vocab_eot(self._vocab)) if t >= 0}
        # The chat format's end-of-turn marker (<|im_end|>, <end_of_turn>) as one special token.
        ids = self.llm.tokenize(self.chat_format.end_of_turn.encode(), add_bos=False, special=True)
        if len(ids) == 1:
            eog.add(ids[0])
        return eog

    def _is_end(self, token: int) -> bool:
        return token in self._eog or bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def close(self) -> None:
        for sampler in self._grammars.values():
            self._llama_cpp.llama_sampler_free(sampler)
        self._grammars.clear()
        self.llm.close()
        _LIVE.discard(self)

    # -- grammar ------------------------------------------------------------------------------

    def _grammar_sampler(self, grammar: str):
        """llama.cpp's grammar sampler for a GBNF text, parsed once and reset for each use."""
        sampler = self._grammars.pop(grammar, None)
        if sampler is None:
            LOG_TAIL.clear()
            sampler = self._llama_cpp.llama_sampler_init_grammar(self._vocab, grammar.encode(), b"root")
            if not sampler:
                raise UsageError(f"The grammar could not be parsed ({_last_log_error() or 'syntax error'}).")
            # --grammar path gives each request a grammar of its own (its named words), so a long
            # --batch would otherwise keep one parsed grammar per line; parsing one again is ~1 ms.
            while len(self._grammars) >= GRAMMAR_CACHE:
                self._llama_cpp.llama_sampler_free(self._grammars.pop(next(iter(self._grammars))))
        else:
            self._llama_cpp.llama_sampler_reset(sampler)
        self._grammars[grammar] = sampler  # re-inserted: most recently used last
        return sampler

    def check_grammar(self, grammar: str) -> None:
        """Raise UsageError when llama.cpp cannot parse a grammar."""
        self._grammar_sampler(grammar)

    def accepts(self, grammar: str, text: str) -> bool:
        """Whether the grammar allows `text` as a complete answer, token by token as the model
        would write it (this model's own tokenization)."""
        with self._lock:
            sampler = self._grammar_sampler(grammar)
            lc = self._llama_cpp
            for token in self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False):
                if not self._allowed(sampler, token, 0.0):
                    return False
                lc.llama_sampler_accept(sampler, token)
            eos = lc.llama_vocab_eos(self._vocab)
            return self._allowed(sampler, eos, 0.0)

    def _allowed(self, sampler, token: int, logit: float) -> bool:
        lc = self._llama_cpp
        self._one[0].id = token
        self._one[0].logit = logit
        self._one[0].p = 0.0
        arr = lc.llama_token_data_array(self._one, 1, -1, False)
        lc.llama_sampler_apply(sampler, ctypes.byref(arr))
        return self._one[0].logit != -math.inf

    def _mask(self, sampler, logits):
        """Logits with every grammar-forbidden token set to -inf."""
        lc = self._llama_cpp
        view = self._cand_view
        view["logit"] = logits
        view["p"] = 0.0
        arr = lc.llama_token_data_array(self._cand, self.n_vocab, -1, False)
        lc.llama_sampler_apply(sampler, ctypes.byref(arr))
        return view["logit"].copy()

    # -- evaluation ---------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def _feed(self, tokens: list[int]):
        """Make the context hold exactly `tokens`, evaluating only what the cache lacks; return the
        logits for the position after the last token."""
        llm = self.llm
        if len(tokens) + 8 >= llm.n_ctx():
            raise UsageError(
                f"The request is too long for the model ({len(tokens)} prompt tokens; its context holds {llm.n_ctx()})."
            )
        cached = llm.n_tokens
        prefix = 0
        ids = llm.input_ids
        limit = min(cached, len(tokens) - 1)  # the last token is always re-evaluated for fresh logits
        while prefix < limit and ids[prefix] == tokens[prefix]:
            prefix += 1
        llm.n_tokens = prefix
        self.last_reused = prefix
        llm.eval(tokens[prefix:])
        ptr = self._llama_cpp.llama_get_logits_ith(self._ctx, -1)
        return self._np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy()

    def _step(self, token: int):
        self.llm.eval([token])
        ptr = self._llama_cpp.llama_get_logits_ith(self._ctx, -1)
        return self._np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy()

    def _log_softmax_at(self, logits, token: int) -> float:
        np = self._np
        m = float(logits.max())
        lse = m + math.log(float(np.exp(logits - m).sum()))
        return float(logits[token]) - lse

    # -- decoding -----------------------------------------------------------------------------

    def generate(
        self,
        prompt: str,
        grammar: str | None = None,
        max_tokens: int = MAX_TOKENS,
        stop_at_newline: bool | None = None,
        guide: Guide | None = None,
    ) -> Generation:
        """Greedy answer to a rendered prompt, constrained by `grammar` (GBNF text) when given.

        Without a grammar the answer may span lines unless stop_at_newline is set; with one, the
        grammar decides the shape and generation ends at the end-of-turn token.
        """
        with self._lock:
            start = time.perf_counter()
            prompt_ids = self.tokenize(prompt)
            steps, finished = self._decode(
                prompt_ids, [], grammar, max_tokens, bool(stop_at_newline), branch=0, guide=guide
            )
            gen = self._result(steps, finished, time.perf_counter() - start, first_line=bool(stop_at_newline))
            return gen.model_copy(update={"prompt_tokens": len(prompt_ids), "reused_tokens": self.last_reused})

    def alternatives(
        self, prompt: str, grammar: str | None, n: int, max_tokens: int = MAX_TOKENS, guide: Guide | None = None,
        accept: Callable[[str], bool] | None = None, max_forks: int | None = None,
    ) -> list[Generation]:
        """Up to n distinct answers: the greedy one first, then the others by sequence probability.

        The greedy answer is decoded while recording the runner-up tokens at each step; the most
        probable divergences (prefix probability times runner-up probability) are then each
        completed greedily, up to max_forks of them (3n by default). Answers that hit the token
        limit or a loop are dropped. With `accept`, the search ends once n finished answers pass it,
        and every answer found is returned, those that do not pass included.
        """
        with self._lock:
            start = time.perf_counter()
            prompt_ids = self.tokenize(prompt)
            greedy, finished = self._decode(prompt_ids, [], grammar, max_tokens, False, branch=3, guide=guide)
            results = [self._result(greedy, finished, 0.0)]
            forks: list[tuple[float, int, int, float]] = []
            prefix_lp = 0.0
            for i, step in enumerate(greedy):
                for tok, lp in step.others:
                    forks.append((prefix_lp + lp, i, tok, lp))
                prefix_lp += step.logprob
            forks.sort(key=lambda f: -f[0])
            seen = {results[0].text}
            passes = accept or (lambda text: True)
            found = int(results[0].finished and passes(results[0].text))
            # Answers that run into the token limit or a loop are no answers; try a few more forks.
            for _, i, tok, lp in forks[: 3 * n if max_forks is None else max_forks]:
                if found >= n:
                    break
                forced = [_Step(s.token, s.logprob) for s in greedy[:i]] + [_Step(tok, lp)]
                steps, fin = self._decode(prompt_ids, forced, grammar, max_tokens, False, branch=0, guide=guide)
                gen = self._result(steps, fin, 0.0)
                if fin and gen.text and gen.text not in seen:
                    seen.add(gen.text)
                    results.append(gen)
                    found += passes(gen.text)
            # The greedy answer (what a plain call returns) stays first when it finished, so
            # `--alternatives 1` agrees with `--dry-run`; the others follow by sequence probability.
            head, rest = results[:1], sorted(results[1:], key=lambda g: -g.logprob)
            if not head[0].finished and rest:
                head, rest = [], sorted(results[1:], key=lambda g: -g.logprob)
            results = head + rest
            elapsed = time.perf_counter() - start
            kept = results[:n] if accept is None else results
            return [g.model_copy(update={"seconds": elapsed}) for g in kept]

    def _decode(
        self,
        prompt_ids: list[int],
        forced: list[_Step],
        grammar: str | None,
        max_tokens: int,
        stop_at_newline: bool,
        branch: int,
        guide: Guide | None = None,
    ) -> tuple[list[_Step], bool]:
        sampler = self._grammar_sampler(grammar) if grammar is not None else None
        lc = self._llama_cpp
        steps: list[_Step] = []
        # Replay a forced prefix (alternatives): its tokens go through the grammar and the context.
        logits = self._feed(prompt_ids + [s.token for s in forced])
        for s in forced:
            if sampler is not None:
                lc.llama_sampler_accept(sampler, s.token)
            steps.append(s)
        if forced and self._is_end(forced[-1].token):
            return steps, True
        text_so_far = self.llm.detokenize([s.token for s in forced]) if forced else b""
        n_ctx = self.llm.n_ctx()
        while len(steps) < max_tokens:
            if self.llm.n_tokens + 1 >= n_ctx:
                return steps, False  # the context is full
            best = int(logits.argmax())
            others: list[tuple[int, float]] = []
            ranked = None
            if guide and guide.prior:
                # Decoded only for a prior: a guide with just a cut decodes for itself, at its separator.
                answer_so_far = text_so_far.decode("utf-8", "ignore")
                offset = guide.prior(answer_so_far)
                if offset is not None:
                    wanted = guide.wanted(answer_so_far) if guide.wanted else []
                    ranked = self._prior_ranking(sampler, logits, offset, wanted)
            if ranked is None and (branch or (sampler is not None and not self._allowed(sampler, best, float(logits[best])))):
                ranked = self._best_allowed(sampler, logits, branch + 1)
            if (guide and guide.go_on and self._is_end(ranked[0] if ranked else best)
                    and guide.go_on(text_so_far.decode("utf-8", "ignore"))):
                # A model may have more than one end-of-turn token; the shortlist has room past them.
                shortlist = ranked if ranked is not None else self._best_allowed(sampler, logits, branch + 3)
                ranked = [t for t in shortlist if not self._is_end(t)]
            if ranked is not None:
                if not ranked:
                    return steps, False  # the grammar allows nothing more: a dead end
                best = ranked[0]
                others = [(t, self._log_softmax_at(logits, t)) for t in ranked[1 : branch + 1]]
            lp = self._log_softmax_at(logits, best)
            steps.append(_Step(best, lp, others))
            if self._is_end(best):
                return self._guide_cut(guide, steps, text_so_far, True) or (steps, True)
            if sampler is not None:
                lc.llama_sampler_accept(sampler, best)
            piece = self.llm.detokenize([best])
            text_so_far += piece
            if guide and guide.cut and guide.cut_on in piece:
                cut = self._guide_cut(guide, steps, text_so_far, False)
                if cut:
                    return cut
            if stop_at_newline and b"\n" in text_so_far.lstrip(b"\n"):
                return steps, True
            if _looping(text_so_far[-300:]):
                return steps, False  # greedy decoding stuck in a loop never recovers
            logits = self._step(best)
        return steps, False

    def _prior_ranking(self, sampler, logits, offset: Callable[[str], float], wanted: Sequence[str] = ()) -> list[int]:
        """The top grammar-allowed tokens and those that begin a wanted text, best first, once the
        guide's prior has shifted their logits."""
        top = self._best_allowed(sampler, logits, PRIOR_CANDIDATES)
        for token in (t for text in wanted for t in self._opening_tokens(text)):
            if token not in top and (sampler is None or self._allowed(sampler, token, float(logits[token]))):
                top.append(token)
        score = {t: float(logits[t]) + offset(self.llm.detokenize([t]).decode("utf-8", "ignore")) for t in top}
        return sorted(top, key=lambda t: -score[t])

    def _opening_tokens(self, text: str) -> tuple[int, ...]:
        """The single tokens that spell a beginning of `text` exactly (for "ide": "i", "id", "ide")."""
        if text in self._openings:
            return self._openings[text]
        found = []
        for end in range(1, min(len(text), 16) + 1):
            piece = text[:end].encode("utf-8")
            ids = self.llm.tokenize(piece, add_bos=False, special=False)
            if len(ids) == 1 and self.llm.detokenize(ids) == piece:
                found.append(ids[0])
        if len(self._openings) >= 4096:
            self._openings.clear()
        self._openings[text] = tuple(found)
        return self._openings[text]

    def _best_allowed(self, sampler, logits, k: int) -> list[int]:
        """The k highest-logit tokens the grammar allows (with no grammar: any), best first.
        Checking the best 4k one by one finds the same k without masking the whole vocabulary
        whenever k of them are allowed: every allowed token outside them scores lower."""
        np = self._np
        k = min(k, self.n_vocab - 1)
        if sampler is not None:
            n = min(4 * k, self.n_vocab - 1)
            shortlist = sorted((int(t) for t in np.argpartition(-logits, n)[:n]), key=lambda t: -float(logits[t]))
            allowed = [t for t in shortlist if self._allowed(sampler, t, float(logits[t]))]
            if len(allowed) >= k:
                return allowed[:k]
            logits = self._mask(sampler, logits)
        top = [int(t) for t in np.argpartition(-logits, k)[:k] if logits[t] != -math.inf]
        return sorted(top, key=lambda t: -float(logits[t]))

    def _guide_cut(self, guide: Guide | None, steps: list[_Step], text: bytes, done: bool):
        """(steps, True) ending where the guide says the answer should end, or None to go on."""
        if guide is None or guide.cut is None:
            return None
        decoded = text.decode("utf-8", "ignore")
        at = guide.cut(decoded, done)
        if at is None:
            return None
        # Keep the whole tokens that fit before the cut.
        limit = len(decoded[:at].encode("utf-8"))
        keep = end = 0
        for s in steps:
            end += len(self.llm.detokenize([s.token]))
            if end > limit:
                break
            keep += 1
        return steps[:keep], True

    def _result(self, steps: list[_Step], finished: bool, seconds: float, first_line: bool = False) -> Generation:
        tokens = [s.token for s in steps if not self._is_end(s.token)]
        text = self.llm.detokenize(tokens).decode("utf-8", errors="replace").strip()
        if first_line:
            text = text.split("\n")[0].strip()
        logprob = sum(s.logprob for s in steps)
        confidence = math.exp(logprob / len(steps)) if steps else 0.0
        return Generation(
            text=text,
            confidence=max(0.0, min(1.0, confidence)),
            n_tokens=len(steps),
            seconds=seconds,
            logprob=logprob,
            finished=finished,
        )


def _looping(text: bytes) -> bool:
    """True when the answer's tail is one block repeated over and over ("| xargs | xargs | ...").

    Checked on text rather than tokens because a loop need not tokenize the same way each time.
    """
    n = len(text)
    for period in range(1, 81):
        repeats = 8 if period == 1 else 4 if period < 6 else 3
        span = period * repeats
        if span > n:
            break
        block = text[n - period :]
        if text[n - span :] == block * repeats:
            return True
    return False


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def auto_threads() -> int:
    """Threads for llama.cpp: the cores not already busy ($NLSH_THREADS overrides).

    llama.cpp's threads meet at a spinning barrier after every operation; when another process
    holds one of the cores, a second thread waits for a whole scheduler slice at each barrier and a
    token that takes 15 ms on one thread takes a second on two (measured on a 2-core machine next
    to a training run). So threads are only added for cores that are actually idle; a core counts
    as busy only at a full unit of load, since the one-minute average still holds nlsh's own
    previous runs.
    """
    env = os.environ.get("NLSH_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = _cpu_count()
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(cores, cores - int(busy)))


def _last_log_error() -> str:
    lines = [ln.strip() for ln in LOG_TAIL if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower() or "failed" in ln.lower()]
    return (errors or lines or [""])[-1][:200]


# Every model not yet freed. Left to the interpreter's teardown, llama.cpp's functions can be gone
# before a model is freed ("Exception ignored in Llama.__del__ ... 'NoneType' object is not callable").
_LIVE: "weakref.WeakSet[Model]" = weakref.WeakSet()


@atexit.register
def _close_live_models() -> None:
    for model in list(_LIVE):
        model.close()


# One model per process and per (path, adapter): loading costs most of a cold start.
_LOADED: dict[tuple[str, str | None], Model] = {}


def load_model(
    path: str | os.PathLike,
    lora: str | os.PathLike | None = None,
    n_threads: int | None = None,
    n_ctx: int = N_CTX,
) -> Model:
    """The process-wide model for (path, adapter), loaded on first use; reloaded only when a
    longer context is needed than the loaded one has."""
    key = (str(Path(path).resolve()), str(Path(lora).resolve()) if lora else None)
    model = _LOADED.get(key)
    if model is not None and model.llm.n_ctx() < n_ctx:
        # Not closed here: whoever holds the shorter one may still use it (closing it under them
        # crashed llama.cpp); it is freed when they let go of it.
        model = None
    if model is None:
        model = Model(path, lora, n_ctx=n_ctx, n_threads=n_threads)
        _LOADED[key] = model
    return model


def context_for(prompt_chars: int, limit: int | None = None) -> int:
    """A context size (multiple of 1024, at least N_CTX) for prompts of about this many characters
    plus an answer. Device listings of large homes need more than the default."""
    # Device listings run at about 2 characters a token (ids split into many pieces); the answer
    # gets MAX_TOKENS more.
    needed = prompt_chars // 2 + MAX_TOKENS + 64
    size = max(N_CTX, -(-needed // 1024) * 1024)
    return min(size, limit) if limit else size
