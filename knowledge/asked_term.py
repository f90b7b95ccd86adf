"""The term a definition question asks about: the words right before 是什么意思 (or right after
什么是), whatever else the question names.

银行课程里讲的“头脑份额”是什么意思 asks about 头脑份额, not about 大客户营销战略, whose passage
happens to list it; 铁质客户那里说的考察期係咩意思 asks about 考察期, though 铁质客户 is named
first; 客户经理制是咋回事 asks about 客户经理制, not about 客户经理. Knowing that, a term the sources
only mention is said to be undefined instead of answered with the passage that mentions it.

The cues are data (``asked_term`` in language.yml): ``meaning`` cues ask what a word means (they
win over a term named elsewhere in the question), ``plain`` ones (是什么, 是啥) do so only when the
term is quoted or written in Latin letters (the 4E, CSF), or nothing else is named; ``before`` cues
put the term after them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator, Tuple

from knowledge.normalize import language, question_word_variants, standardize

QUOTED = re.compile(r"[“「『\"‘'《]([^”」』\"’'》]{1,16})[”」』\"’'》]")
LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&+-]*[A-Za-z0-9]|[A-Za-z]")
_TRAILING = "到底究竟具体又就这那个是叫的\u3000 "
_NOT_FIRST = "的了说讲里中这那个是在和与跟有"  # 里说的考察期: the term starts after these
_NOT_LAST = "的吗呢啊呀吧"
LONGEST = 10
# A word pointing back at a term named just before the cue (客户经理制 这个制度具体是啥, CSF分析 那是什么):
# the term is the one before it, and the pointing makes the question about that term's meaning.
_POINTING = re.compile(r"(?:[这那此该](?:个|种|项|一项)?[\u4e00-\u9fff]{0,2}|它)[\s，,]*$")


@dataclass(frozen=True)
class AskedTerm:
    """What a definition question asks about, and how surely: ``marked`` when quoted or in Latin
    letters, ``meaning`` when the cue asks what a word means (not just 是什么)."""

    text: str
    marked: bool
    meaning: bool

    @property
    def sure(self) -> bool:
        """Sure enough to win over an entry the question names elsewhere."""
        return self.marked or self.meaning


def _cues(kind: str) -> Tuple[str, ...]:
    words = (language().get("asked_term") or {}).get(kind) or []
    variants = {standardize(v) for w in words for v in question_word_variants(w)}  # 係咩 as 系咩
    return tuple(sorted(variants, key=len, reverse=True))


def _find(text: str, cues: Tuple[str, ...]) -> Iterator[Tuple[int, int]]:
    """(start, end) of each cue in ``text``, case-insensitive, leftmost first."""
    if not cues:
        return iter(())
    # An English cue is a whole word (mean, not the start of meant or meanings).
    pattern = "|".join(rf"\b{re.escape(c)}\b" if c.isascii() else re.escape(c) for c in cues)
    return ((m.start(), m.end()) for m in re.finditer(pattern, text, flags=re.IGNORECASE))


def asked_term(
    question: str, known: Callable[[str], bool], named: Callable[[str], bool] | None = None
) -> AskedTerm | None:
    """The term ``question`` asks the meaning of, if it is a definition question; ``known`` says
    whether a stretch of words is a term at all (an entry's or a mention's name, or in the sources),
    ``named`` whether it is an entry's or a mention's name (a term pointed at must be one)."""
    text = standardize(unicodedata.normalize("NFKC", question or ""))
    meaning = list(_find(text, _cues("meaning")))
    plain = list(_find(text, _cues("plain")))
    before = list(_find(text, _cues("before")))
    if not (meaning or plain or before):
        return None
    # A quoted term the cue asks about stands before it (讲义里的“客户金字塔”是什么意思), or after
    # 什么是; not in a later clause (战略客户究竟是什么意思？别只答「大客户」: the quote is an aside).
    last_after = max((start for start, _ in meaning + plain), default=-1)
    first_before = min((end for _, end in before), default=len(text) + 1)
    quoted = [
        m.group(1).strip()
        for m in QUOTED.finditer(text)
        if m.group(1).strip() and (m.end() <= last_after or m.start() >= first_before)
    ]
    if quoted:
        return AskedTerm(quoted[-1], marked=True, meaning=bool(meaning))
    for start, end in meaning + plain:
        found = _ending_at(text[:start], known)
        if found is not None and (found[1] or (start, end) in meaning):
            return AskedTerm(found[0], marked=found[1], meaning=(start, end) in meaning)
        pointed = _pointed_at(text[:start], named or known)
        if pointed is not None:
            return AskedTerm(pointed[0], marked=pointed[1], meaning=True)
        if found is not None and named is not None and named(found[0]):
            # A plain cue right after a name (船底的贝壳是啥客户, not 战略寻源的第一步是什么) asks what it is.
            return AskedTerm(found[0], marked=False, meaning=False)
    for _, end in before:
        found = _starting_at(text[end:], known)
        if found is not None:
            return AskedTerm(found[0], marked=found[1], meaning=True)  # 什么是X asks what X means
    return None


def _ending_at(prefix: str, known: Callable[[str], bool]) -> Tuple[str, bool] | None:
    prefix = prefix.rstrip(_TRAILING + "，,。？?！!")
    latin = re.search(r"(?:" + LATIN.pattern + r")$", prefix)
    if latin and _acronym(latin.group(0)):
        return latin.group(0), True
    for length in range(min(LONGEST, len(prefix)), 1, -1):
        candidate = prefix[-length:]
        if candidate[0] in _NOT_FIRST or not _is_words(candidate):
            continue
        if known(candidate):
            return candidate, False
    return None


def _pointed_at(prefix: str, known: Callable[[str], bool]) -> Tuple[str, bool] | None:
    """The term a pointing word right before the cue refers to: the longest term that ends just
    before it (客户的CSF分析 那是什么: CSF分析), in Latin letters or Chinese or both."""
    prefix = prefix.rstrip(_TRAILING.replace("这那个", "") + "，,。？?！!")
    pointing = _POINTING.search(prefix)
    if pointing is None or pointing.start() == 0:
        return None
    before = prefix[: pointing.start()]
    if before.rstrip() == before and before[-1:] not in "，,":
        return None  # 关键客户这个词: pointing words inside a phrase, not a new clause's subject
    before = before.rstrip(" ，,")
    for length in range(min(LONGEST, len(before)), 1, -1):
        candidate = before[-length:]
        if candidate[0] in _NOT_FIRST or not re.fullmatch(r"[A-Za-z0-9\u4e00-\u9fff]+", candidate):
            continue
        if known(candidate):
            return candidate, bool(LATIN.search(candidate)) and _acronym(LATIN.search(candidate).group(0))
    return None


def _starting_at(rest: str, known: Callable[[str], bool]) -> Tuple[str, bool] | None:
    rest = re.sub(r"^(?:\s|a\s|an\s|the\s|个|一个)+", "", rest, flags=re.IGNORECASE)
    latin = LATIN.match(rest)
    if latin:
        return (latin.group(0), True) if _acronym(latin.group(0)) else None
    for length in range(min(LONGEST, len(rest)), 1, -1):
        candidate = rest[:length]
        if candidate[-1] in _NOT_LAST or not _is_words(candidate):
            continue
        if known(candidate):
            return candidate, False
    return None


def _acronym(word: str) -> bool:
    """CSF, 4E, DMU: a term in Latin letters (an English word around it is not one)."""
    return bool(re.search(r"[A-Za-z]", word)) and (word.isupper() or bool(re.search(r"\d", word)))


def _is_words(text: str) -> bool:
    """Chinese characters only (a Latin term is found whole, by ``LATIN``)."""
    return all("\u4e00" <= c <= "\u9fff" for c in text)
