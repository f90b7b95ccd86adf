"""knowledge/yamlfile.py: every YAML source is read again when it changes, and so is what is derived."""

from __future__ import annotations

import os
import shutil
import threading

from knowledge import paths, yamlfile
from knowledge.answers import facets_asked
from knowledge.normalize import language, normalize_query


def _touch_later(path) -> None:
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_file_is_parsed_once_and_again_when_it_changes(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    first = yamlfile.read(path)
    assert first == {"a": 1} and yamlfile.read(path) is first  # kept, not parsed again
    path.write_text("a: 2\n", encoding="utf-8")
    _touch_later(path)
    assert yamlfile.read(path) == {"a": 2}


def test_a_batch_reads_a_file_as_it_was_and_other_threads_see_the_edit(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    with yamlfile.unchanged():
        assert yamlfile.read(path) == {"a": 1}
        path.write_text("a: 2\n", encoding="utf-8")
        _touch_later(path)
        assert yamlfile.read(path) == {"a": 1}  # the batch's time is taken once
        seen = []
        other = threading.Thread(target=lambda: seen.append(yamlfile.read(path)))
        other.start()
        other.join()
        assert seen == [{"a": 2}]
    assert yamlfile.read(path) == {"a": 2}  # after the batch, the edit counts at once


def test_an_edit_of_language_yml_takes_effect_without_a_restart(tmp_path, monkeypatch):
    edited = tmp_path / "language.yml"
    shutil.copy(paths.LANGUAGE_FILE, edited)
    monkeypatch.setattr(paths, "LANGUAGE_FILE", edited)
    assert "名称" not in facets_asked("大客户的花名是啥")
    assert normalize_query("咕噜咕噜腰部客户") != "腰部客户"
    text = edited.read_text(encoding="utf-8")
    text = text.replace("  名称: [", "  名称: [花名, ", 1).replace("fillers:", "fillers:\n  - 咕噜咕噜", 1)
    edited.write_text(text, encoding="utf-8")
    _touch_later(edited)
    assert "名称" in facets_asked("大客户的花名是啥")  # the facet cues, derived from the file
    assert "咕噜咕噜" in language()["fillers"] and normalize_query("咕噜咕噜腰部客户") == "腰部客户"
