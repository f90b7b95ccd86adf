"""The FAQ API over real HTTP: the CLI's JSON contract, limits, hostile queries, live reloads."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Tuple

import pytest

from bot.environment import environment
from bot.web.config import WebConfig
from bot.web.server import create_app
from knowledge import paths
from knowledge.paths import REPO_ROOT
from knowledge.search import KnowledgeBase
from tests.bad_inputs import BAD_TEXTS
from tests.bot.web.servers import ThreadedApp


def get(url: str, headers: Dict[str, str] | None = None) -> Tuple[int, Any, Any]:
    """Status, headers and body (JSON when it is JSON) of a GET; 4xx and 5xx do not raise."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    if head.get_content_type() == "application/json" and raw:
        return status, head, json.loads(raw.decode("utf-8"))
    return status, head, raw


def faq(base: str, query: str, **params: str) -> Tuple[int, Any, Any]:
    return get(f"{base}/api/faq?" + urllib.parse.urlencode({"q": query, **params}))


def cli_search(query: str) -> Dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "knowledge", "search", query, "--json"],
        cwd=REPO_ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    "query",
    ["腰部客户", "要部客户", "腰部客戶是什麼意思", "大客户怎么管理", "火星上的客户"],
)
def test_same_json_as_the_cli(web_front, query):
    status, headers, body = faq(web_front.url, query)
    assert status == 200
    assert headers.get_content_type() == "application/json"
    assert body == cli_search(query)


def test_found_answer_is_the_curated_entry(web_front):
    _, _, body = faq(web_front.url, "什么是腰部客户")
    assert body["status"] == "found"
    best = body["results"][0]
    assert best["term"] == "腰部客户"
    assert best["answer"] == KnowledgeBase().get("腰部客户").short
    assert best["sources"] and all(s["file"] and s["title"] for s in best["sources"])


def test_limit(web_front):
    _, _, body = faq(web_front.url, "客户", limit="2")
    assert len(body["results"]) <= 2
    for bad in ("0", "21", "-1", "abc", "1.5", ""):
        status, _, error = faq(web_front.url, "客户", limit=bad)
        assert status == 400, bad
        assert error["code"] == "bad_limit"


@pytest.mark.parametrize("case,text", BAD_TEXTS, ids=[case for case, _ in BAD_TEXTS])
def test_hostile_queries_get_a_clear_answer(web_front, case, text):
    status, _, body = faq(web_front.url, text)
    if not text.strip():
        assert (status, body["code"]) == (400, "empty_query")
        assert body["error"] and body["error_en"]
    elif len(text) > KnowledgeBase().max_chars:
        assert (status, body["code"]) == (400, "query_too_long")
        assert "200" in body["error"] and "200" in body["error_en"]
    else:
        assert status == 200, body
        assert body["query"] == text
        assert body["status"] in ("found", "ambiguous", "none")
    # The search still works afterwards.
    assert faq(web_front.url, "腰部客户")[2]["status"] == "found"


def test_missing_query_parameter(web_front):
    status, _, body = get(f"{web_front.url}/api/faq")
    assert (status, body["code"]) == (400, "empty_query")


@pytest.mark.parametrize(
    "raw_query",
    ["q=%ff%fe", "q=%E8%85%B0%E9%83", "q=%", "q=%zz", "q=a&q=b", "q=%00", "q=" + "%E8%85%B0" * 201],
)
def test_malformed_urls_never_fail_the_server(web_front, raw_query):
    status, _, body = get(f"{web_front.url}/api/faq?{raw_query}")
    assert status in (200, 400), body
    assert isinstance(body, dict)


def test_a_request_line_beyond_the_parser_limit_is_a_4xx(web_front):
    status, _, _ = get(f"{web_front.url}/api/faq?q=" + "a" * 200_000)
    assert 400 <= status < 500


def test_raw_bytes_in_the_request_line_are_rejected(web_front):
    with socket.create_connection(("127.0.0.1", web_front.port), timeout=10) as conn:
        conn.sendall("GET /api/faq?q=腰部 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert conn.recv(100).split(b" ")[1] == b"400"


def test_unknown_api_path_and_method(web_front):
    status, _, body = get(f"{web_front.url}/api/nothing-here")
    assert (status, body["code"]) == (404, "not_found")
    request = urllib.request.Request(f"{web_front.url}/api/faq?q=x", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 405


def test_glossary_lists_every_entry_with_its_answers_and_sources(web_front):
    status, headers, body = get(f"{web_front.url}/api/glossary")
    assert status == 200
    kb = KnowledgeBase()
    assert body["count"] == len(kb.entries()) == len(body["entries"])
    by_id = {e["id"]: e for e in body["entries"]}
    for entry in kb.entries():
        served = by_id[entry.id]
        assert served["term"] == entry.term
        assert served["aliases"] == list(entry.aliases)
        assert served["short"] == entry.short
        assert served["answer"] == entry.answer
        assert [s["file"] for s in served["sources"]] == list(entry.sources)
        assert all(s["title"] for s in served["sources"])
        assert {r["term"] for r in served["related"]} == set(entry.related)
    # Unchanged knowledge base: the browser's copy is still good.
    again, _, _ = get(f"{web_front.url}/api/glossary", {"If-None-Match": headers["ETag"]})
    assert again == 304


def test_a_rebuilt_knowledge_base_is_served_at_once(tmp_path):
    db = tmp_path / "knowledge.db"
    shutil.copy(paths.db_path(), db)
    with ThreadedApp(create_app(WebConfig(db_path=db))) as server:
        _, _, before = get(f"{server.url}/api/glossary")
        # What `python -m knowledge build` does: write a new file, then rename it over the old one.
        rebuilt = tmp_path / "rebuilt.db"
        shutil.copy(db, rebuilt)
        with sqlite3.connect(rebuilt) as conn:
            conn.execute("update entries set short = '新的简短回答' where id = 'waist_customer'")
            conn.execute("update meta set value = 'rebuilt' where key = 'content_hash'")
        rebuilt.replace(db)
        _, _, after = get(f"{server.url}/api/glossary")
        _, _, search = faq(server.url, "腰部客户")
    assert after["version"] != before["version"]
    assert next(e for e in after["entries"] if e["id"] == "waist_customer")["short"] == "新的简短回答"
    assert search["results"][0]["answer"] == "新的简短回答"


def test_a_missing_knowledge_base_is_explained(tmp_path):
    with ThreadedApp(create_app(WebConfig(db_path=tmp_path / "none.db"))) as server:
        for path in ("/api/faq?q=腰部客户", "/api/glossary"):
            status, _, body = get(server.url + urllib.parse.quote(path, safe="/?="))
            assert (status, body["code"]) == (503, "kb_missing")
            assert "make kb" in body["error"]
