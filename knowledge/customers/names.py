"""The names of the frameworks' classes, hidden from the fact reader: 算不算白金客户 asks about a
class and says nothing of the customer. Read from the knowledge base's entries (their terms and
aliases), so a renamed or added class is hidden too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge import rules
from knowledge.loader import load_entries
from knowledge.normalize import standardize

PLACEHOLDER = "〈类〉"


@lru_cache(maxsize=4)
def _pattern(stamp: int) -> re.Pattern:
    ids = {
        rule["class"]
        for framework in rules.frameworks()
        if not framework.get("plain_names")
        for rule in framework["rules"]
        if rule.get("class")
    }
    names = {standardize(n) for e in load_entries() if e.id in ids for n in e.names}
    # A class's name without 客户 or 关键客户 is its name too: 是白金还是黄金, A类还是B类.
    names |= {_short(n) for n in names} - {None}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def mask_class_names(text: str) -> str:
    return _pattern(rules.stamp("classifications")).sub(PLACEHOLDER, text)


@lru_cache(maxsize=4)
def _framework_names(stamp: int) -> dict:
    """Each framework's names: its entry's, its classes' (labels included), with and without 客户."""
    entries = {e.id: e for e in load_entries()}
    found = {}
    for framework in rules.frameworks():
        classes = {r["class"] for r in framework["rules"] if r.get("class")}
        names = {standardize(n) for i in classes if i in entries for n in entries[i].names}
        if not framework.get("plain_names"):
            names |= {_short(n) for n in names} - {None}
        names |= {standardize(n) for n in entries[framework["entry"]].names}
        names |= {standardize(r["label"]) for r in framework["rules"] if r.get("label")}
        found[framework["id"]] = sorted(names, key=len, reverse=True)
    return found


def _short(name: str) -> str | None:
    for end in ("关键客户", "客户"):
        if name.endswith(end) and len(name) > len(end) + 1:
            return name[: -len(end)]
    return None


def framework_mentions(text: str) -> list:
    """The frameworks whose names or class names the text mentions: ``mentions:<id>`` features."""
    names = _framework_names(rules.stamp("classifications"))
    text = standardize(text)
    return [f"mentions:{fid}" for fid, words in names.items() if any(w in text for w in words)]
