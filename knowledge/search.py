"""Answer a question from the built knowledge base.

Matching runs from the most to the least certain: the whole question is a name
(term, alias, or a question the source asks); names appear in it, exactly or as
a typo or near-homophone (要部客户 → 腰部客户, compared on characters and on
pinyin); full-text search over the jieba-segmented index. The database is
reloaded when it is rebuilt, so edits are answered without a restart.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

from knowledge import paths
from knowledge.model import Candidate, Entry, Mention, NameSpan, Passage, SearchResult
from knowledge.normalize import fold, language, normalize_name, normalize_query
from knowledge.passages import PassageIndex, StoredPassage
from knowledge.schema import FTS_COLUMNS
from knowledge.segment import Segmenter

# The column weights are constants of the build; the question is always a parameter.
FULL_TEXT_QUERY = (
    "select rowid, bm25(entries_fts, "
    + ", ".join(str(w) for w in FTS_COLUMNS.values())
    + ") as rank, "
    + " || ' ' || ".join(FTS_COLUMNS)
    + " as words from entries_fts where entries_fts match ? order by rank limit 8"
)
# An entry the full-text search offers holds at least this share of the question's words: one
# word in common (今天天气怎么样 and an entry that says 竞争异常激烈的今天) is no match.
MIN_COVERAGE = 0.5


class KnowledgeBaseMissing(RuntimeError):
    """The database has not been built yet."""


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@lru_cache(maxsize=8192)
def _char_pinyin(char: str) -> str:
    return lazy_pinyin(char)[0] if _is_cjk(char) else char


def _pinyin(text: str) -> str:
    return " ".join(_char_pinyin(c) for c in text)


# Sounds that salespeople's input methods and accents often confuse.
_SOUND_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ng", "n"), ("l", "n"), ("h", "f"))


@lru_cache(maxsize=8192)
def _loose_sound(syllable: str) -> str:
    for a, b in _SOUND_FOLDS:
        syllable = syllable.replace(a, b)
    return syllable


def _sound_alike(window: str, window_syllables: List[str], key: str, key_syllables: List[str]) -> float:
    """Per character: same character 1, same sound 0.9, a commonly confused sound 0.8, else 0."""
    score, same = 0.0, 0
    for a, b, pa, pb in zip(window, key, window_syllables, key_syllables, strict=True):
        if a == b:
            score += 1
            same += 1
        elif pa == pb:
            score += 0.9
        elif _loose_sound(pa) == _loose_sound(pb):
            score += 0.8
    return score / len(key) if same * 2 >= len(key) else 0.0


def _every_sound_alike(window_syllables: List[str], key_syllables: List[str]) -> bool:
    """No character of the window sounds unlike the key's (经挤 for 经济, not 是什 for 识别)."""
    return all(
        _loose_sound(a) == _loose_sound(b) for a, b in zip(window_syllables, key_syllables, strict=True)
    )


