"""The curator's loop, live: a question the bot cannot answer is logged, a curator edits the
knowledge sources and rebuilds, and the running assistant answers at once — no retraining,
no restart, the new term found by knowledge-base search before the model knows it."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import yaml

from knowledge.build import build
from knowledge.paths import ENTRIES_DIR

pytestmark = pytest.mark.server

REVISED_SHORT = "（修订）腰部客户是按层级划分时处于中间层级的客户，规模不大不小，典型特征是向头部客户看齐。"
NEW_ENTRY = {
    "id": "dormant_customer_test",
    "term": "沉睡客户",
    "aliases": ["休眠客户"],
    "category": "客户分类",
    "short": "沉睡客户是一段时间内没有再下单、但仍有可能被唤醒的老客户。",
    "answer": "沉睡客户是一段时间内没有再下单、但仍有可能被唤醒的老客户。（测试条目）",
    "related": ["腰部客户"],
}


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def edited_sources(tmp_path: Path) -> Path:
    """A copy of knowledge/entries with one answer changed and one term added."""
    entries = tmp_path / "entries"
    shutil.copytree(ENTRIES_DIR, entries)
    tiers = entries / "tiers.yml"
    data = yaml.safe_load(tiers.read_text(encoding="utf-8"))
    waist = next(e for e in data["entries"] if e["id"] == "waist_customer")
    waist["short"] = REVISED_SHORT
    data["entries"].append({**NEW_ENTRY, "sources": waist["sources"]})
    tiers.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return entries


def test_an_edit_is_answered_live_without_restart(assistant, say, logbook, tmp_path):
    kb_path = Path(assistant.env["KB_DB_PATH"])
    pids = {name: process.pid for name, process in assistant.processes.items()}
    user = uuid.uuid4().hex
    before = texts(say(user, "什么是沉睡客户"))
    assert NEW_ENTRY["short"] not in before
    [gap] = [g for g in logbook.rows("gaps") if g["sender_hash"] == logbook.sender_hash(user)]
    assert gap["question"] == "什么是沉睡客户" and gap["action"] in ("said_unknown", "offered_choices")
    original_short = texts(say(user, "腰部客户的定义"))
    assert REVISED_SHORT not in original_short

    try:
        build(kb_path, edited_sources(tmp_path), nlu_artefacts=False)
        assert NEW_ENTRY["short"] in texts(say(user, "什么是沉睡客户"))
        assert NEW_ENTRY["short"] in texts(say(uuid.uuid4().hex, "休眠客户是啥意思"))
        assert REVISED_SHORT in texts(say(user, "腰部客户的定义"))
    finally:
        build(kb_path, nlu_artefacts=False)  # the other tests expect the real knowledge base

    assert {name: process.pid for name, process in assistant.processes.items()} == pids
    assert assistant.failed() is None
    assert texts(say(uuid.uuid4().hex, "什么是沉睡客户")) == before
