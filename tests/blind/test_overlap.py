"""No training sentence nearly repeats a sentence of a blind set (tests/blind/overlap.py)."""

from __future__ import annotations

import yaml

from tests.blind import overlap


def test_no_training_sentence_nearly_repeats_a_blind_one():
    found = overlap.near_duplicates()
    assert not found, f"{len(found)} training sentences repeat blind ones, e.g. {found[0][:3]}"


def test_the_check_reads_every_kind_of_training_sentence():
    files = {file for file, _ in overlap.training_sentences()}
    assert any(f.startswith("messages_") for f in files) and "definitions.yml" in files
    assert any(f.startswith("P") for f in files)  # the questions written for passages


def test_a_blind_question_copied_with_other_punctuation_is_caught(monkeypatch):
    first = yaml.safe_load((overlap.FOLDER / "questions_studied.yml").read_text(encoding="utf-8"))
    copied = first["questions"][0]["question"].replace("？", "").replace("?", "") + "，"
    monkeypatch.setattr(overlap, "training_sentences", lambda: iter([("made_up.yml", copied)]))
    assert [f[0] for f in overlap.near_duplicates()] == ["made_up.yml"]
