"""The build: deterministic database, generated NLU artefacts that cover every name."""

from __future__ import annotations

import sqlite3

import yaml

from knowledge.build import build, jieba_dictionary, lookup_table
from knowledge.loader import load_entries


def test_building_twice_gives_the_same_database(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build(first, nlu_artefacts=False)
    build(second, nlu_artefacts=False)
    assert first.read_bytes() == second.read_bytes()


def test_rebuilding_in_place_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "k.db"
    build(path, nlu_artefacts=False)
    reader = sqlite3.connect(path)  # a reader holding the old file keeps working
    before = reader.execute("select count(*) from entries").fetchone()[0]
    report = build(path, nlu_artefacts=False)
    assert reader.execute("select count(*) from entries").fetchone()[0] == before == report.entries
    assert not list(tmp_path.glob(".knowledge-*"))


def test_database_holds_every_entry_and_name(kb_path):
    entries = load_entries()
    db = sqlite3.connect(kb_path)
    assert db.execute("select count(*) from entries").fetchone()[0] == len(entries)
    names = {row[0] for row in db.execute("select name from names")}
    assert {n for e in entries for n in e.names} <= names
    assert db.execute("select value from meta where key = 'content_hash'").fetchone()[0]


def test_lookup_table_lists_every_name_longest_first_with_synonyms():
    entries = load_entries()
    data = yaml.safe_load(lookup_table(entries))
    lookup = next(item for item in data["nlu"] if item.get("lookup") == "term")
    names = [line[2:] for line in lookup["examples"].splitlines()]
    assert set(names) == {n for e in entries for n in e.names}
    assert [len(n) for n in names] == sorted((len(n) for n in names), reverse=True)
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    for entry in entries:
        for alias in entry.aliases:
            assert alias in synonyms[entry.term]


def test_jieba_dictionary_keeps_every_chinese_name_whole():
    entries = load_entries()
    words = {line.split(" ")[0] for line in jieba_dictionary(entries).splitlines()}
    assert {"腰部客户", "战略客户", "白金客户"} <= words
    assert all(" " not in line.rsplit(" ", 2)[0] for line in jieba_dictionary(entries).splitlines())


def test_adding_the_same_names_again_leaves_jieba_unchanged():
    from knowledge.segment import Segmenter

    first = Segmenter(["腰部客户", "零售业顾客价值驱动因素"])
    total = first._tokenizer.total
    Segmenter(["腰部客户", "零售业顾客价值驱动因素"])
    assert first._tokenizer.total == total  # jieba's word probabilities are frequency / total
