"""A model behind a server: llama-cpp-python's own OpenAI-compatible server, started here on loopback
with the model nlsh runs locally, and small HTTP servers that fail in the ways servers fail."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nlsh.config import Config
from nlsh.errors import EXIT_NO_TRANSLATION, NoTranslation, UsageError
from nlsh.server import ServerError, ServerModel, base_url, one_command_line, vllm_grammar

# Everyday requests, no answers assumed: the server must give what the local model gives.
REQUESTS = [
    "list files", "show disk space", "find all python files", "count lines in notes.txt", "what is my ip address",
    "kill process 1234", "compress the logs folder", "show the last 20 lines of app.log", "who is logged in",
    "delete all .tmp files here", "create a folder named build", "search for TODO in main.py",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_model(model_paths, cache_seed, tmp_path_factory):
    """llama-cpp-python's server on loopback with the same GGUF the local `model` fixture runs
    (the default model merged with the shipped adapter), started once for this module."""
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's server extra is not installed")
    from nlsh.merge import model_files

    path, _ = model_files(*model_paths, cache_seed)
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", "4096", "--n_threads", "1", "--n_threads_batch", "1"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the llama-cpp-python server ended: {log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(url + "/v1/models", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the llama-cpp-python server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield url, path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def local_pipeline(model, model_paths, isolated_home):
    """Prompts and grammars as the pipeline builds them (retrieved examples included)."""
    from nlsh.api import Translator

    path, adapter = model_paths
    return Translator(Config(min_confidence=0.0), model_path=path, lora=str(adapter) if adapter else "none", use_cache=False)


def test_a_llama_cpp_server_gives_the_local_models_answers_under_the_same_grammar(served_model, model, local_pipeline):
    url, path = served_model
    server = ServerModel(url)
    # llama-cpp-python names its model by its path, readable here: the prompt goes as rendered.
    assert server.api == "llama.cpp" and server.raw_format is not None
    assert server.chat_format.name == model.chat_format.name
    for request in REQUESTS:
        prompt, grammar = local_pipeline.prompt(request), local_pipeline.grammar(request)
        local, remote = model.generate(prompt, grammar), server.generate(prompt, grammar)
        assert remote.text == local.text, request
        assert remote.finished and 0.0 < remote.confidence <= 1.0
        # The same tokens with the same log-probabilities, but for the end-of-turn token, whose
        # probability the server does not report and the local confidence also counts.
        assert remote.n_tokens == local.n_tokens - 1, request
        assert local.logprob - 1e-3 <= remote.logprob <= 0.0, request
    assert server.last_model == str(path)


def test_the_grammar_goes_with_the_request(served_model, model, local_pipeline):
    url, _ = served_model
    server = ServerModel(url)
    prompt = local_pipeline.prompt("list files")
    # A grammar no free answer would meet: only the server's grammar sampler can produce this.
    forced = server.generate(prompt, 'root ::= "echo nlsh-" [0-9] [0-9]')
    assert forced.text.startswith("echo nlsh-") and len(forced.text) == len("echo nlsh-00")
    assert forced.text == model.generate(prompt, 'root ::= "echo nlsh-" [0-9] [0-9]').text


def test_a_home_request_keeps_its_per_home_grammar(served_model, model, model_paths, isolated_home):
    from nlsh.home.answer import is_home_answer, parse_answer
    from nlsh.api import Translator
    from test_home_grammar import HOME

    url, _ = served_model
    path, adapter = model_paths
    pipeline = Translator(Config(min_confidence=0.0), model_path=path, lora=str(adapter) if adapter else "none",
                          registry=HOME, mode="home", use_cache=False)
    server = ServerModel(url)
    for request in ("turn off the kitchen light", "set the thermostat to 21", "lock the front door"):
        prompt, grammar = pipeline.prompt(request), pipeline.grammar(request)
        assert "home-action" in grammar  # the per-home grammar, built from the registry
        remote = server.generate(prompt, grammar)
        assert remote.text == model.generate(prompt, grammar).text, request
        assert is_home_answer(remote.text) and parse_answer(remote.text, HOME), request


# -- servers that fail -------------------------------------------------------------------------


class _Stub(BaseHTTPRequestHandler):
    """A server that lists a model and then answers completions the way `behaviour` says."""

    behaviour = "ok"
    release: threading.Event

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, code: int, body: bytes, kind: str = "application/json"):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refused(self) -> bool:
        if self.behaviour == "401" or (self.behaviour == "auth" and self.headers.get("Authorization") != "Bearer s3cret"):
            self._send(401, b'{"error": {"message": "invalid api key"}}')
            return True
        return False

    def do_GET(self):
        if self.path == "/v1/models":
            if self._refused():
                return
            self._send(200, json.dumps({"data": [{"id": "stub-7b", "owned_by": "library"}]}).encode())
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self._refused():
            return
        if self.behaviour == "500":
            self._send(500, b'{"error": {"message": "CUDA error: out of memory"}}')
        elif self.behaviour == "hang":
            self.release.wait(30)
        elif self.behaviour == "garbage":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        else:
            content = {
                "prose": "To list the files, run the ls command:\n\n```bash\nls -la\n```\n\nIt shows hidden files too.",
                "one-line-prose": "Sure, I can help you with listing your files!",
                "fenced": "```bash\nls -la\n```",
                "auth": "ls -la",
            }[self.behaviour]
            reply = {"model": "stub-7b", "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant", "content": content}}]}
            self._send(200, json.dumps(reply).encode())


@pytest.fixture
def stub_server():
    servers = []

    def start(behaviour: str) -> str:
        release = threading.Event()
        handler = type("Handler", (_Stub,), {"behaviour": behaviour, "release": release})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, release))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, release in servers:
        release.set()
        server.shutdown()
        server.server_close()


def _one_sentence(exc: NoTranslation) -> str:
    assert exc.exit_code == EXIT_NO_TRANSLATION
    assert "\n" not in exc.message and exc.message.endswith((".", "?"))
    return exc.message


def _prompt() -> str:
    from nlsh.prompt import PromptContext, render_prompt

    return render_prompt("list files", PromptContext())


def test_a_server_that_refuses_connections_is_one_sentence():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerError) as exc:
        ServerModel(url)
    assert "refused the connection" in _one_sentence(exc.value)


def test_a_server_error_is_quoted_in_one_sentence(stub_server):
    server = ServerModel(stub_server("500"))
    with pytest.raises(ServerError) as exc:
        server.generate(_prompt())
    assert "HTTP 500: CUDA error: out of memory" in _one_sentence(exc.value)


def test_a_server_that_hangs_past_the_time_out_is_given_up(stub_server):
    server = ServerModel(stub_server("hang"), timeout=1)
    start = time.monotonic()
    with pytest.raises(ServerError) as exc:
        server.generate(_prompt())
    assert "did not answer within 1 seconds" in _one_sentence(exc.value)
    assert time.monotonic() - start < 25  # the stub would hold the request for 30 s


def test_garbage_from_a_server_is_one_sentence(stub_server):
    server = ServerModel(stub_server("garbage"))
    with pytest.raises(ServerError) as exc:
        server.generate(_prompt())
    assert "not JSON" in _one_sentence(exc.value)


def test_a_refused_token_says_which_variable_to_set(stub_server, monkeypatch):
    monkeypatch.delenv("NLSH_SERVER_TOKEN", raising=False)
    with pytest.raises(ServerError) as exc:
        ServerModel(stub_server("401"))
    assert "NLSH_SERVER_TOKEN" in _one_sentence(exc.value)


def test_the_token_goes_as_a_bearer_token(stub_server, monkeypatch):
    url = stub_server("auth")
    monkeypatch.setenv("NLSH_SERVER_TOKEN", "s3cret")
    assert ServerModel(url).generate(_prompt()).text == "ls -la"
    monkeypatch.setenv("NLSH_SERVER_TOKEN", "wrong")
    with pytest.raises(ServerError) as exc:
        ServerModel(url)
    assert "HTTP 401" in _one_sentence(exc.value) and "wrong" not in exc.value.message


def test_prose_from_a_server_without_a_grammar_is_refused(stub_server):
    server = ServerModel(stub_server("prose"))
    assert server.api == "openai" and not server.constrained
    with pytest.raises(NoTranslation) as exc:
        server.generate(_prompt(), grammar="root ::= [a-z]+")
    assert "one command line" in _one_sentence(exc.value)


def test_a_fenced_command_from_a_server_without_a_grammar_is_the_command(stub_server):
    server = ServerModel(stub_server("fenced"))
    assert server.generate(_prompt()).text == "ls -la"
    assert server.describe().startswith("stub-7b at http://127.0.0.1:")


@pytest.mark.parametrize("text, line", [
    ("ls -la", "ls -la"), ("  df -h\n", "df -h"), ("`du -sh .`", "du -sh ."), ("```bash\nfind . -name '*.py'\n```", "find . -name '*.py'"),
    ("```\nls\n```", "ls"), ("ls\nrm -rf /", None), ("Here is the command:\nls", None), ("", None), ("```bash\nls\npwd\n```", None),
    ("echo `date`", "echo `date`"),
])
def test_an_unconstrained_answer_must_be_one_line(text, line):
    assert one_command_line(text) == line


def test_only_http_servers_are_configured():
    assert base_url("http://gpu.lan:8000/v1/") == "http://gpu.lan:8000"
    assert base_url("https://example.org") == "https://example.org"
    for bad in ("gpu.lan:8000", "file:///etc/passwd", "ftp://x"):
        with pytest.raises(UsageError):
            base_url(bad)


def test_our_grammars_are_read_by_vllms_grammar_backend():
    """vLLM's default structured-output backend, xgrammar, takes every grammar nlsh sends as it is
    and accepts what llama.cpp's grammar accepts."""
    xgr = pytest.importorskip("xgrammar")
    from xgrammar.testing import _is_grammar_accept_string as accepts

    from nlsh.grammar import shell_grammar
    from nlsh.home.grammar import home_grammar, home_or_shell_grammar
    from test_home_grammar import HOME

    shell, path = shell_grammar("format"), shell_grammar("path", path=os.environ.get("PATH", ""), named=["oma"])
    for grammar in (shell, path, home_grammar(HOME), home_or_shell_grammar(HOME, shell)):
        xgr.Grammar.from_ebnf(vllm_grammar(grammar))
    assert accepts(vllm_grammar(shell), "grep -r 'a b' .") and not accepts(vllm_grammar(shell), "echo 'unclosed")
    assert not accepts(vllm_grammar(shell), "pygame.setup(x)")
    home = vllm_grammar(home_grammar(HOME))
    assert accepts(home, "climate.living_room set_temperature temperature=21")
    assert not accepts(home, "climate.living_room set_temperature temperature=40")
    assert not accepts(home, "light.garden turn_on")


