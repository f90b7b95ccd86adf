"""Answer the part of a question that was asked: a passage of an entry, or of the sources.

A question names entries (or not) and may ask for one part of them (its kinds, stages, figures,
traits, examples…: the facet, from its cue words in language.yml). Without a facet and without
words beyond the term's name, the short definition answers it. Otherwise every passage is scored
by BM25 over the question's words, with more for the entries it names, for the facet it asks
for, and for curated passages over source passages as good; the best one answers. A term the
sources use without defining it is said to be so (mentions.yml, or found in the sources), also
when a longer question asks what it means (asked_term.py: 课程里讲的“头脑份额”是什么意思).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Dict, List, Sequence, Tuple

from knowledge import paths, yamlfile
from knowledge.asked_term import AskedTerm, asked_term
from knowledge.model import Entry, Mention
from knowledge.normalize import (
    fold,
    language,
    language_stamp,
    normalize_name,
    normalize_query,
    question_word_variants,
    standardize,
)
from knowledge.passages import StoredPassage, tokens
from knowledge.segment import Segmenter

if TYPE_CHECKING:
    from knowledge.search import KnowledgeBase

DEFINITION = "定义"
NOTE = "说明"  # a curator's note on the source (原文写的是三个步骤，接着却列出了五步)
SIDE_BY_SIDE_FACETS = ("比例", "区别", "构成")  # what the framework's parts say of several classes at once
NAMES = "名称"  # the facet of "what else is it called": answered from the entry's names
COVERAGE = 0.7  # the weight of "holds the question's words" against BM25's "holds them densely"
SAID = 0.9  # an entry's passage holding this share of a source passage's character pairs says it already
MENTIONED_IN = 2  # a term no entry has, in at most this many source passages, is only mentioned there
RETOLD = 0.55  # an entry's passage holding this share of a source passage's character pairs retells it


@dataclass(frozen=True)
class Answer:
    """What answers a question: ``kind`` definition | names | passage | source | mention | none."""

    kind: str
    entry: Entry | None = None
    passage: StoredPassage | None = None
    facet: str | None = None
    score: float = 0.0
    mention: Mention | None = None
    term: str = ""  # what an undefined mention is called in the question
    shared: Tuple[str, ...] = ()  # the question's specific words the passage holds
    quote: str = ""  # a source passage as quoted: with what follows it when it is short
    # For an entry's passage: the source passage that answers the question nearly as well, in the
    # seed's own words (the entry's passage retells it, or says it more briefly), as quoted.
    support: StoredPassage | None = None
    support_quote: str = ""

    @property
    def other_names(self) -> Tuple[str, ...]:
        """The entry's names besides its term (its aliases), for "what else is it called"."""
        return tuple(n for n in self.entry.names if n != self.entry.term) if self.entry else ()

    @property
    def text(self) -> str:
        """What the reply gives: the quote of a source passage, the passage, or the short answer."""
        if self.quote:
            return self.quote
        if self.kind == "names":
            return "、".join(self.other_names)
        if self.passage is not None and self.kind != "definition":
            return self.passage.text.strip()
        return self.entry.short if self.entry is not None else ""


def _settings() -> dict:
    return language().get("answers", {})


def _facet_cues() -> Tuple[Tuple[str, str], ...]:
    """(cue, facet), longest cue first."""
    return _facet_cues_of(language_stamp())


@lru_cache(maxsize=4)
def _facet_cues_of(stamp: int) -> Tuple[Tuple[str, str], ...]:
    cues = dict.fromkeys(  # in the order written: of two cues as long, the facet listed first leads
        (fold(variant), facet)
        for facet, words in (language().get("facets") or {}).items()
        for cue in words
        for variant in question_word_variants(cue)
    )
    return tuple(sorted(cues, key=lambda c: -len(c[0])))


