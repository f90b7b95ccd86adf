"""Faults while the assistant runs: the action server stops or hangs, Rasa restarts, the
knowledge base is rebuilt. Users get a clear answer every time and conversations go on.

This module starts its own assistant (its servers are stopped and restarted here) on a
knowledge base in a temporary folder (KB_DB_PATH), so rebuilding it touches nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import uuid
from typing import List, Tuple

import pytest
import yaml

from bot.api_token import api_token
from bot.config import BOT_DIR
from bot.processes import Assistant
from knowledge import paths
from knowledge.build import build
from tests.bot.clients import RestClient, SocketIOChat, domain_response, http
from tests.bot.servers import record, running, scratch

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def kb_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults-kb") / "knowledge.db"
    build(path, nlu_artefacts=False)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory, kb_db):
    tmp = tmp_path_factory.mktemp("faults")
    with running(scratch(tmp, env={"KB_DB_PATH": str(kb_db)})) as assistant:
        yield assistant


@pytest.fixture(scope="module")
def say(server):
    return RestClient(server.url)


def sender() -> str:
    return uuid.uuid4().hex


def apology() -> str:
    return domain_response("utter_service_unavailable")


def action_timeout() -> float:
    endpoints = yaml.safe_load((BOT_DIR / "endpoints.yml").read_text(encoding="utf-8"))
    return float(endpoints["action_endpoint"]["timeout"])


def tracker(server: Assistant, conversation: str) -> dict:
    url = f"{server.url}/conversations/{conversation}/tracker?token={api_token()}"
    status, _, body = http(url, method="GET", content_type=None)
    assert status == 200, body
    return json.loads(body)


def timed(send, *args) -> Tuple[float, object]:
    started = time.perf_counter()
    result = send(*args)
    return time.perf_counter() - started, result


def test_action_server_down_apologises_at_once_and_the_conversation_goes_on(server, say, kb):
    user, waist = sender(), kb.get("腰部客户")
    assert waist.short in say(user, "什么是腰部客户").text
    server.stop("actions")
    try:
        seconds, reply = timed(say, user, "那怎么维护这类客户")
        assert reply.status == 200 and reply.texts == [apology()]
        assert seconds < 3
        # A description runs several actions in one turn: still one apology.
        assert say(user, "客户年采购额3000万，毛利率35%，预计明年翻番").texts == [apology()]
        # Every channel: the apology comes from Rasa's side of the action call.
        chat = SocketIOChat(server.url, sender())
        try:
            assert chat.say("什么是白金客户").texts == [apology()]
        finally:
            chat.close()
    finally:
        restart = server.start_actions()
    # The same conversation goes on where it was: the follow-up still knows the last term.
    answered, reply = timed(say, user, "那怎么维护这类客户")
    assert waist.strategy.strip().splitlines()[0] in reply.text
    events = tracker(server, user)["events"]
    assert sum(1 for e in events if e["event"] == "bot" and e.get("text") == apology()) == 2
    record(
        "action server down",
        {
            "apology_seconds": round(seconds, 3),
            "action_server_restart_seconds": round(restart, 1),
            "first_answer_after_restart_seconds": round(answered, 3),
        },
    )


def test_hung_action_server_gets_an_apology_within_the_timeout(server, say, kb):
    user = sender()
    pid = server.processes["actions"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        seconds, reply = timed(say, user, "什么是头部客户")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert reply.texts == [apology()]
    assert action_timeout() <= seconds < action_timeout() + 3
    assert kb.get("头部客户").short in say(user, "什么是头部客户").text
    record("action server hung", {"apology_seconds": round(seconds, 2), "timeout_seconds": action_timeout()})


def test_rasa_restart_keeps_history_and_slots(server, say, kb):
    user, platinum = sender(), kb.get("白金客户")
    assert platinum.short in say(user, "什么是白金客户").text
    server.stop("rasa")
    restart = server.start_rasa()
    state = tracker(server, user)
    assert state["slots"]["last_entry_id"] == platinum.id
    assert "什么是白金客户" in [e.get("text") for e in state["events"] if e["event"] == "user"]
    answered, reply = timed(say, user, "那怎么维护这类客户")
    assert platinum.strategy.strip().splitlines()[0] in reply.text
    record(
        "rasa restart",
        {"restart_seconds": round(restart, 1), "first_answer_after_restart_seconds": round(answered, 3)},
    )


def changed_entries(tmp_path, entry_id: str, short: str):
    """A copy of knowledge/entries with one entry's short answer replaced."""
    entries = tmp_path / "entries"
    shutil.copytree(paths.ENTRIES_DIR, entries)
    for path in entries.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            if entry["id"] == entry_id:
                entry["short"] = short
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return entries
    raise KeyError(entry_id)


def test_knowledge_base_rebuild_switches_answers_without_a_failed_request(server, say, kb, kb_db, tmp_path):
    waist = kb.get("腰部客户")
    new_short = "【改版后的定义】腰部客户是处于中间层级、正在向头部客户看齐的客户。"
    entries = changed_entries(tmp_path, waist.id, new_short)
    results: List[Tuple[int, str, float]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                reply = say(sender(), "什么是腰部客户")
                results.append((reply.status, reply.text, time.perf_counter()))
            except OSError as error:  # a refused or dropped connection is a failed request too
                results.append((0, str(error), time.perf_counter()))

    askers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for thread in askers:
        thread.start()
    try:
        deadline = time.time() + 60
        while len(results) < 4 and time.time() < deadline:
            time.sleep(0.1)
        rebuilt_at = time.perf_counter()
        report = build(kb_db, entries_dir=entries, nlu_artefacts=False)
        deadline = time.time() + 30
        while time.time() < deadline and not any(new_short in text for _, text, _ in results):
            time.sleep(0.1)
        time.sleep(1)  # a few more answers after the switch
    finally:
        stop.set()
        for thread in askers:
            thread.join()
        build(kb_db, nlu_artefacts=False)  # the real data again for the other tests
    failed = [r for r in results if r[0] != 200 or not (waist.short in r[1] or new_short in r[1])]
    assert not failed, failed[:3]
    switched = [t for _, text, t in results if new_short in text]
    assert switched, "the answer never switched to the rebuilt knowledge base"
    assert not [t for _, text, t in results if waist.short in text and t > min(switched) + 0.5]
    record(
        "knowledge base rebuild",
        {
            "requests": len(results),
            "failed": len(failed),
            "build_seconds": round(report.seconds, 2),
            "first_new_answer_seconds_after_build_started": round(min(switched) - rebuilt_at, 2),
        },
    )
