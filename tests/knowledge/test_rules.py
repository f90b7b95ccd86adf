"""knowledge/rules.py: the frameworks' validation, which the build runs."""

from __future__ import annotations

import shutil

import pytest
import yaml

from knowledge import paths, rules
from knowledge.loader import load_entries


@pytest.fixture
def frameworks_copy(tmp_path):
    folder = tmp_path / "frameworks"
    shutil.copytree(paths.FRAMEWORKS_DIR, folder)
    return folder


def entry_ids():
    return [entry.id for entry in load_entries()]


def edit(folder, change):
    path = folder / "classifications.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change({f["id"]: f for f in data["frameworks"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_curated_frameworks_are_valid():
    assert rules.validate(entry_ids()) == []


def test_an_unknown_class_is_named(frameworks_copy):
    edit(frameworks_copy, lambda f: f["value_matrix"]["rules"][0].update({"class": "no_such_entry"}))
    problems = rules.validate(entry_ids(), frameworks_copy)
    where = "frameworks/classifications.yml: framework 'value_matrix'"
    assert problems == [f"{where}: rule 1: class `no_such_entry` is not an entry id"]


def test_a_label_without_the_frameworks_note_is_refused(frameworks_copy):
    edit(frameworks_copy, lambda f: f["loyalty"].pop("note"))
    problems = rules.validate(entry_ids(), frameworks_copy)
    assert problems and all("needs the framework's `note`" in p for p in problems)


def test_a_missing_field_is_named(frameworks_copy):
    edit(frameworks_copy, lambda f: f["tiers"].pop("needs"))
    assert "frameworks/classifications.yml: framework 'tiers': missing field `needs`" in rules.validate(
        entry_ids(), frameworks_copy
    )
