"""`python -m bot.model status` and the launcher's note: what makes the model older, in words."""

from __future__ import annotations

import json

import pytest

from bot import model


@pytest.fixture
def trained(tmp_path, monkeypatch):
    """A model "trained" on exactly today's inputs, in a temporary models folder."""
    monkeypatch.setattr(model, "MODEL_PATH", tmp_path / "assistant.tar.gz")
    monkeypatch.setattr(model, "FINGERPRINT_PATH", tmp_path / "assistant.fingerprint")
    monkeypatch.setattr(model, "INPUTS_PATH", tmp_path / "assistant.inputs.json")
    model.MODEL_PATH.write_bytes(b"model")
    model.FINGERPRINT_PATH.write_text(model.fingerprint() + "\n")
    digests = model.input_digests()
    model.INPUTS_PATH.write_text(json.dumps(digests))
    return digests


def pretend_changed(digests, name):
    """As if ``name`` had other content when the model was trained."""
    model.INPUTS_PATH.write_text(json.dumps({**digests, name: "0" * 64}))
    model.FINGERPRINT_PATH.write_text("stale\n")


def test_a_current_model_needs_no_note(trained):
    assert model.is_current() and model.staleness() is None
    assert model.main(["status"]) == 0


def test_a_model_older_than_the_knowledge_base_says_answers_are_current(trained, capsys):
    generated = [n for n in trained if model._from_knowledge_base(n)]
    assert generated, "the knowledge-base build writes the lookup table and the jieba dictionary"
    pretend_changed(trained, generated[0])
    note = model.staleness()
    assert "older than the knowledge base" in note and "make train" in note
    assert model.main(["status"]) == 1 and note in capsys.readouterr().out


def test_changed_training_data_is_named(trained):
    pretend_changed(trained, "data/nlu/feedback.yml")
    note = model.staleness()
    assert "older than its training data (data/nlu/feedback.yml)" in note


def test_a_missing_model_says_how_to_make_one(trained):
    model.MODEL_PATH.unlink()
    assert "make train" in model.staleness()
