"""The fact lexicon (knowledge/frameworks/facts.yml) as signals for the fact reader.

The lexicon no longer decides anything by itself: what it finds in a clause becomes features of
the trained model (``signals``), which learns from many written examples how far to trust them.
It still reads the one-word answers to the form's questions (``loose_level``: 一般, 挺大的, 不清楚).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, NamedTuple, Tuple

from knowledge import rules
from knowledge.normalize import standardize

VALUE_DIMENSIONS = ("current_value", "growth_potential")
_CACHE: Dict[str, Tuple[int, object]] = {}


def lexicon() -> dict:
    """knowledge/frameworks/facts.yml, re-read when it changes."""
    return rules.load("facts")


def _alternation(words: List[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def has(text: str, words: List[str]) -> str | None:
    """The longest of ``words`` in ``text``, if any."""
    for word in _longest_first(tuple(words)):
        if word in text:
            return word
    return None


@lru_cache(maxsize=256)
def _longest_first(words: Tuple[str, ...]) -> Tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


class _Patterns(NamedTuple):
    cue_then_level: re.Pattern  # 潜力很大, 利润不低
    bare: re.Pattern  # 挺大的 (an answer said alone)
    any_level: re.Pattern  # 很小, 不大 after whatever subject (份额很小 as much as 量很小)
    level_of: Dict[str, str]  # 大 → high
    having: Dict[str, Tuple[re.Pattern, re.Pattern]]  # per dimension: 很有潜力 (high), 没什么潜力 (low)


@lru_cache(maxsize=8)
def _patterns(stamp: int) -> _Patterns:
    lex = lexicon()
    level_of = {w: level for level in ("medium", "low", "high") for w in lex["levels"][level]}
    level = _alternation(list(level_of))
    negator = _alternation(lex["negators"])
    intensifier = _alternation(lex["intensifiers"])
    filler = r"(?:的|也|都|还|就|其实|确实|可|倒|算|是|了|蛮)*"
    # 大概 / 大约 are "about", not "big".
    core = rf"(?P<neg>{negator})?(?:{intensifier})*(?P<level>{level})(?!概|约|致|部分|多数|都)"
    cues = {d: _alternation(lex["cues"][d]) for d in VALUE_DIMENSIONS}
    dims = "|".join(f"(?P<{d}>{cue})" for d, cue in cues.items())
    return _Patterns(
        re.compile(rf"(?:{dims}){filler}{core}"),
        re.compile(rf"^{filler}{core}(?:的|吧|啊|呢|呀|哦)*$"),
        re.compile(core),
        level_of,
        {
            d: (
                re.compile(rf"(?:很|非常|特别|挺|比较)?有(?:{cue})"),
                re.compile(rf"(?:没|没有)(?:什么|啥|多少)?(?:{cue})"),
            )
            for d, cue in cues.items()
        },
    )


def _current() -> _Patterns:
    return _patterns(rules.stamp("facts"))


def _negated(level: str, negated: bool) -> str:
    return {"high": "low", "low": "high", "medium": "low"}[level] if negated else level


def _matched_level(patterns: _Patterns, match: re.Match) -> str:
    """The level a match of a level word says, reversed by a negator before it (不大 → low)."""
    return _negated(patterns.level_of[match.group("level")], bool(match.group("neg")))


def level_in(clause: str, dimension: str) -> str | None:
    """The level the lexicon reads for a value dimension (潜力很大 → high), if any."""
    lex = lexicon()
    for level, phrases in (lex["phrases"].get(dimension) or {}).items():
        if has(clause, phrases):
            return level
    patterns = _current()
    for match in patterns.cue_then_level.finditer(clause):
        if match.group(dimension):
            return _matched_level(patterns, match)
    having, lacking = patterns.having[dimension]
    if having.search(clause):
        return "high"
    if lacking.search(clause):
        return "low"
    return None


def loose_level(text: str) -> str | None:
    """A one-word answer to "how high is …?": 一般 → medium, 挺大的 → high, 不高 → low, 不清楚 → unknown."""
    clause = standardize(text).strip(" 。.!！?？~～")
    clause = re.sub(r"^(?:不对|不是|错了|其实|嗯|呃)[，,\s]*", "", clause)
    if has(clause, lexicon()["unknown"]):
        return "unknown"
    patterns = _current()
    match = patterns.bare.match(clause)
    if match:
        return _matched_level(patterns, match)
    return None


def signals(clause: str) -> List[str]:
    """What the lexicon recognises in a clause, as feature names for the model."""
    lex = lexicon()
    found = [f"cue:{name}" for name, words in lex["cues"].items() if has(clause, words)]
    for dimension in VALUE_DIMENSIONS:
        level = level_in(clause, dimension)
        if level:
            found.append(f"{dimension}:{level}")
    if has(clause, lex["payment"]["on_time"]):
        found.append("payment:on_time")
    elif has(clause, lex["payment"]["late"]):
        found.append("payment:late")
    # The level words said of anything (份额很小, 业务量不大): the models learn whose level it is.
    patterns = _current()
    for match in patterns.any_level.finditer(clause):
        found.append(f"level:{_matched_level(patterns, match)}")
    for name in ("order_size", "order_frequency"):
        for value, phrases in lex[name].items():
            if has(clause, phrases):
                found.append(f"{name}:{value}")
    for name in ("demanding", "new_customer", "unknown", "negators"):
        if has(clause, lex[name]):
            found.append(name)
    return found


def asks_for_classification(text: str) -> bool:
    """帮我给客户归个类 / 这客户算不算大客户: the message asks for a class, with or without facts."""
    return has(standardize(text or "").lower(), lexicon()["classification_requests"]) is not None


def mentions_a_customer(text: str) -> bool:
    """The message talks about a customer or its business (他们家回款周期拉到了180天)."""
    return has(standardize(text or "").lower(), lexicon()["customer_subjects"]) is not None