class _Snapshot:
    """Everything loaded from one version of the database file."""

    def __init__(self, db_path: Path) -> None:
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        tables = {r[0] for r in self.conn.execute("select name from sqlite_master where type = 'table'")}
        self.entries: Dict[str, Entry] = {}
        parts: Dict[str, list] = {}
        if "passages" in tables:
            for row in self.conn.execute(
                "select entry_id, text, facet from passages where kind = 'answer' order by id"
            ):
                parts.setdefault(row["entry_id"], []).append(Passage(row["text"], row["facet"]))
        for row in self.conn.execute("select * from entries order by id"):
            self.entries[row["id"]] = Entry(
                id=row["id"],
                term=row["term"],
                category=row["category"],
                topic=row["topic"],
                short=row["short"],
                answer=row["answer"],
                strategy=row["strategy"],
                aliases=tuple(json.loads(row["aliases"])),
                questions=tuple(json.loads(row["questions"])),
                related=tuple(json.loads(row["related"])),
                sources=tuple(json.loads(row["sources"])),
                file=row["file"],
                passages=tuple(parts.get(row["id"], ())),
            )
        self.by_key: Dict[str, Tuple[str, str]] = {}
        for row in self.conn.execute("select key, entry_id, kind from names order by kind desc, key"):
            self.by_key.setdefault(row["key"], (row["entry_id"], row["kind"]))
        self.rowids = dict(self.conn.execute("select rowid, id from entries").fetchall())
        self.source_titles = dict(self.conn.execute("select file, title from sources").fetchall())
        meta = dict(self.conn.execute("select key, value from meta").fetchall())
        self.content_hash = meta.get("content_hash", "")

        # Names as they may stand inside a text, longest first (经济大客户 before 大客户).
        keys = {
            (form, e.id)
            for e in self.entries.values()
            for n in e.names
            for form in (fold(n), normalize_name(n))
        }
        self.name_keys: List[Tuple[str, str]] = sorted(keys, key=lambda k: (-len(k[0]), k[0]))
        # Typo matching compares same-length windows, so names are grouped by length.
        self.fuzzy_by_length: Dict[int, List[Tuple[str, List[str], str]]] = {}
        for key, entry_id in self.name_keys:
            if len(key) >= 3 and all(_is_cjk(c) for c in key):
                syllables = [_char_pinyin(c) for c in key]
                self.fuzzy_by_length.setdefault(len(key), []).append((key, syllables, entry_id))
        # Which names of a length have a character at a place: a typo keeps at least half of them.
        self._fuzzy_places: Dict[Tuple[int, int, str], List[int]] = {}
        for length, names in self.fuzzy_by_length.items():
            for n, (key, _, _) in enumerate(names):
                for place, char in enumerate(key):
                    self._fuzzy_places.setdefault((length, place, char), []).append(n)
        self.all_keys = [k for k, _ in self.name_keys]
        self.all_pinyin = [_pinyin(k) for k in self.all_keys]
        self._segmenter: Segmenter | None = None
        self._passages: PassageIndex | None = None
        self.mentions: List[Mention] = []
        if "mentions" in tables:
            for row in self.conn.execute("select * from mentions order by term"):
                self.mentions.append(
                    Mention(
                        term=row["term"],
                        note=row["note"],
                        sources=tuple(json.loads(row["sources"])),
                        aliases=tuple(json.loads(row["aliases"])),
                        see=tuple(json.loads(row["see"])),
                    )
                )
        self.has_passages = "passages" in tables

    def alike(self, length: int, window: str) -> List[Tuple[str, List[str], str]]:
        """The names of ``length`` characters with at least half of them where ``window`` has
        them, in their order: the only ones ``_sound_alike`` can find alike (it gives every other
        name 0). Comparing each window with every name was a fifth of the action server's time
        under load, profiled."""
        same: Dict[int, int] = {}
        for place, char in enumerate(window):
            for n in self._fuzzy_places.get((length, place, char), ()):
                same[n] = same.get(n, 0) + 1
        names = self.fuzzy_by_length[length]
        return [names[n] for n in sorted(same) if same[n] * 2 >= length]

    @property
    def passages(self) -> PassageIndex:
        """Built on the first question about a part of an entry."""
        if self._passages is None:
            rows = []
            if self.has_passages:
                for row in self.conn.execute("select * from passages order by id"):
                    passage = StoredPassage(
                        id=row["id"],
                        entry_id=row["entry_id"],
                        source=row["source"],
                        position=row["position"],
                        kind=row["kind"],
                        heading=row["heading"] or "",
                        facets=tuple(json.loads(row["facets"])),
                        text=row["text"],
                        asked=tuple(json.loads(row["asked"] or "[]")),
                    )
                    rows.append((passage, json.loads(row["tokens"])))
            self._passages = PassageIndex(rows)
        return self._passages

    @property
    def segmenter(self) -> Segmenter:
        """Built on the first full-text search: most questions never need it."""
        if self._segmenter is None:
            self._segmenter = Segmenter(fold(n) for e in self.entries.values() for n in e.names)
        return self._segmenter