# -- nlsh --server, end to end -----------------------------------------------------------------


def test_nlsh_server_answers_as_the_local_path_without_the_rules_that_need_logits(served_model, model, run_nlsh,
                                                                                 isolated_home):
    """--server through the real CLI, one --batch for all requests, against the local translator
    with the same rules: those that need the logits at each step off."""
    from nlsh.api import Translator
    from nlsh.decoding.registry import needing_logits

    url, _ = served_model
    local = Translator(Config(min_confidence=0.0), model=model, rules_off=needing_logits(), use_cache=False)
    isolated_home.write_config("min_confidence = 0.0\n")
    proc = run_nlsh("--server", url, "--batch", "-", input="\n".join(REQUESTS) + "\n", timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(rows) == len(REQUESTS)
    for request, row in zip(REQUESTS, rows):
        expected = local.translate(request)
        assert row["command"] == expected.command, request
        assert row["risk"] == expected.risk.value and row["warnings"] == expected.warnings, request
        assert row["model"].endswith(f" at {url}"), row


def test_nlsh_server_keeps_the_per_home_grammar(served_model, model, run_nlsh, isolated_home):
    from nlsh.api import Translator
    from nlsh.decoding.registry import needing_logits
    from test_home_grammar import HOME

    url, _ = served_model
    registry = isolated_home.home / "home.json"
    registry.write_text(json.dumps({"devices": [d.model_dump(exclude_none=True) for d in HOME.devices]}))
    local = Translator(Config(min_confidence=0.0), model=model, registry=str(registry), mode="home",
                       rules_off=needing_logits(), use_cache=False)
    for request in ("turn off the kitchen light", "set the thermostat to 21"):
        proc = run_nlsh("--server", url, "--devices", str(registry), "--home", "--dry-run", "--json", request, timeout=300)
        assert proc.returncode in (0, 3), proc.stderr.decode()
        row = json.loads(proc.stdout)
        assert row["kind"] == "home", row
        assert row["actions"] == [a.model_dump(mode="json") for a in local.translate(request).actions], request


@pytest.mark.parametrize("behaviour, words, config", [
    ("refused", "refused the connection", ""),
    ("500", "HTTP 500: CUDA error: out of memory", ""),
    ("hang", "did not answer within 1 seconds", "server_timeout = 1\n"),
    ("garbage", "not JSON", ""),
    ("prose", "did not answer with one command line", ""),
    ("one-line-prose", "not a command", ""),
])
def test_nlsh_server_failures_are_one_sentence_and_exit_4(behaviour, words, config, stub_server, run_nlsh,
                                                          isolated_home):
    url = f"http://127.0.0.1:{free_port()}" if behaviour == "refused" else stub_server(behaviour)
    if config:
        isolated_home.write_config(config)
    proc = run_nlsh("--server", url, "--dry-run", "list the files here", timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_NO_TRANSLATION, err
    assert proc.stdout == b"" and err.count("\n") == 1 and words in err, err


@pytest.fixture
def without_logprobs(served_model):
    """The real llama-cpp-python server behind a loopback proxy that drops the log-probability fields
    from every request: it answers as servers that return no token probabilities do (Ollama's
    OpenAI-compatible API)."""
    url, _ = served_model

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _forward(self, body: bytes | None) -> None:
            request = urllib.request.Request(url + self.path, data=body, method=self.command,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=300) as reply:
                    code, data = reply.status, reply.read()
            except urllib.error.HTTPError as exc:
                code, data = exc.code, exc.read()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._forward(None)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            for field in ("logprobs", "top_logprobs"):
                body.pop(field, None)
            self._forward(json.dumps(body).encode())

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()
    proxy.server_close()


def test_a_server_without_token_probabilities_is_not_refused_as_unsure(served_model, without_logprobs, run_nlsh,
                                                                      isolated_home):
    """A server that returns no log-probabilities leaves the confidence unknown, not low: under the
    default min_confidence, --dry-run prints the answer (it used to refuse every one, exit 4) and
    the JSON says why its confidence is 0; the same server asked for them still gives one."""
    from nlsh.api import LOW_CONFIDENCE, NO_TOKEN_PROBABILITIES

    url, _ = served_model
    prompt = _prompt()
    bare, full = ServerModel(without_logprobs).generate(prompt), ServerModel(url).generate(prompt)
    assert bare.text == full.text and (bare.confidence, bare.confidence_known) == (0.0, False)
    assert full.confidence_known and full.confidence > 0.0
    proc = run_nlsh("--server", without_logprobs, "--dry-run", "--json", "list files", timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    row = json.loads(proc.stdout)
    assert row["command"] and row["confidence"] == 0.0
    assert NO_TOKEN_PROBABILITIES in row["warnings"] and LOW_CONFIDENCE not in row["warnings"]
    plain = run_nlsh("--server", without_logprobs, "--dry-run", "list files", timeout=300)
    assert plain.returncode == 0 and plain.stdout.decode().strip() == row["command"], plain.stderr.decode()
    asked = json.loads(run_nlsh("--server", url, "--dry-run", "--json", "list files", timeout=300).stdout)
    assert asked["command"] == row["command"] and asked["confidence"] > 0.0
    assert NO_TOKEN_PROBABILITIES not in asked["warnings"]


def test_nothing_is_sent_anywhere_without_a_server(run_nlsh, isolated_home):
    isolated_home.write_config('server = "ftp://gpu.lan"\n')
    proc = run_nlsh("--dry-run", "list files")
    assert proc.returncode == 2 and b"not an http:// or https:// URL" in proc.stderr
    proc = run_nlsh("--server", "http://127.0.0.1:9", "--lora", "none", "--dry-run", "list files")
    assert proc.returncode == 2 and b"--lora applies to a model run here" in proc.stderr
