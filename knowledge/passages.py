"""Passages, the parts of an answer: of the curated entries and of the cleaned sources.

The build turns every entry into passages (its short answer, each passage of its answer, its
strategy) and every cleaned source (knowledge/seeds.py) too, and stores them with the words they
are found by. The search ranks them with BM25 over jieba words and character pairs, so a typo or
an unsegmented word still meets its passage, and by how closely the question resembles one of the
questions written for each passage (knowledge/asked/).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.model import Entry
from knowledge.normalize import fold, standardize
from knowledge.seeds import SourcePassage
from knowledge.segment import Segmenter

K1, B = 1.2, 0.75
# Words too common to tell passages apart (they still count inside character pairs).
STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 对 为 把 被 也 都 就 还 而 并 一个 这个 那个 什么 怎么 如何 哪些 可以".split()
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
BIGRAM = "§"  # the mark of a character-pair token
# A source passage shorter than this is quoted with what follows it, up to the longer length.
QUOTE_LEAST, QUOTE_MOST = 100, 320
SENTENCE_ENDS = "。！？!?；;…）)」”"
# How many of the written questions closest to a question are looked at (each passage's closest counts).
NEIGHBOURS = 50


def tokens(text: str, segmenter: Segmenter) -> List[str]:
    """The words of ``text`` (search mode: long words also give their parts) and its character pairs."""
    folded = fold(text)
    words = [w for w in segmenter.cut(folded) if (len(w) > 1 or not _CJK.match(w)) and w not in STOP_WORDS]
    words = [w for w in words if re.search(r"\w", w)]
    pairs = [
        f"{BIGRAM}{a}{b}" for a, b in zip(folded, folded[1:], strict=False) if _CJK.match(a) and _CJK.match(b)
    ]
    return words + pairs


def facets_of(text: str, facet: str | None, outline: bool = False) -> List[str]:
    """What a passage can answer: its curated facet, or what its text shows (a list, figures, a case)."""
    if facet:
        return [facet]
    found = []
    items = re.findall(r"(?:^|[：:；;\s])(?:\d{1,2}[、.．)]|[一二三四五六七八九十][、.．])", text)
    if outline or len(items) >= 2:  # a list, not one item of it
        found += ["构成", "阶段"]
    elif re.search(r"包括|包含|分为|分成|有以下|主要有|由.{1,12}组成|三类|四类|三种|四种|两类|两种", text):
        found.append("构成")
    if re.search(
        r"\d+(?:\.\d+)?\s*(?:%|倍|个|家|位|万|亿|年|步)|百分之|[一二三四五六七八九十两]+(?:倍|成|个|步|种|类)",
        text,
    ):
        found.append("比例")
    if re.search(r"例如|比如|案例|譬如|如[:：]", text):
        found.append("例子")
    if re.search(r"不同的是|不同于|区别|相比|相对于|不是.{1,20}而是|与.{1,12}不同", text):
        found.append("区别")
    if re.search(r"策略|应当|应该|必须|要[^求]|建议", text):
        found.append("策略")
    return found


_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.、．)]|[-–·•])\s*", re.M)


def list_items(text: str) -> Tuple[str, List[str]]:
    """A list passage's lead-in and its items (其中的“客户”包括： / 1. 外客户：…); no items if no list."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    items = [line for line in lines if _LIST_ITEM.match(line)]
    if len(items) < 2:
        return text.strip(), []
    lead = "\n".join(line for line in lines[: lines.index(items[0])])
    return lead, items