def facets_asked(question: str) -> List[str]:
    """The parts of an entry the question asks for, by its cue words, the most strongly asked first
    (the cues' lengths add up: 几个阶段，分别叫啥 asks for stages more than for members). A
    definition cue right after another part's cue asks what that part is, not what the term means
    (黄金客户的特点是什么 asks for its traits)."""
    text = fold(question)
    cues = _facet_cues()
    definition_cues = [cue for cue, facet in cues if facet == DEFINITION]
    for cue, facet in cues:
        if facet != DEFINITION and cue in text:
            for after in definition_cues:
                text = text.replace(cue + after, cue + " ")
    weight: Dict[str, int] = {}
    for cue, facet in cues:
        if cue in text:
            weight[facet] = weight.get(facet, 0) + len(cue) * text.count(cue)
            text = text.replace(cue, " ")
    return sorted(weight, key=lambda f: -weight[f])


def facet_asked(question: str) -> str | None:
    """The part of an entry the question asks for most, by its cue words."""
    asked = facets_asked(question)
    return asked[0] if asked else None


def _generic() -> frozenset:
    return _generic_of(language_stamp())


@lru_cache(maxsize=4)
def _generic_of(stamp: int) -> frozenset:
    return frozenset(fold(w) for w in _settings().get("generic_words", []))


_PARTICLES = frozenset("的了吗呢吧啊呀哦么嘛和与跟同及或是个")


def _without_generic(text: str) -> str:
    """``text`` without the words that ask for nothing in particular (whole words only: 背 goes,
    背景 stays)."""
    generic = _generic()
    return "".join(w for w in Segmenter().words(text) if w not in generic and w not in _PARTICLES)


def _vocabulary() -> dict:
    """knowledge/vocabulary.yml: everyday words and English words in the sources' own words."""
    path = paths.PACKAGE_DIR / "vocabulary.yml"
    return yamlfile.read(path) if path.exists() else {}


def _english() -> Dict[str, str]:
    return {k.lower(): v for k, v in (_vocabulary().get("english") or {}).items()}


def _singular(word: str, words: Dict[str, str]) -> str:
    """An English word as the vocabulary lists it: customers → customer, strategies → strategy."""
    word = word.lower().removesuffix("'s")
    if word in words:
        return word
    for ending, instead in (("ies", "y"), ("ses", "s"), ("es", ""), ("s", "")):
        stem = word[: -len(ending)] + instead
        if word.endswith(ending) and stem in words:
            return stem
    return word


def in_chinese(question: str) -> str:
    """English words of a question in the sources' Chinese (which share of customers are VIP…),
    plurals as their singular (key accounts → 关键客户)."""
    words = _english()
    for phrase in sorted((w for w in words if " " in w), key=len, reverse=True):
        *head, last = phrase.split()
        pattern = r"\b" + "".join(re.escape(w) + r"\s+" for w in head) + re.escape(last) + r"(?:e?s)?\b"
        question = re.sub(pattern, words[phrase], question, flags=re.IGNORECASE)
    return re.sub(
        r"[A-Za-z][A-Za-z'-]*", lambda m: words.get(_singular(m.group(0), words), m.group(0)), question
    )


def with_synonyms(text: str) -> str:
    """``text`` and the sources' words for what it says otherwise (生意 → 业务)."""
    extra = [
        word
        for said, theirs in (_vocabulary().get("synonyms") or {}).items()
        if said in text
        for word in theirs
    ]
    return text + (" " + " ".join(extra) if extra else "")


def asked_words(question: str) -> str:
    """The question without its fillers, facet cues and words that ask for nothing in particular:
    the words passages are matched on (怎么维护 and 有什么区别 leave nothing)."""
    text = fold(question)
    for cue, _ in _facet_cues():
        text = text.replace(cue, " ")
    return _without_generic(normalize_query(text)) if normalize_name(text) else ""


