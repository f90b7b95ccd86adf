"""Which knowledge-base entries a message is about: plain functions, no Rasa.

Entities found by the NLU come first; without them the whole message is searched.
Follow-up questions (那它怎么维护？) fall back on the entry talked about last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List

from knowledge.model import NAME_METHODS, Entry, SearchResult
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


def find_terms(
    kb: KnowledgeBase, entity_values: Iterable[str], text: str, names_only: bool = False
) -> TermLookup:
    """Resolve entity values, or search ``text``; ``names_only`` ignores full-text hits."""
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