def compact(text: str, limit: int = 640) -> str:
    """A long list passage cut to fit a phone: its lead-in and each item's beginning, every item
    given an equal share of ``limit`` and cut after the last clause that fits (…), so each stage
    or step keeps what it is, not only its title."""
    lead, items = list_items(text)
    if len(text) <= limit or not items:
        return text.strip()
    share = max(24, (limit - len(lead)) // len(items))
    shortened = []
    for item in items:
        if len(item) > share:
            cut = max(item.rfind(c, 0, share) for c in "，,；;。：:")
            item = item[: cut if cut > share // 3 else share].rstrip("，,；;。：: ") + "…"
        shortened.append(item)
    return "\n".join(filter(None, [lead, *shortened]))


# A space the scraping left between two Chinese characters or marks (公司 不投入 任何资源).
_CJK_OR_MARK = r"\u2018-\u201d\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_STRAY_SPACE = re.compile(rf"(?<=[{_CJK_OR_MARK}])[ \t\u3000]+(?=[{_CJK_OR_MARK}])")


def excerpt(text: str, limit: int = 300) -> str:
    """A source passage shortened to support an answer, without the spaces scraping left between
    Chinese characters: a list as ``compact`` cuts it, other text up to the last sentence that
    fits within ``limit`` characters (…)."""
    text = _STRAY_SPACE.sub("", text.strip())
    if len(text) <= limit:
        return text
    if list_items(text)[1]:
        return compact(text, limit)
    cut = max(text.rfind(c, 0, limit) for c in "。！？；!?;")
    return text[: cut + 1 if cut > limit // 3 else limit] + "…"


def entry_rows(entry: Entry, segmenter: Segmenter) -> Iterable[dict]:
    """An entry's passages as database rows: its short answer, its answer's passages, its strategy;
    each item of a list with long items also on its own (全面客户服务阶段有什么特点)."""
    parts: List[Tuple[str, str, str | None]] = [("short", entry.short, "定义")]
    for p in entry.passages:
        parts.append(("answer", p.text, p.facet))
        lead, items = list_items(p.text)
        if items and len(p.text) > 360:
            parts += [("item", f"{lead}\n{item}" if lead else item, "item") for item in items]
    if entry.strategy:
        parts.append(("strategy", entry.strategy, "策略"))
    for position, (kind, text, facet) in enumerate(parts):
        # An item is one member of a list: it never answers "what are they all".
        facets = (
            [f for f in facets_of(text, None) if f not in ("构成", "阶段")]
            if facet == "item"
            else facets_of(text, facet)
        )
        facet = None if facet == "item" else facet
        yield {
            "entry_id": entry.id,
            "source": None,
            "position": position,
            "kind": kind,
            "heading": entry.term,
            "facet": facet,
            "facets": json.dumps(facets, ensure_ascii=False),
            "text": text,
            # The entry's names are part of what each of its passages is found by.
            "tokens": json.dumps(tokens(" ".join(entry.names) + "\n" + text, segmenter), ensure_ascii=False),
        }


def source_rows(found: Sequence[SourcePassage], segmenter: Segmenter) -> Iterable[dict]:
    for passage in found:
        yield {
            "entry_id": None,
            "source": passage.file,
            "position": passage.position,
            "kind": "outline" if passage.outline else "source",
            "heading": passage.heading,
            "facet": None,
            "facets": json.dumps(facets_of(passage.text, None, passage.outline), ensure_ascii=False),
            "text": passage.text,
            "tokens": json.dumps(
                tokens(passage.heading + "\n" + passage.text, segmenter), ensure_ascii=False
            ),
        }


@dataclass(frozen=True)
class StoredPassage:
    """A passage as the search reads it back."""

    id: int
    entry_id: str | None
    source: str | None
    position: int
    kind: str  # short | answer | item | strategy | source | outline
    heading: str
    facets: Tuple[str, ...]
    text: str
    asked: Tuple[str, ...] = ()  # the questions written for it (knowledge/asked/)

    @property
    def curated(self) -> bool:
        return self.entry_id is not None


class WrittenQuestions:
    """The questions written for the passages, as a nearest-neighbour index: character 1–3-grams
    weighed by TF-IDF, like the reader's heads. A question in users' words resembles the questions
    written in users' words for the part it asks (黄金客户都有啥特点 those of the traits passage, not
    of the definition), which BM25 over the passage's words, the written questions' words pooled in,
    does not tell apart as well."""

    def __init__(self, owners: Sequence[int], questions: Sequence[str]) -> None:
        self.owners = np.asarray(owners, dtype=np.int64)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        texts = [standardize(q) for q in questions]
        self.matrix = self.vectorizer.fit_transform(texts) if texts else None

    def closeness(self, question: str, neighbours: int = NEIGHBOURS) -> Dict[int, float]:
        """For the passages with one of the ``neighbours`` written questions closest to ``question``:
        the cosine of their closest one (passage place → 0…1)."""
        if self.matrix is None or not question.strip():
            return {}
        similarity = (self.matrix @ self.vectorizer.transform([standardize(question)]).T).toarray().ravel()
        count = min(neighbours, len(similarity))
        found: Dict[int, float] = {}
        for row in np.argpartition(-similarity, count - 1)[:count]:
            if similarity[row] > 0:
                owner = int(self.owners[row])
                found[owner] = max(found.get(owner, 0.0), float(similarity[row]))
        return found


class PassageIndex:
    """BM25 over the passages' tokens, in memory (a few thousand passages)."""

    def __init__(self, rows: Iterable[Tuple[StoredPassage, List[str]]]) -> None:
        self.passages: List[StoredPassage] = []
        self.postings: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        self.lengths: List[int] = []
        for index, (passage, words) in enumerate(rows):
            self.passages.append(passage)
            self.lengths.append(len(words))
            for token, count in Counter(words).items():
                self.postings[token].append((index, count))
        self.average = sum(self.lengths) / len(self.lengths) if self.lengths else 1.0
        n = len(self.passages)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    @cached_property
    def written(self) -> WrittenQuestions:
        """The questions written for the passages, indexed on the first question that needs them."""
        pairs = [(at, q) for at, p in enumerate(self.passages) for q in p.asked]
        return WrittenQuestions([at for at, _ in pairs], [q for _, q in pairs])

    @cached_property
    def folded(self) -> List[str]:
        """Each passage's text folded (script, width, case), for looking a term up in them."""
        return [fold(p.text) for p in self.passages]

    def scores(self, query: Sequence[str]) -> Dict[int, float]:
        """BM25 of every passage sharing a token with ``query`` (passage index → score)."""
        found: Dict[int, float] = defaultdict(float)
        for token in set(query):
            idf = self.idf.get(token)
            if idf is None:
                continue
            for index, count in self.postings[token]:
                norm = count + K1 * (1 - B + B * self.lengths[index] / self.average)
                found[index] += idf * count * (K1 + 1) / norm
        return found

    def coverage(self, query: Sequence[str]) -> Dict[int, float]:
        """For every passage sharing a token with ``query``: the share of the query's weight it holds
        (each token weighed by its rarity; one no passage has weighs as the rarest)."""
        rarest = math.log(1 + (len(self.passages) + 0.5) / 0.5)
        unique = set(query)
        total = sum(self.idf.get(t, rarest) for t in unique) or 1.0
        found: Dict[int, float] = defaultdict(float)
        for token in unique:
            idf = self.idf.get(token)
            if idf is None:
                continue
            for index, _ in self.postings[token]:
                found[index] += idf / total
        return found

    @cached_property
    def entries_with_facet(self) -> Dict[str, frozenset]:
        """Facet → the entries one of whose passages (not the short answer) has it."""
        found: Dict[str, set] = defaultdict(set)
        for p in self.passages:
            if p.curated and p.kind != "short":
                for facet in p.facets:
                    found[facet].add(p.entry_id)
        return {facet: frozenset(ids) for facet, ids in found.items()}

    @cached_property
    def at(self) -> Dict[int, int]:
        """Each passage's place in the index, by its id."""
        return {p.id: at for at, p in enumerate(self.passages)}

    def quoted(self, at: int, least: int = QUOTE_LEAST, most: int = QUOTE_MOST) -> str:
        """Source passage ``at`` as a reply quotes it: a short one (often one sentence: 关于客户忠诚度
        的培养，就像是种树。) with the passages that follow it in its section (and the next
        heading, when the passage breaks off before it), until it says at least ``least``
        characters (never more than ``most``)."""
        first = self.passages[at]
        text, heading = first.text.strip(), first.heading
        for passage in self.passages[at + 1 :]:
            if len(text) >= least or passage.curated or passage.source != first.source:
                break
            if passage.kind == "outline":  # a list the build drew from the items that follow
                continue
            piece = passage.text.strip()
            if passage.heading and passage.heading != heading:
                if text[-1] in SENTENCE_ENDS:
                    break  # another section begins
                piece, heading = f"\n{passage.heading}\n{piece}", passage.heading  # …其资料来源包括
            if len(text) + len(piece) > most:
                break
            text += piece
        return text

    def shared_words(self, query: Sequence[str], at: int, rarity: float) -> List[str]:
        """The words (not character pairs) of ``query`` that passage ``at`` holds and that are at
        least ``rarity`` rare, none inside another (近两年 counts once, not also as 两年)."""
        words = {
            t
            for t in query
            if not t.startswith(BIGRAM) and len(t) >= 2 and self.idf.get(t, 0.0) >= rarity
            and any(index == at for index, _ in self.postings[t])
        }  # fmt: skip
        return sorted(w for w in words if not any(w != other and w in other for other in words))

    def weight(self, query: Sequence[str]) -> float:
        """The most any passage could score for ``query``: its tokens' weights, once each. A word no
        passage has weighs as much as the rarest: a question about something else scores low."""
        rarest = math.log(1 + (len(self.passages) + 0.5) / 0.5)
        return sum(self.idf.get(t, rarest) for t in set(query)) or 1.0