def frames(framework: Entry, member: Entry) -> bool:
    """``framework`` is a framework whose parts list ``member``, one of its classes (客户价值矩阵 and
    铁质客户, 客户金字塔 and VIP客户): the categories say which is which (``frames`` in language.yml)."""
    kinds = _settings().get("frames") or {}
    if framework.category != kinds.get("framework") or member.category != kinds.get("member"):
        return False
    parts = [p.text for p in framework.passages if p.facet == kinds.get("listed_in")]
    return any(name in text for text in parts for name in member.names) and any(
        name in member.related for name in framework.names
    )


def classes_asked(named: Sequence[Entry]) -> List[Entry]:
    """The named entries without the frameworks of other named ones: a question naming a framework
    and one of its classes asks about the class (the framework only says where it stands); naming
    two of its classes (主要客户、普通客户各占多少) it asks what the framework says of them."""
    kept = [e for e in named if _classes_framed(e, named) != 1]
    return kept or list(named)


def frameworks_asked(
    named: Sequence[Entry], facet: str | None, kb: KnowledgeBase | None = None
) -> List[Entry]:
    """For shares, differences or parts of two or more classes of one framework (金字塔里普通客户排前
    多少 主要客户呢), the framework, whose parts set them side by side; of three or more, the framework
    that frames them though it is not named (重要客户、主要客户跟普通客户分别排前百分之几); else ``named``."""
    if facet not in SIDE_BY_SIDE_FACETS:
        return list(named)
    for framework in named:
        if _classes_framed(framework, named) >= 2:
            return [framework]
    if kb is not None and len(named) >= 3:
        for framework in kb.entries():
            if framework not in named and _classes_framed(framework, named) >= 3:
                return [framework]
    return list(named)


def _classes_framed(framework: Entry, named: Sequence[Entry]) -> int:
    """How many of the other named entries are classes ``framework`` frames."""
    return sum(frames(framework, other) for other in named if other is not framework)