class KnowledgeBase:
    """Search over the SQLite knowledge base; cheap to call from any action."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.db_path = Path(db_path or paths.db_path())
        self._snapshot: _Snapshot | None = None
        self._stamp: Tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        settings = language().get("search", {})
        self.min_score = float(settings.get("min_score", 0.45))
        self.answer_score = float(settings.get("answer_score", 0.75))
        self.margin = float(settings.get("ambiguity_margin", 0.08))
        self.fuzzy_min = float(settings.get("fuzzy_min_similarity", 0.74))
        self.max_chars = int(settings.get("max_query_chars", 200))

    # -- loading -----------------------------------------------------------------
    def _current(self) -> _Snapshot:
        try:
            stat = os.stat(self.db_path)
        except FileNotFoundError:
            raise KnowledgeBaseMissing(
                f"{self.db_path} does not exist: run `python -m knowledge build` first"
            ) from None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp or self._snapshot is None:
            with self._lock:
                if stamp != self._stamp or self._snapshot is None:
                    self._snapshot = _Snapshot(self.db_path)
                    self._stamp = stamp
        return self._snapshot

    @property
    def content_hash(self) -> str:
        return self._current().content_hash

    def entries(self) -> List[Entry]:
        return sorted(self._current().entries.values(), key=lambda e: (e.topic, e.term))

    def get(self, key: str) -> Entry | None:
        """An entry by id, term or alias (in any script)."""
        snap = self._current()
        if key in snap.entries:
            return snap.entries[key]
        found = snap.by_key.get(normalize_name(key))
        if found and found[1] != "question":
            return snap.entries[found[0]]
        return None

    def source_title(self, file: str) -> str:
        return self._current().source_titles.get(file, file)

    # -- passages ------------------------------------------------------------------
    @property
    def segmenter(self) -> Segmenter:
        return self._current().segmenter

    @property
    def passage_index(self) -> PassageIndex:
        return self._current().passages

    def entries_named_with(self, word: str) -> List[Entry]:
        """The entries one of whose names contains ``word`` (价值 → 当前价值, 潜在价值, …)."""
        key = fold(word)
        found = {entry_id for name, entry_id in self._current().name_keys if key and key in name}
        return sorted((self._current().entries[i] for i in found), key=lambda e: (len(e.term), e.term))

    def passages_of(self, entry: Entry) -> List[Passage]:
        """An entry's answer, passage by passage, with the facets curators gave them."""
        return list(entry.passages)

    def mentions(self) -> List[Mention]:
        return list(self._current().mentions)

    def mention_in(self, text: str) -> Mention | None:
        """The term the sources mention without defining that ``text`` names (the longest), if any."""
        key = normalize_name(text)
        found = [(len(n), m) for m in self._current().mentions for n in m.names if normalize_name(n) in key]
        return max(found, key=lambda f: f[0])[1] if found else None

    def passages_with(self, term: str) -> List[StoredPassage]:
        """The source passages whose text contains ``term`` (folded), in their order."""
        key, index = fold(term), self.passage_index
        return [
            p for p, text in zip(index.passages, index.folded, strict=True) if not p.curated and key in text
        ]

    def answer(self, question: str, named: Sequence[Entry] = (), facet_hint: str | None = None):
        """The passage, definition or mention that answers ``question`` (knowledge/answers.py)."""
        from knowledge.answers import answer

        return answer(self, question or "", named, facet_hint)

    # -- names inside a text -------------------------------------------------------
    def find_names(self, text: str) -> List[NameSpan]:
        """Every name in ``text``, with offsets into ``text``: exact ones, then likely typos."""
        snap = self._current()
        folded = fold(text[: self.max_chars])
        taken = [False] * len(folded)
        spans: List[NameSpan] = []
        for key, entry_id in snap.name_keys:
            start = folded.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(key)
                    spans.append(NameSpan(start, end, snap.entries[entry_id], key, 1.0, "exact"))
                start = folded.find(key, start + 1)
        spans = self._longer_typos(snap, folded, spans, taken)
        spans += self._typos(snap, folded, taken)
        return sorted(spans, key=lambda s: s.start)

    @staticmethod
    def _longer_typos(
        snap: _Snapshot, folded: str, spans: List[NameSpan], taken: List[bool]
    ) -> List[NameSpan]:
        """An exact name inside a longer mistyped one is the longer one: 经挤大客户 is 经济大客户."""
        syllables = [_char_pinyin(c) for c in folded]
        result = []
        for span in spans:
            best = None
            for length in snap.fuzzy_by_length:
                if length <= span.end - span.start:
                    continue
                needed = 0.85 if length <= 5 else 0.8
                for start in range(max(0, span.end - length), min(span.start, len(folded) - length) + 1):
                    end = start + length
                    window = folded[start:end]
                    outside = [i for i in range(start, end) if not span.start <= i < span.end]
                    if any(taken[i] for i in outside) or not all(_is_cjk(c) for c in window):
                        continue
                    for key, key_syllables, entry_id in snap.alike(length, window):
                        similarity = _sound_alike(window, syllables[start:end], key, key_syllables)
                        if (
                            similarity >= needed
                            and _every_sound_alike(syllables[start:end], key_syllables)
                            and (best is None or (similarity, length) > best[:2])
                        ):
                            best = (similarity, length, start, key, entry_id)
            if best is None:
                result.append(span)
                continue
            similarity, length, start, key, entry_id = best
            taken[start : start + length] = [True] * length
            result.append(NameSpan(start, start + length, snap.entries[entry_id], key, similarity, "fuzzy"))
        return result

    def corrected(self, text: str) -> Tuple[str, List[NameSpan]]:
        """``text`` with mistyped names put right (same length: offsets hold), and every name in it."""
        spans = self.find_names(text)
        for span in spans:
            if span.method == "fuzzy":
                text = text[: span.start] + span.name + text[span.end :]
        return text, [replace(span, similarity=1.0, method="exact") for span in spans]

    @staticmethod
    def _similarity(text: str, text_pinyin: str, key: str, key_pinyin: str) -> float:
        """Whole-string likeness (a character too many or too few): 0 unless close."""
        chars = fuzz.ratio(text, key) / 100
        sound = fuzz.ratio(text_pinyin, key_pinyin) / 100
        if chars >= 0.8 or (sound >= 0.9 and chars >= 0.6):
            return max(chars, 0.97 * sound)
        return 0.0

    def _typos(self, snap: _Snapshot, folded: str, taken: List[bool]) -> List[NameSpan]:
        """Windows of the text that are a name with mistyped characters of the same or a like sound."""
        proposals = []
        syllables = [_char_pinyin(c) for c in folded]
        for length in snap.fuzzy_by_length:
            needed = 0.85 if length <= 5 else 0.8
            for start in range(0, len(folded) - length + 1):
                end = start + length
                window = folded[start:end]
                if any(taken[start:end]) or not all(_is_cjk(c) for c in window):
                    continue
                for key, key_syllables, entry_id in snap.alike(length, window):
                    similarity = _sound_alike(window, syllables[start:end], key, key_syllables)
                    if similarity >= needed:
                        proposals.append((similarity, length, start, key, entry_id))
        spans = []
        for similarity, length, start, key, entry_id in sorted(proposals, key=lambda p: (-p[0], -p[1], p[2])):
            if not any(taken[start : start + length]):
                taken[start : start + length] = [True] * length
                spans.append(
                    NameSpan(start, start + length, snap.entries[entry_id], key, similarity, "fuzzy")
                )
        return spans

    # -- searching -----------------------------------------------------------------
    def search(self, query: str, limit: int = 5) -> SearchResult:
        snap = self._current()
        query = query or ""
        key = normalize_query(query[: self.max_chars * 5])
        scores: Dict[str, Candidate] = {}

        def offer(entry_id: str, score: float, method: str, matched: str) -> None:
            held = scores.get(entry_id)
            if held is None or score > held.score:
                scores[entry_id] = Candidate(snap.entries[entry_id], round(score, 4), method, matched)

        if key:
            for probe in (normalize_name(query), key):
                if probe in snap.by_key:
                    offer(snap.by_key[probe][0], 1.0, "exact", probe)
            if not scores:
                for span in self.find_names(key):
                    if span.method == "exact":
                        offer(span.entry.id, 0.85 + 0.15 * len(span.name) / len(key), "contains", span.name)
                    else:
                        offer(span.entry.id, 0.84 * span.similarity + 0.05, "fuzzy", span.name)
                if not scores:
                    self._whole_typo(snap, key, offer)
                if max((c.score for c in scores.values()), default=0.0) < 0.9:
                    self._full_text(snap, key, offer)
        ranked = sorted(scores.values(), key=lambda c: (-c.score, -len(c.matched), c.entry.id))
        ranked = [c for c in ranked if c.score >= self.min_score][:limit]
        return SearchResult(query, key, self._status(ranked), tuple(ranked))

    def _status(self, ranked: Sequence[Candidate]) -> str:
        if not ranked:
            return "none"
        top = ranked[0]
        if top.method == "exact":
            return "found"
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= self.answer_score and top.score - runner_up >= self.margin:
            return "found"
        return "ambiguous"

    def _whole_typo(self, snap: _Snapshot, key: str, offer) -> None:
        """The whole question is a name with a character too many or too few (腰部客客户)."""
        if len(key) < 3 or len(key) > 12:
            return
        key_pinyin = _pinyin(key)
        for choices, probe in ((snap.all_keys, key), (snap.all_pinyin, key_pinyin)):
            hit = process.extractOne(probe, choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_min * 100)
            if hit:
                name = snap.all_keys[hit[2]]
                similarity = self._similarity(key, key_pinyin, name, snap.all_pinyin[hit[2]])
                if similarity >= self.fuzzy_min:
                    offer(snap.name_keys[hit[2]][1], 0.84 * similarity + 0.05, "fuzzy", name)

    def _full_text(self, snap: _Snapshot, key: str, offer) -> None:
        tokens = sorted({t for t in snap.segmenter.cut(key) if len(t) > 1 or not _is_cjk(t)})
        if not tokens:
            return
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = snap.conn.execute(FULL_TEXT_QUERY, (match,)).fetchall()
        if not rows:
            return
        best = rows[0]["rank"]
        for row in rows:
            words = set(row["words"].split())
            if sum(t in words for t in tokens) < MIN_COVERAGE * len(tokens):
                continue
            relative = row["rank"] / best if best else 0.0
            offer(snap.rowids[row["rowid"]], 0.7 * relative, "fts", key)


@lru_cache(maxsize=1)
def shared_knowledge_base() -> KnowledgeBase:
    """The process's one knowledge base (at ``KB_DB_PATH`` when first asked for), shared by the
    NLU components and the actions; it reloads itself when the database is rebuilt."""
    return KnowledgeBase()
