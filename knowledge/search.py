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
from knowledge.build import FTS_COLUMNS
from knowledge.model import Candidate, Entry, NameSpan, SearchResult
from knowledge.normalize import fold, language, normalize_name, normalize_query
from knowledge.segment import Segmenter

# The column weights are constants of the build; the question is always a parameter.
FULL_TEXT_QUERY = (
    "select rowid, bm25(entries_fts, " + ", ".join(str(w) for w in FTS_COLUMNS.values()) + ") as rank "
    "from entries_fts where entries_fts match ? order by rank limit 8"
)


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


class _Snapshot:
    """Everything loaded from one version of the database file."""

    def __init__(self, db_path: Path) -> None:
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.entries: Dict[str, Entry] = {}
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
        self.all_keys = [k for k, _ in self.name_keys]
        self.all_pinyin = [_pinyin(k) for k in self.all_keys]
        self._segmenter: Segmenter | None = None

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
        spans += self._typos(snap, folded, taken)
        return sorted(spans, key=lambda s: s.start)

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
        for length, names in snap.fuzzy_by_length.items():
            needed = 0.85 if length <= 5 else 0.8
            for start in range(0, len(folded) - length + 1):
                end = start + length
                window = folded[start:end]
                if any(taken[start:end]) or not all(_is_cjk(c) for c in window):
                    continue
                for key, key_syllables, entry_id in names:
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
            relative = row["rank"] / best if best else 0.0
            offer(snap.rowids[row["rowid"]], 0.7 * relative, "fts", key)
