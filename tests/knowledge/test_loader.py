"""Validation: each kind of mistake fails the build with a message naming file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loader import ValidationError, load_entries, load_sources
from knowledge.paths import SEEDS_DIR

VALID = """\
  - id: waist
    term: 腰部客户
    aliases: [腰部客群]
    category: 客户分类
    short: 中间层级的客户。
    answer: 腰部就是中间层级不大不小的客户。
    related: [头部客户]
    sources: [000_335af4e072a261b0.txt]
  - id: head
    term: 头部客户
    category: 客户分类
    short: 头部客户就是大客户。
    answer: 头部客户就是大客户。
    related: []
    sources: [000_335af4e072a261b0.txt]
"""


def write(tmp_path: Path, entries: str, name: str = "t.yml") -> Path:
    (tmp_path / name).write_text("topic: 测试\nentries:\n" + entries, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path) -> list:
    with pytest.raises(ValidationError) as raised:
        load_entries(tmp_path)
    return raised.value.problems


def test_valid_files_load(tmp_path):
    entries = load_entries(write(tmp_path, VALID))
    assert [e.term for e in entries] == ["头部客户", "腰部客户"]
    assert entries[1].aliases == ("腰部客群",)
    assert entries[1].file == f"{tmp_path.name}/t.yml"


def test_missing_field_names_file_entry_and_field(tmp_path):
    write(tmp_path, VALID.replace("    short: 头部客户就是大客户。\n", ""))
    assert problems(tmp_path) == [f"{tmp_path.name}/t.yml: entry 'head': missing field `short`"]


def test_duplicate_alias_across_files(tmp_path):
    write(tmp_path, VALID)
    write(
        tmp_path,
        VALID.replace("id: waist", "id: other")
        .replace("term: 腰部客户", "term: 中层客户")
        .replace("id: head", "id: head2")
        .replace("term: 头部客户", "term: 顶部客户")
        .replace("related: [头部客户]", "related: []"),
        name="u.yml",
    )
    found = problems(tmp_path)
    assert len(found) == 1
    assert "entry 'other'" in found[0] and "`腰部客群`" in found[0] and "'waist'" in found[0]


def test_alias_equal_to_another_term(tmp_path):
    write(tmp_path, VALID.replace("aliases: [腰部客群]", "aliases: [头部客户]"))
    assert any("`头部客户` is already a name of" in p for p in problems(tmp_path))


def test_related_term_must_exist(tmp_path):
    write(tmp_path, VALID.replace("related: [头部客户]", "related: [尾部客户]"))
    assert problems(tmp_path) == [
        f"{tmp_path.name}/t.yml: entry 'waist': related term `尾部客户` has no entry "
        "(use an existing entry's `term`)"
    ]


def test_unknown_source_file(tmp_path):
    write(
        tmp_path,
        VALID.replace(
            "sources: [000_335af4e072a261b0.txt]\n  - id: head", "sources: [999.txt]\n  - id: head"
        ),
    )
    assert problems(tmp_path) == [
        f"{tmp_path.name}/t.yml: entry 'waist': unknown source `999.txt` (add it to knowledge/sources.yml)"
    ]


def test_unknown_field_and_category(tmp_path):
    write(
        tmp_path,
        VALID.replace(
            "category: 客户分类\n    short: 中间", "category: 其他\n    colour: red\n    short: 中间"
        ),
    )
    found = problems(tmp_path)
    assert any("unknown field `colour`" in p for p in found)
    assert any("category `其他` is not one of" in p for p in found)


def test_duplicate_id(tmp_path):
    write(tmp_path, VALID.replace("id: head", "id: waist"))
    assert any("id `waist` is already used" in p for p in problems(tmp_path))


def test_broken_yaml(tmp_path):
    (tmp_path / "bad.yml").write_text("topic: x\nentries: [\n", encoding="utf-8")
    assert problems(tmp_path)[0].startswith(f"{tmp_path.name}/bad.yml: not valid YAML")


def test_all_problems_are_reported_together(tmp_path):
    write(
        tmp_path,
        VALID.replace("related: [头部客户]", "related: [尾部客户]").replace(
            "    short: 头部客户就是大客户。\n", ""
        ),
    )
    assert len(problems(tmp_path)) == 2


def test_registered_sources_are_the_seed_files():
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seeds folder {SEEDS_DIR} not present")
    for name in load_sources():
        assert (SEEDS_DIR / name).is_file(), name
