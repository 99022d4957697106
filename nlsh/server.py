"""A model behind an OpenAI-compatible server, for when a team runs a bigger model on a GPU machine.

Only the decoding happens there: the prompt is rendered here (nlsh.prompt), and the answer comes back
to the same parse, validator, risk levels and confirmation as a local one. What each server can take:

- llama.cpp's server (`llama-server`, or llama-cpp-python's `python -m llama_cpp.server`): the GBNF
  grammar goes with the request (`grammar`), so answers stay valid by construction, and confidence
  comes from the log-probabilities it returns. When the chat format of its model is known (its own
  /props, or the model file it names being readable here) the prompt goes as rendered, to
  /v1/completions, byte for byte what the local model reads; otherwise as chat messages.
- vLLM: the same grammar through its structured-outputs field (`structured_outputs.grammar`, or
  `guided_grammar` before 0.10.2). Its default backend, xgrammar, reads GBNF itself, rule names with
  hyphens, `{m,n}` repetitions, `\\x` escapes and negated classes included (xgrammar's EBNF
  documentation), so the grammar goes as it is, without its comments; a server that still refuses it
  is asked again without one, and the answer is checked like any unconstrained one.
- Anything else OpenAI-compatible (Ollama, LM Studio, hosted APIs): no grammar. The answer must be one
  command line (a markdown fence around one line is taken off); anything else is refused, never run.

Decoding rules that need the model's logits at every step (nlsh.model.Guide: priors, cuts, forks for
alternatives) cannot run remotely; docs/servers.md lists them. Nothing is sent
anywhere unless the user configured a server; the token comes from $NLSH_SERVER_TOKEN.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Literal

from nlsh.errors import NoTranslation, UsageError
from nlsh.decoding.guide import Guide
from nlsh.decoding.runner import MAX_TOKENS, Generation
from nlsh.prompt import CHATML, ChatFormat, chat_format_for, split_prompt

Api = Literal["llama.cpp", "vllm", "openai"]
APIS: tuple[str, ...] = ("auto", "llama.cpp", "vllm", "openai")
TOKEN_ENV = "NLSH_SERVER_TOKEN"
DEFAULT_TIMEOUT = 30.0
# The error body quoted in a message, at most.
QUOTE_CHARS = 160


def configured_server(config, url: str | None = None, model: str | None = None) -> "ServerModel | None":
    """The server `--server URL` or config `server` names, with `--model` / config `model` as the
    server's model; None when no server is configured (the model runs here)."""
    url = url or config.server
    if not url:
        return None
    return ServerModel(url, model, prefer=config.model, api=config.server_api, timeout=config.server_timeout)


class ServerError(NoTranslation):
    """The server is down, slow, refuses, or answers something nlsh cannot read (exit 4)."""


