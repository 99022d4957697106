"""bashlex's parse table kept in nlsh's cache (nlsh.validator.bashlex_tables): a parser read back
from the file is the parser bashlex builds, and a missing or spoiled file only means a rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

COMMANDS = [
    "ls -la | grep foo && echo $(date)",
    "for f in *.txt; do mv \"$f\" \"${f%.txt}.md\"; done",
    "find . -name '*.py' -exec wc -l {} + | sort -n | tail -3",
    "if [ -d /tmp ]; then cd /tmp; fi; (echo a; echo b) > out 2>&1",
    "cat <<EOF\nhello\nEOF",
    "echo `uname -r` && diff <(ls a) <(ls b)",
]

# Prints the parser's table as bashlex left it (after its own fix-ups) and each command's tree.
PROBE = """
import json, sys
{setup}
import bashlex
from bashlex import parser
p = parser.yaccparser
print(json.dumps({{
    "action": {{str(k): v for k, v in p.action.items()}},
    "goto": {{str(k): v for k, v in p.goto.items()}},
    "productions": [[q.name, q.len, q.func] for q in p.productions],
    "trees": [bashlex.parse(c)[0].dump() for c in json.loads(sys.argv[1])],
}}))
"""
KEPT = "import nlsh.validator  # installs the kept table before bashlex is imported"


def probe(setup: str, cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    proc = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup), json.dumps(COMMANDS)],
                          capture_output=True, text=True, timeout=300, check=True, env=env)
    return json.loads(proc.stdout)


def test_the_kept_table_parses_as_bashlex_own(tmp_path):
    built = probe("", tmp_path)
    assert not list(tmp_path.glob("nlsh/bashlex-table-*.json"))
    first = probe(KEPT, tmp_path)  # builds the table and keeps it
    [kept] = tmp_path.glob("nlsh/bashlex-table-*.json")
    written = kept.stat().st_mtime_ns
    read_back = probe(KEPT, tmp_path)
    assert first == built and read_back == built
    assert kept.stat().st_mtime_ns == written  # read back, not built again
    kept.write_text('{"action": {"0": ')  # spoiled: rebuilt and kept again
    assert probe(KEPT, tmp_path) == built
    assert json.loads(kept.read_text())["productions"]