def remainder(question: str, entries: Sequence[Entry]) -> str:
    """What the question asks beyond the names of the entries it names."""
    text = asked_words(question)
    for name in sorted({normalize_name(n) for e in entries for n in e.names}, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def answer(
    kb: KnowledgeBase, question: str, named: Sequence[Entry] = (), facet_hint: str | None = None
) -> Answer:
    """The passage (or definition, or mention) that answers ``question`` best."""
    settings = _settings()
    asked = kb.corrected(question)[0]  # 经挤大客户 → 经济大客户
    question = in_chinese(asked)  # which share of customers… → which 比例 of 客户…
    meaning_of = asked_term(asked, lambda words: _is_term(kb, words), lambda words: _is_name(kb, words))
    # A cue inside the asked term's own name is no cue (头脑份额是个啥概念 asks no 比例).
    cued = question.replace(meaning_of.text, " ") if meaning_of is not None else question
    facets = facets_asked(cued) or ([facet_hint] if facet_hint else [])
    facet = facets[0] if facets else None
    if named and facet in (None, DEFINITION) and len(remainder(asked, named)) <= 1:
        # 价值矩阵里 铁质客户是啥意思: the meaning of 铁质客户; the matrix only frames it
        meant = _entry_meant(kb, meaning_of, facet, named)
        return Answer("definition", meant or classes_asked(named)[0], facet=DEFINITION, score=1.0)
    if named and facet == NAMES:
        return Answer("names", named[0], facet=NAMES, score=1.0)  # 大客户还有啥别的叫法
    named = frameworks_asked(named, facet, kb)
    meant = _entry_meant(kb, meaning_of, facet)
    if meant is not None:
        return Answer("definition", meant, facet=DEFINITION, score=1.0)  # 讲义里的“客户金字塔”是什么意思
    undefined = _asked_undefined(kb, meaning_of, named, facet)
    if undefined is not None:
        return undefined  # 银行课程里讲的“头脑份额”是什么意思: only mentioned, never defined
    mention = kb.mention_in(question) if not named else None
    if mention is not None and (
        facet in (None, DEFINITION) or len(remainder(question, ())) <= len(mention.term) + 2
    ):
        return Answer("mention", mention=mention, term=mention.term)
    if not named and facet in (None, DEFINITION):
        term = asked_words(question)
        if 2 <= len(term) <= 12 and kb.passages_with(term):
            return _defined_in_sources(kb, term)  # 4E是啥: what the sources say of it
    if not facets:  # no cue: the part the facet head learnt (a name alone was answered above)
        facets = learned_facets(kb, question)
        facet = facets[0] if facets else None
    query = question_tokens(kb, question)
    index = kb.passage_index
    scored = ranked(kb, query, named, facets, subjects(question), index.written.closeness(asked))
    if not scored:
        return _undefined_or_none(kb, question, named)
    best_score, best, at = _whole_list_instead(kb, scored, query) or _curated_instead(scored)
    best, at = _named_instead(scored, best, at, named)
    if best_score < settings.get("min_score", 0.3) and not _of_named(best, named):
        return _undefined_or_none(kb, question, named)
    shared = tuple(index.shared_words(query, at, settings.get("specific_word", 3.0)))
    if best.curated:
        entry = kb.get(best.entry_id)
        if best.kind == "short":
            return Answer("definition", entry, best, facet, round(best_score, 4), shared=shared)
        support, quote = _supporting_source(index, scored, best_score, best, settings)
        return Answer(
            "passage",
            entry,
            best,
            facet,
            round(best_score, 4),
            shared=shared,
            support=support,
            support_quote=quote,
        )
    return Answer("source", None, best, facet, round(best_score, 4), shared=shared, quote=index.quoted(at))


def question_tokens(kb: KnowledgeBase, question: str) -> List[str]:
    """The tokens passages are matched on. The cue words count too: the passage that answers
    包括哪几类 often says 包括."""
    return tokens(with_synonyms(_without_generic(normalize_query(question))), kb.segmenter)


def learned_facets(kb: KnowledgeBase, question: str) -> List[str]:
    """The part of an entry a question with no cue word asks for, as the reader's facet head learnt
    it from the questions written for each part (零价值以下客户点处理: its strategy), when sure enough."""
    from knowledge.customers.reader import model

    head = model().facet
    if head is None:
        return []
    found = head.distribution(_term_masker(kb)(question), "facet")
    best = max(found, key=found.get)
    return [best] if found[best] >= _settings().get("learned_facet", 0.6) else []


_MASKERS: Dict[str, Callable[[str], str]] = {}  # knowledge-base content → its terms' masking


def _term_masker(kb: KnowledgeBase) -> Callable[[str], str]:
    """The facet head's masking of ``kb``'s terms' names, prepared once per knowledge-base content."""
    from knowledge.customers.training import term_masker

    key = kb.content_hash
    if key not in _MASKERS:
        _MASKERS.clear()  # an edited knowledge base: the old names go
        _MASKERS[key] = term_masker([n for e in kb.entries() for n in e.names])
    return _MASKERS[key]


def subjects(question: str) -> Dict[str, float]:
    """How likely the question is about each entry (by id) or seed file, as the reader's subject
    head learnt it from the questions written for the passages: 一个大客户经理平均要管多少家客户
    is about the key-account department, though it names none."""
    from knowledge.customers.reader import model

    head = model().subject
    return head.distribution(standardize(question), "subject") if head is not None else {}


def ranked(
    kb: KnowledgeBase,
    query: Sequence[str],
    named: Sequence[Entry],
    facets: Sequence[str],
    about: Dict[str, float] | None = None,
    alike: Dict[int, float] | None = None,
) -> List[Tuple[float, StoredPassage, int]]:
    """Every passage sharing a word with ``query``, best first: (score, passage, place in the index);
    ``about`` is how likely the question is about each entry or seed file (``subjects``), ``alike``
    how closely it resembles the closest question written for a passage (by place in the index)."""
    settings = _settings()
    facet = facets[0] if facets else None
    index = kb.passage_index
    raw = index.scores(query)
    if not raw:
        return []
    weight = index.weight(query)
    covered = index.coverage(query)
    named_ids = {e.id for e in named}
    named_keys = [normalize_name(n) for e in named for n in e.names]
    related = settings.get("related_facets") or {}
    has_facet = index.entries_with_facet.get(facet, frozenset())
    scored: List[Tuple[float, StoredPassage, int]] = []
    for at, value in raw.items():
        passage = index.passages[at]
        if named_ids and passage.kind == "short" and passage.entry_id not in named_ids:
            continue  # a question about A类 is not answered with what C类 is (a question for it
            # phrased alike, written for C类's short answer, must not carry it)
        # How much of the question the passage holds, and (less) how densely: BM25; then what
        # the question names and asks for make it count more.
        score = COVERAGE * covered[at] + (1 - COVERAGE) * min(value / weight, 1.0)
        boost = 1.0
        if passage.entry_id in named_ids:
            boost += settings.get("entry_named", 0.3)
        elif passage.curated and named_keys and not _names(passage, named_keys):
            boost -= settings.get("named_absent", 0.0)  # not another entry's passage sharing only 说白了
        if facets and facets[0] in passage.facets:
            boost += settings.get("facet", 0.3)
        elif len(facets) > 1 and facets[1] in passage.facets:
            boost += settings.get("facet", 0.3) / 2
        elif passage.entry_id not in has_facet and set(passage.facets) & set(related.get(facet, ())):
            boost += settings.get("facet", 0.3)  # who counts as 白金客户: its definition says
        if passage.curated:
            boost += settings.get("curated", 0.1)
        if NOTE in passage.facets and NOTE not in facets:
            boost -= settings.get("note", 0.0)  # 市场细分咋个搞 一步一步讲: the steps, not the note on them
        if passage.kind == "short" and facet not in (None, DEFINITION) and passage.entry_id in has_facet:
            boost -= settings.get("facet", 0.3)  # asked for one part the entry has: not the summary
        if about:
            boost += settings.get("subject", 0.2) * about.get(passage.entry_id or passage.source, 0.0)
        if alike:
            boost += settings.get("written", 0.0) * alike.get(at, 0.0)
        scored.append((score * boost, passage, at))
    scored.sort(key=lambda s: (-s[0], s[1].id))
    return scored


def _names(passage: StoredPassage, keys: Sequence[str]) -> bool:
    """The passage holds one of the (normalised) names ``keys``."""
    text = normalize_name(passage.text)
    return any(key in text for key in keys)


def _of_named(passage: StoredPassage, named: Sequence[Entry]) -> bool:
    """A passage of an entry the question names: it answers however low it scores (the words
    around the name, 老师好想请教一下…我怕以后分不清楚, dilute the score, not the name)."""
    return passage.entry_id is not None and passage.entry_id in {e.id for e in named}


def _whole_list_instead(
    kb: KnowledgeBase, scored: List[Tuple[float, StoredPassage, int]], query: Sequence[str]
):
    """The best passage is one item of a list, but the question's words it holds are all in the
    list's lead-in (电信客户价值的驱动因素有哪八个方面): the whole list answers, with the best
    score; an item answers when the question names something of its own (网络质量指什么)."""
    _, best, at = scored[0]
    if best.kind != "item":
        return None
    lead, _, own = best.text.strip().rpartition("\n")  # an item: its list's lead-in, then itself
    specific = kb.passage_index.shared_words(query, at, _settings().get("specific_word", 3.0))
    if not lead or any(word in fold(own) for word in specific):
        return None
    for _, passage, at in scored[1:]:
        if passage.kind != "item" and passage.entry_id == best.entry_id and passage.source == best.source:
            if passage.text.startswith(lead):
                return scored[0][0], passage, at
    return None


def _pairs(text: str) -> set:
    folded = re.sub(r"[\W_]+", "", fold(text))
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def _curated_instead(scored: List[Tuple[float, StoredPassage, int]]):
    """The best of ``scored``; but when it is a source passage that an entry's passage among the
    next best retells (most of its character pairs in it), that passage: the curated text says the
    same, cleaned, with its short answer and its sources."""
    best = scored[0]
    if best[1].curated:
        return best
    retold = _retelling(scored, best[1], lambda passage: True)
    return (best[0], *retold) if retold else best


def _named_instead(
    scored: List[Tuple[float, StoredPassage, int]], best: StoredPassage, at: int, named: Sequence[Entry]
) -> Tuple[StoredPassage, int]:
    """``best``; but when it is another entry's passage than the ones the question names, and a
    passage of a named entry among the next best retells it, that passage: the same words, under
    the term asked about (战略客户主要包括哪些 is answered as 战略客户, not as 经济大客户, whose
    passage lists the same kinds)."""
    named_ids = {e.id for e in named}
    if not named_ids or not best.curated or best.entry_id in named_ids:
        return best, at
    return _retelling(scored, best, lambda passage: passage.entry_id in named_ids) or (best, at)


def _retelling(scored, told: StoredPassage, allowed: Callable[[StoredPassage], bool], look: int = 10):
    """(passage, place) of the first of the ``look`` best passages that is an entry's (not its short
    answer), ``allowed``, and holds ``RETOLD`` of ``told``'s character pairs; None if none does."""
    said = _pairs(told.text)
    if not said:
        return None
    for _, candidate, place in scored[:look]:
        if candidate is told or not candidate.curated or candidate.kind == "short" or not allowed(candidate):
            continue
        if len(said & _pairs(candidate.text)) >= RETOLD * len(said):
            return candidate, place
    return None


def _supporting_source(index, scored, best_score: float, best: StoredPassage, settings: dict):
    """The best source passage for the question, when it scores at least ``support`` of the entry's
    passage that answers, is about what that passage says (``support_overlap`` of its character
    pairs in it) and says something that passage does not already say word for word."""
    for score, passage, at in scored:
        if passage.curated:
            continue
        if score < settings.get("support", 0.5) * best_score:
            return None, ""
        quote = index.quoted(at)
        pairs = _pairs(quote)
        shared = len(pairs & _pairs(best.text)) / len(pairs) if pairs else 1.0
        if not settings.get("support_overlap", 0.15) <= shared < SAID:
            return None, ""
        return passage, quote
    return None, ""


def is_sure(found: Answer, on_topic: bool = False) -> bool:
    """The answer to a message the NLU took for something else (out of scope, unclear) is sure
    enough to give: a close match that shares several specific words with the question, so that
    你有感情吗 (感情) or 没讲清楚 stay what they are; for a message about customer management
    (``on_topic``, the reader's word), one specific word will do (施乐 in 施乐给电信行业做的啥方案)."""
    settings = _settings()
    words = settings.get("on_topic_words", 1) if on_topic else settings.get("sure_words", 3)
    return _close_enough(found, settings.get("sure_score", 0.6), words)


def is_likely(found: Answer, on_topic: bool = False) -> bool:
    """Not sure, but close enough to be offered as the closest passage (saying so); for a message
    about customer management, a close match alone (一个客户的价值由哪几块组成 shares no rare word
    with 历史价值、当前价值和潜在价值, yet is about them)."""
    settings = _settings()
    words = settings.get("on_topic_likely_words", 0) if on_topic else settings.get("likely_words", 2)
    return _close_enough(found, settings.get("likely_score", 0.4), words)


def _close_enough(found: Answer, score: float, words: int) -> bool:
    close = found.kind in ("passage", "source", "definition") and found.score >= score
    return close and len(found.shared) >= words


# A source passage that defines X: X是… / X指… / 所谓X / X（…）是…
def _defines(term: str, text: str) -> bool:
    escaped = re.escape(term)
    return bool(
        re.search(rf"{escaped}(?:[（(][^）)]*[）)])?(?:就是|是指|指的是|即|是|指)|所谓(?:的)?{escaped}", text)
    )


def _defined_in_sources(kb: KnowledgeBase, term: str) -> Answer:
    """A term no entry has but the sources use: the passage that defines it, or that it is only mentioned."""
    passages = kb.passages_with(term)
    defining = [p for p in passages if _defines(term, fold(p.text))]
    if defining:
        quote = kb.passage_index.quoted(kb.passage_index.at[defining[0].id])
        return Answer("source", passage=defining[0], facet=DEFINITION, score=1.0, term=term, quote=quote)
    return Answer("mention", passage=passages[0], term=term)


def _entry_meant(
    kb: KnowledgeBase, term: AskedTerm | None, facet: str | None, named: Sequence[Entry] = ()
) -> Entry | None:
    """The entry whose meaning the question asks, the words around it only where it was met
    (讲义里的“客户金字塔”是什么意思): its name quoted or right before a meaning cue, or right before
    a plain one when it is one of the entries the question names (关键客户管理制度里关键客户是怎么
    定义的: 关键客户, met in the system's text)."""
    if facet not in (None, DEFINITION) or term is None:
        return None
    entry = kb.get(term.text)
    return entry if term.sure or (entry is not None and entry in named) else None


def _asked_undefined(
    kb: KnowledgeBase, term: AskedTerm | None, named: Sequence[Entry], facet: str | None
) -> Answer | None:
    """The answer to a question for the meaning of ``term``, which no entry has (asked_term.py):
    what the sources say defines it, or that they only mention it; None for a term an entry has,
    or when the question asks for something else of it."""
    if term is None or kb.get(term.text) is not None:
        return None
    key = normalize_name(term.text)
    if any(key in normalize_name(n) for e in named for n in e.names):
        return None  # 战略客户是什么: the named entry answers
    if named and not term.sure:
        return None  # 战略寻源的第一步是什么: of the named entry
    mention = _mention_called(kb, key)
    if facet not in (None, DEFINITION) and not term.sure and mention is None:
        return None
    if mention is not None:  # also what else is asked of it (和蝴蝶啥区别): the sources only mention it
        return Answer("mention", mention=mention, term=mention.term)
    passages = kb.passages_with(term.text)
    if not passages or len(passages) > MENTIONED_IN or (len(key) < 3 and not term.marked):
        return None  # 用户满意战略 runs through a whole case: the passages answer, not "undefined"
    return _defined_in_sources(kb, term.text)


def _mention_called(kb: KnowledgeBase, key: str) -> Mention | None:
    """The mention one of whose names is ``key`` (normalised), if any."""
    return next((m for m in kb.mentions() if key in {normalize_name(n) for n in m.names}), None)


def _is_name(kb: KnowledgeBase, words: str) -> bool:
    """An entry's or a mention's name."""
    return kb.get(words) is not None or _mention_called(kb, normalize_name(words)) is not None


def _is_term(kb: KnowledgeBase, words: str) -> bool:
    """An entry's or a mention's name, or words the sources use."""
    key = normalize_name(words)
    if _is_name(kb, words):
        return True
    return len(key) >= 2 and bool(kb.passages_with(words))


def _undefined_or_none(kb: KnowledgeBase, question: str, named: Sequence[Entry]) -> Answer:
    """Nothing scores: a term the sources use, said to be undefined there, or nothing."""
    term = asked_words(question)
    if named or not 2 <= len(term) <= 12 or not kb.passages_with(term):
        return Answer("none")
    return _defined_in_sources(kb, term)


def defining_passage(entry: Entry, other: Entry | None = None) -> str:
    """What to set beside another term in a comparison: the passage of ``entry`` that names the
    other one (与第Ⅲ类客户不同的是…), else its first passage (closest to the source's own
    definition), else its short answer."""
    own = [p.text for p in entry.passages]  # what the index holds as the entry's "answer" passages
    if other is not None:
        names = [normalize_name(n) for n in other.names]
        naming = [text for text in own if any(n in normalize_name(text) for n in names)]
        if naming:
            return naming[0].strip()
    return own[0].strip() if own else entry.short