class ServerModel:
    """A model on an OpenAI-compatible server, offering what the pipeline asks of nlsh.model.Model.

    `steers` is False: generate() cannot apply a Guide (it needs the logits at each step), and
    alternatives() has only the one answer the server gives.
    """

    steers = False

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        prefer: str | None = None,
        api: str = "auto",
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
    ):
        self.url = base_url(url)
        self.timeout = float(timeout)
        if self.timeout <= 0:
            raise UsageError("The server time-out must be a positive number of seconds.")
        if api not in APIS:
            raise UsageError(f"Unknown server API `{api}`; use one of: {', '.join(APIS)}.")
        self.token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        entries = self._models()
        # An explicit model is asked for whatever the list says (the server has the last word);
        # the config's `model`, often a local file, only where the server lists it.
        entry = _pick(entries, model, prefer)
        self.name: str = model or str(entry.get("id") or "")
        if not self.name:
            raise ServerError(f"The model server at {self.url} lists no model.")
        # A model the list lacks says nothing of the server; the server's first model does.
        listed = entry if entry.get("owned_by") or not entries else entries[0]
        self.api: Api = _detect_api(listed) if api == "auto" else api  # type: ignore[assignment]
        self._vllm_field = self._grammar_field() if self.api == "vllm" else None
        # The turn markers of the server's model when known: the prompt then goes as rendered.
        self.raw_format: ChatFormat | None = self._known_format(entry) if self.api == "llama.cpp" else None
        self.last_model: str = self.name  # what the last answer said answered it
        self.grammar_refused = False  # vLLM would not take our grammar: answers are unconstrained

    # -- what the pipeline reads ------------------------------------------------------------------

    @property
    def chat_format(self) -> ChatFormat:
        """The format to render prompts in: the model's own for a raw prompt; ChatML otherwise, as
        the frame split_prompt takes apart again into chat messages."""
        return self.raw_format or CHATML

    @property
    def constrained(self) -> bool:
        """Whether answers are bound by the grammar sent along."""
        return self.api in ("llama.cpp", "vllm") and not self.grammar_refused

    def describe(self) -> str:
        return f"{self.last_model} at {self.url}"

    def check_grammar(self, grammar: str) -> None:  # noqa: ARG002 - the server parses it
        return None

    def close(self) -> None:
        return None

    # -- answering --------------------------------------------------------------------------------

    def generate(
        self,
        prompt: str,
        grammar: str | None = None,
        max_tokens: int = MAX_TOKENS,
        stop_at_newline: bool | None = None,  # noqa: ARG002 - answers are one line either way
        guide: Guide | None = None,
    ) -> Generation:
        """The server's greedy answer to a rendered prompt, reduced to one line.

        A guide's cut (where an answer gone wrong should end) needs no logits and is applied to the
        text; the rest of a guide cannot be. An answer that is not one line raises NoTranslation."""
        start = time.perf_counter()
        if self.raw_format is not None:
            path, body = "/v1/completions", {"prompt": prompt}
        else:
            parts = split_prompt(prompt, CHATML)
            if parts is None:
                raise UsageError("The prompt for the model server is not in the frame it was rendered for.")
            path = "/v1/chat/completions"
            body = {"messages": [{"role": "system", "content": parts[0]}, {"role": "user", "content": parts[1]}]}
        body.update(model=self.name, max_tokens=max_tokens, temperature=0.0, stream=False, seed=0)
        body.update(_logprob_fields(path))
        constrained = self.constrained and grammar is not None
        if constrained:
            body.update(self._grammar_fields(grammar))
        if self.api == "llama.cpp":
            # llama-cpp-python's default repeat penalty (1.1) would move greedy answers away from
            # the local model's; llama-server's default is already 1.
            body.update(repeat_penalty=1.0, cache_prompt=True)
        try:
            reply = self._post(path, body)
        except ServerError as exc:
            if not (constrained and self.api == "vllm" and _refuses_grammar(str(exc))):
                raise
            # A vLLM whose grammar backend will not take this grammar: ask once more without it;
            # the answer is then checked like an unconstrained one's.
            self.grammar_refused = True
            for key in self._grammar_fields(grammar):
                body.pop(key, None)
            reply = self._post(path, body)
        text, finished, logprobs, answered_by, usage = read_reply(reply, path, self.url)
        self.last_model = answered_by or self.name
        if not constrained:
            line = one_command_line(text)
            if line is None:
                raise NoTranslation(f"The model at {self.url} did not answer with one command line; nothing was run.")
            text = line
        if guide is not None and guide.cut is not None:
            text = cut_as_guided(text, guide)
        logprob = float(sum(logprobs))
        # The geometric mean of the answer tokens' probabilities. A local answer also counts its
        # end-of-turn token, which servers do not report (it is never part of the text). A server
        # that returns no log-probabilities (Ollama's OpenAI API, a proxy that drops the field)
        # leaves the confidence unknown, not low.
        confidence = math.exp(logprob / len(logprobs)) if logprobs else 0.0
        return Generation(
            text=text.strip(),
            confidence=max(0.0, min(1.0, confidence)),
            confidence_known=bool(logprobs),
            n_tokens=int(usage.get("completion_tokens") or len(logprobs)),
            seconds=time.perf_counter() - start,
            logprob=logprob,
            finished=finished,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
        )

    def alternatives(self, prompt: str, grammar: str | None, n: int, max_tokens: int = MAX_TOKENS,
                     guide: Guide | None = None, accept: Callable[[str], bool] | None = None,
                     max_forks: int | None = None) -> list[Generation]:  # noqa: ARG002
        """Forks of the greedy answer need the logits at each step: a server gives its one answer."""
        return [self.generate(prompt, grammar, max_tokens, guide=guide)]

    def accepts(self, grammar: str, text: str) -> bool:  # noqa: ARG002
        """Checking an answer against a grammar token by token needs the model's vocabulary; a
        server's constrained answer was bound by the grammar it was sent with."""
        return True

    # -- the wire ---------------------------------------------------------------------------------

    def _models(self) -> list[dict]:
        reply = self._get("/v1/models")
        data = reply.get("data") if isinstance(reply, dict) else None
        if not isinstance(data, list):
            raise ServerError(f"The model server at {self.url} sent a model list nlsh cannot read.")
        return [d for d in data if isinstance(d, dict)]

    def _known_format(self, entry: dict) -> ChatFormat | None:
        """The chat format of a llama.cpp server's model: from llama-server's /props template, or
        from the model file llama-cpp-python names when that file is readable here too."""
        try:
            props = self._get("/props", quiet=True)
        except ServerError:
            props = None
        template = props.get("chat_template") if isinstance(props, dict) else None
        if isinstance(template, str) and template:
            fmt = chat_format_for(None, template)
            if fmt.end_of_turn in template:
                return fmt
        model_id = str(entry.get("id") or "")
        if model_id.endswith(".gguf") or "/" in model_id:
            path = Path(model_id)
            try:
                if path.is_file():
                    from nlsh.bundled import model_metadata

                    meta = model_metadata(path)
                    arch, tmpl = meta.get("general.architecture"), meta.get("tokenizer.chat_template")
                    return chat_format_for(arch if isinstance(arch, str) else None,
                                           tmpl if isinstance(tmpl, str) else None)
            except (OSError, ValueError):
                return None
        return None

    def _grammar_field(self) -> str:
        """vLLM took `guided_grammar` until `structured_outputs` replaced it (0.10.2; the old field
        was removed in 0.12, and an unknown field is ignored, not refused)."""
        try:
            reply = self._get("/version", quiet=True)
        except ServerError:
            return "structured_outputs"
        version = reply.get("version") if isinstance(reply, dict) else None
        numbers = [int(n) for n in re.findall(r"\d+", str(version or ""))[:3]]
        return "guided_grammar" if numbers and tuple(numbers) < (0, 10, 2) else "structured_outputs"

    def _grammar_fields(self, grammar: str) -> dict:
        if self.api == "llama.cpp":
            return {"grammar": grammar}
        text = vllm_grammar(grammar)
        if self._vllm_field == "guided_grammar":
            return {"guided_grammar": text}
        return {"structured_outputs": {"grammar": text}}

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _get(self, path: str, quiet: bool = False):
        return self._send(urllib.request.Request(self.url + path, headers=self._headers(), method="GET"), quiet)

    def _post(self, path: str, body: dict):
        data = json.dumps(body).encode("utf-8")
        return self._send(urllib.request.Request(self.url + path, data=data, headers=self._headers(), method="POST"))

    def _send(self, request: urllib.request.Request, quiet: bool = False):
        """One request's JSON reply; every way it can fail is one ServerError sentence."""
        where = f"The model server at {self.url}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if quiet:
                raise ServerError(f"{where} has no {request.selector}.") from None
            detail = _error_detail(exc)
            if exc.code in (401, 403):
                hint = f"; set ${TOKEN_ENV} to its API key" if not self.token else "; check ${TOKEN_ENV}"
                raise ServerError(f"{where} refused the request (HTTP {exc.code}){hint}.") from None
            raise ServerError(f"{where} answered HTTP {exc.code}{': ' + detail if detail else ''}.") from None
        except (TimeoutError, socket.timeout):
            raise ServerError(f"{where} did not answer within {self.timeout:g} seconds.") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise ServerError(f"{where} did not answer within {self.timeout:g} seconds.") from None
            if isinstance(reason, ConnectionRefusedError):
                raise ServerError(f"{where} refused the connection; is it running?") from None
            if isinstance(reason, socket.gaierror):
                raise ServerError(f"{where} cannot be reached: its host name is not known.") from None
            raise ServerError(f"{where} cannot be reached ({_reason_text(reason)}).") from None
        except (ConnectionError, OSError) as exc:
            raise ServerError(f"{where} closed the connection ({_reason_text(exc)}).") from None
        except ValueError as exc:  # http.client's bad status lines and the like
            raise ServerError(f"{where} sent something that is not HTTP ({_reason_text(exc)}).") from None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if quiet:
                raise ServerError(f"{where} has no {request.selector}.") from None
            raise ServerError(f"{where} sent an answer that is not JSON.") from None


