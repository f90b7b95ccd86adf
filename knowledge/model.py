"""Plain data types of the knowledge base, free of storage and of Rasa."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

CATEGORIES = ("客户分类", "客户管理", "战略与方法", "价值概念")
# What part of an entry a passage answers; a question's cue words ask for one (language.yml `facets`).
FACETS = ("定义", "构成", "阶段", "比例", "特征", "例子", "策略", "区别", "作用", "说明")


@dataclass(frozen=True)
class Passage:
    """One part of an entry's answer (a paragraph, a list with its lead-in), or of a source."""

    text: str
    facet: str | None = None


@dataclass(frozen=True)
class Entry:
    """One curated term with its answers and provenance."""

    id: str
    term: str
    category: str
    short: str
    answer: str
    sources: Tuple[str, ...]
    topic: str
    file: str
    aliases: Tuple[str, ...] = ()
    questions: Tuple[str, ...] = ()
    related: Tuple[str, ...] = ()
    strategy: str | None = None
    passages: Tuple[Passage, ...] = ()  # the answer's parts, in order; their texts make up ``answer``

    @property
    def names(self) -> Tuple[str, ...]:
        """Every name the entry is known by: its term first, then its aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Mention:
    """A term the sources use without defining it: where, what they say, which entries to offer."""

    term: str
    note: str
    sources: Tuple[str, ...]
    aliases: Tuple[str, ...] = ()
    see: Tuple[str, ...] = ()

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Source:
    """A source document an entry may cite."""

    file: str
    title: str


NAME_METHODS = ("exact", "contains", "fuzzy")
"""Matches on a term's name; full-text hits only suggest."""


@dataclass(frozen=True)
class Candidate:
    """A search hit: an entry, how well it matched (0–1) and through what."""

    entry: Entry
    score: float
    method: str  # exact | contains | fts | fuzzy
    matched: str


@dataclass(frozen=True)
class NameSpan:
    """A knowledge-base name found in a text, exactly or as a likely typo."""

    start: int
    end: int
    entry: Entry
    name: str
    similarity: float
    method: str  # exact | fuzzy


@dataclass(frozen=True)
class SearchResult:
    """The ranked answer to one question.

    ``status`` is ``found`` (the first candidate answers the question),
    ``ambiguous`` (several candidates are about equally good) or ``none``.
    """

    query: str
    normalized: str
    status: str
    candidates: Tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None
