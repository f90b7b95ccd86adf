"""The command line contract other parts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from knowledge.paths import REPO_ROOT


def run(kb_path, *args):
    env = {**os.environ, "KB_DB_PATH": str(kb_path)}
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *args], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )


def test_search_json_contract(kb_path, kb):
    done = run(kb_path, "search", "腰部客戶是什麼", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["query"] == "腰部客戶是什麼"
    best = data["results"][0]
    entry = kb.get("腰部客户")
    assert best["term"] == "腰部客户" and best["answer"] == entry.short
    assert best["score"] == 1.0
    assert [s["file"] for s in best["sources"]] == list(entry.sources)


def test_search_prints_answer_and_source_for_a_person(kb_path, kb):
    done = run(kb_path, "search", "白金客户")
    entry = kb.get("白金客户")
    assert entry.short in done.stdout and entry.sources[0] in done.stdout


def test_search_says_when_nothing_matches(kb_path):
    done = run(kb_path, "search", "区块链")
    assert done.returncode == 0 and "没有找到" in done.stdout
    data = json.loads(run(kb_path, "search", "区块链", "--json").stdout)
    assert data["results"] == [] and data["status"] == "none"


def test_list_prints_every_term(kb_path, kb):
    done = run(kb_path, "list")
    assert done.returncode == 0
    assert len(done.stdout.strip().splitlines()) == len(kb.entries())


def test_build_reports_validation_errors_and_fails(tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "x.yml").write_text("topic: t\nentries:\n  - id: a\n    term: 甲\n", encoding="utf-8")
    done = run(
        tmp_path / "k.db", "build", "--entries", str(entries), "--db", str(tmp_path / "k.db"), "--no-nlu"
    )
    assert done.returncode == 1
    assert "entries/x.yml: entry 'a': missing field `category`" in done.stderr