def base_url(url: str) -> str:
    """The server's root URL: http(s) only, without a trailing / or /v1."""
    text = (url or "").strip()
    parsed = urllib.parse.urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"The server `{url}` is not an http:// or https:// URL.")
    text = text.rstrip("/")
    return text[: -len("/v1")] if text.endswith("/v1") else text


def _pick(entries: list[dict], model: str | None, prefer: str | None = None) -> dict:
    for wanted in (model, prefer):
        for entry in entries:
            if wanted is not None and entry.get("id") == wanted:
                return entry
    if model is not None:
        return {"id": model}
    return entries[0] if entries else {}


def _detect_api(entry: dict) -> Api:
    """Which server it is, from its model list: vLLM says `vllm`, llama-server `llamacpp` (with a
    `meta` block), llama-cpp-python `me`; Ollama, LM Studio and hosted APIs say something else."""
    owner = str(entry.get("owned_by") or "").lower()
    if owner == "vllm":
        return "vllm"
    if owner in ("llamacpp", "me") or isinstance(entry.get("meta"), dict):
        return "llama.cpp"
    return "openai"


def _logprob_fields(path: str) -> dict:
    # /v1/completions takes the number of alternatives per token; chat a flag (and a count).
    return {"logprobs": 1} if path == "/v1/completions" else {"logprobs": True, "top_logprobs": 1}


