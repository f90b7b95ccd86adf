"""Which knowledge-base entries a message is about: plain functions, no Rasa.

Entities found by the NLU come first; without them the whole message is searched.
Follow-up questions (那它怎么维护？) fall back on the entry talked about last.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, List

from knowledge.model import NAME_METHODS, Entry, SearchResult
from knowledge.normalize import fold, language
from knowledge.search import KnowledgeBase


@dataclass
class TermLookup:
    """The entries a message names, or else the search that found none for sure."""

    entries: List[Entry] = field(default_factory=list)
    search: SearchResult | None = None
    asked: str = ""  # what the user asked about, for "no entry for X" replies

    @property
    def suggestions(self) -> List[Entry]:
        return [c.entry for c in self.search.candidates] if self.search else []


def _unique(entries: Iterable[Entry]) -> List[Entry]:
    seen, result = set(), []
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            result.append(entry)
    return result


def in_context(kb: KnowledgeBase, entries: List[Entry], text: str) -> List[Entry]:
    """``entries`` with a name two things share read as the one its context means (``senses`` in
    language.yml): 客户金字塔里重要客户占前百分之几 asks about VIP客户, not the 重要客户 of 大客户."""
    folded = fold(text)
    named = {fold(n) for e in entries for n in e.names}
    result = []
    for entry in entries:
        names = {fold(n) for n in entry.names}
        meant = entry
        for sense in language().get("senses") or []:
            if fold(sense["name"]) in names and any(
                fold(w) in folded or fold(w) in named for w in sense.get("with") or []
            ):
                meant = kb.get(sense["means"]) or entry
        result.append(meant)
    return _unique(result)


def find_terms(
    kb: KnowledgeBase, entity_values: Iterable[str], text: str, names_only: bool = False
) -> TermLookup:
    """Resolve entity values, or search ``text``; ``names_only`` ignores full-text hits. A name
    two things share is read as its context means (``in_context``)."""
    found = _find_terms(kb, entity_values, text, names_only)
    if found.entries:
        found.entries = in_context(kb, found.entries, text)
    return found


def _find_terms(
    kb: KnowledgeBase, entity_values: Iterable[str], text: str, names_only: bool = False
) -> TermLookup:
    found: List[Entry] = []
    unresolved: SearchResult | None = None
    for value in entity_values:
        entry = kb.get(value)
        if entry is None:
            result = kb.search(value)
            if result.status == "found":
                entry = result.best.entry
            elif unresolved is None:
                unresolved = result
        if entry is not None:
            found.append(entry)
    if found:
        return TermLookup(_unique(found))
    if unresolved is not None:
        return TermLookup(search=unresolved, asked=unresolved.query)

    result = kb.search(text)
    candidates = [c for c in result.candidates if not names_only or c.method in NAME_METHODS]
    named = [c.entry for c in candidates if c.method in ("exact", "contains")]
    if named:  # a name written out in the message beats any guess
        return TermLookup(_unique(named), search=result)
    if result.status == "found" and candidates and candidates[0] is result.best:
        return TermLookup([result.best.entry], search=result)
    trimmed = SearchResult(
        result.query, result.normalized, "ambiguous" if candidates else "none", tuple(candidates)
    )
    return TermLookup(search=trimmed, asked=result.normalized or text)


# What joins the two sides of a comparison: B类关键客户和C类, 黄金客户跟白金比.
COMPARISON_JOINS = "和跟与同及、比"


def _common_suffix(a: str, b: str) -> str:
    return os.path.commonprefix([a[::-1], b[::-1]])[::-1]


def shortened_partner(kb: KnowledgeBase, text: str, named: Entry) -> Entry | None:
    """The other term of a comparison written short beside the first, its shared ending left out
    (B类关键客户和C类 → C类关键客户; 黄金客户跟白金比 → 白金客户; A类和B类关键客户 → A类关键客户);
    None if the text names none."""
    folded = fold(text)
    best: tuple | None = None
    for entry in kb.entries():
        term = fold(entry.term)
        ending = _common_suffix(term, fold(named.term))
        own = term[: len(term) - len(ending)]
        if entry.id == named.id or len(ending) < 2 or not own:
            continue
        # The own part, perhaps with the start of the shared ending (C类), after a joining word.
        for kept in range(len(ending), -1, -1):
            short = own + ending[:kept]
            at = folded.find(short)
            after = at + len(short)
            joined_after = at > 0 and folded[at - 1] in COMPARISON_JOINS
            joined_before = at >= 0 and after < len(folded) and folded[after] in COMPARISON_JOINS
            if joined_after or (joined_before and folded.find(fold(named.term)) > after):
                rank = (len(ending), len(short))
                if best is None or rank > best[0]:
                    best = (rank, entry)
                break
    return best[1] if best else None
