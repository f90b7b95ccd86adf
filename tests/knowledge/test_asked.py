"""The questions written for each passage: found by the passage's first characters, indexed with it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from knowledge.asked import Asked, attach, load_asked
from knowledge.build import build
from knowledge.loader import ValidationError
from knowledge.search import KnowledgeBase
from knowledge.segment import Segmenter


def _row(owner: str, text: str, kind: str = "source") -> dict:
    return {"entry_id": None, "source": owner, "kind": kind, "text": text, "tokens": "[]"}


def test_a_group_goes_to_the_passage_that_begins_with_its_words_and_adds_its_words():
    rows = [_row("a.txt", "关于客户忠诚度的培养，就像是种树。"), _row("a.txt", "你得精心浇水、施肥")]
    group = Asked("a.txt", "关于客户忠诚度", ("读后感里客户忠诚度比作啥",), "x.yml")
    problems = attach(rows, [group], Segmenter())
    assert problems == []
    assert json.loads(rows[0]["asked"]) == ["读后感里客户忠诚度比作啥"]
    assert "读后感" in json.loads(rows[0]["tokens"])
    assert rows[1]["asked"] == "[]" and rows[1]["tokens"] == "[]"


def test_a_group_whose_passage_no_longer_begins_so_is_reported_not_lost_silently():
    rows = [_row("a.txt", "改过的段落")]
    problems = attach(rows, [Asked("a.txt", "关于客户忠诚度", ("问题",), "x.yml")], Segmenter())
    assert problems and "x.yml" in problems[0] and "关于客户忠诚度" in problems[0]


def test_a_malformed_file_is_a_validation_error(tmp_path):
    (tmp_path / "bad.yml").write_text("passages:\n  - asked: [问题]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="bad.yml"):
        load_asked(tmp_path)


def test_every_written_group_fits_a_passage_of_the_built_knowledge_base(tmp_path):
    groups = load_asked()
    assert groups, "knowledge/asked/ holds the questions written for the passages"
    path = tmp_path / "k.db"
    report = build(path, nlu_artefacts=False)
    assert report.stale_questions == []  # every group fits the passage it was written for
    db = sqlite3.connect(path)
    with_questions = db.execute("select count(*) from passages where asked != '[]'").fetchone()[0]
    assert with_questions >= len({(g.owner, g.starts) for g in groups}) * 0.95


def test_questions_in_everyday_words_meet_the_passages_their_writers_asked_of(tmp_path):
    # The written questions' words are indexed with their passage: most of them (every tenth
    # group's first, a sample) find it first among the thousand passages (56 of 92 until the ninth
    # blind freeze removed a sampled group's first question; 55 since).
    path = tmp_path / "k.db"
    build(path, nlu_artefacts=False)
    kb = KnowledgeBase(path)
    sample = load_asked()[::10]
    found = [kb.answer(g.questions[0]) for g in sample]
    hits = sum(
        f.passage is not None and f.passage.text.strip().startswith(g.starts)
        for g, f in zip(sample, found, strict=True)
    )
    assert hits >= 0.55 * len(sample), f"{hits}/{len(sample)}"


def test_an_edited_passage_leaves_its_questions_out_with_a_warning_not_a_failed_build(tmp_path, monkeypatch):
    asked = tmp_path / "asked"
    asked.mkdir()
    (asked / "x.yml").write_text(
        "passages:\n  - entry: waist_customer\n    starts: 这段已经改写了\n    asked: [腰部客户咋维护]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("knowledge.build.load_asked", lambda: load_asked(asked))
    report = build(tmp_path / "k.db", nlu_artefacts=False)
    assert report.entries > 0 and len(report.stale_questions) == 1
    assert "x.yml" in report.stale_questions[0] and "这段已经改写了" in report.stale_questions[0]


def test_a_question_is_closest_to_the_passage_whose_written_question_it_resembles():
    from knowledge.passages import WrittenQuestions

    written = WrittenQuestions([0, 0, 1], ["黄金客户是什么意思", "啥叫黄金客户", "黄金客户都有哪些特点"])
    closeness = written.closeness("黄金客户有啥特点？")
    assert closeness[1] > closeness[0] > 0
    assert WrittenQuestions([], []).closeness("黄金客户有啥特点") == {}
    assert written.closeness("  ") == {}


def test_the_stored_passages_carry_their_written_questions_into_the_closeness(kb):
    index = kb.passage_index
    asked = [(at, p) for at, p in enumerate(index.passages) if p.asked]
    assert len(asked) > len(index.passages) / 2
    for place, passage in asked[:: max(1, len(asked) // 20)]:
        closeness = index.written.closeness(passage.asked[-1])
        assert closeness[place] == pytest.approx(1.0), passage.asked[-1]