def read_reply(reply, path: str, url: str) -> tuple[str, bool, list[float], str | None, dict]:
    """(text, finished, token log-probabilities, the model that answered, usage) of a completion."""
    where = f"The model server at {url}"
    try:
        choice = reply["choices"][0]
        text = choice["text"] if path == "/v1/completions" else choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ServerError(f"{where} sent a reply without an answer in it.") from None
    if not isinstance(text, str):
        raise ServerError(f"{where} sent a reply without an answer in it.")
    finished = choice.get("finish_reason") in ("stop", "eos", None)
    logprobs: list[float] = []
    found = choice.get("logprobs")
    if isinstance(found, dict):
        if isinstance(found.get("token_logprobs"), list):  # completions (OpenAI, vLLM, llama-cpp-python)
            logprobs = [float(v) for v in found["token_logprobs"] if isinstance(v, (int, float))]
        elif isinstance(found.get("content"), list):  # chat, and llama-server's completions
            logprobs = [float(c["logprob"]) for c in found["content"]
                        if isinstance(c, dict) and isinstance(c.get("logprob"), (int, float))]
    answered_by = reply.get("model") if isinstance(reply.get("model"), str) else None
    usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
    return text, finished, [v for v in logprobs if math.isfinite(v)], answered_by, usage


# A fence around the answer: ```bash\nls -la\n``` or `ls -la`.
_FENCE = re.compile(r"^```[\w+-]*[ \t]*\n(.*?)\n?```$", re.S)


def one_command_line(text: str) -> str | None:
    """The one line an unconstrained answer holds, or None when it holds more (or nothing).

    Chat models wrap a command in a markdown fence or backticks out of habit; that wrapping goes.
    Anything around it (an explanation, a second command) makes it no answer at all: the line to
    run would be a guess."""
    answer = text.strip()
    fenced = _FENCE.match(answer)
    if fenced:
        answer = fenced.group(1).strip()
    elif len(answer) > 2 and answer.startswith("`") and answer.endswith("`") and answer.count("`") == 2:
        answer = answer[1:-1].strip()
    if not answer or "\n" in answer or "\r" in answer:
        return None
    return answer


def cut_as_guided(text: str, guide: Guide) -> str:
    """Where the guide says an answer gone wrong should end, applied to a finished answer."""
    marker = guide.cut_on.decode("utf-8", "ignore")
    if marker:
        at = text.find(marker)
        while at >= 0:
            cut = guide.cut(text[: at + len(marker)], False)
            if cut is not None:
                return text[:cut]
            at = text.find(marker, at + len(marker))
    cut = guide.cut(text, True)
    return text if cut is None else text[:cut]


_COMMENT = re.compile(r"^\s*#.*$", re.M)


def vllm_grammar(grammar: str) -> str:
    """Our GBNF as vLLM's grammar backends take it: whole-line comments dropped (the rest is GBNF
    that xgrammar and llguidance read as it is)."""
    return "\n".join(line for line in _COMMENT.sub("", grammar).splitlines() if line.strip()) + "\n"


def _refuses_grammar(message: str) -> bool:
    return "HTTP 400" in message and re.search(r"grammar|ebnf|structured", message, re.I) is not None


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The server's own words about an error, from its JSON body when it has one, kept short."""
    try:
        body = exc.read().decode("utf-8", "replace")
    except OSError:
        return ""
    try:
        data = json.loads(body)
        error = data.get("error", data) if isinstance(data, dict) else data
        message = error.get("message") if isinstance(error, dict) else error
        body = message if isinstance(message, str) else body
    except ValueError:
        pass
    text = " ".join(body.split())
    if "<html" in text.lower():
        return ""
    return text[:QUOTE_CHARS].rstrip(".") + ("..." if len(text) > QUOTE_CHARS else "")


def _reason_text(reason) -> str:
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return " ".join(str(text).split()).rstrip(".").lower()
