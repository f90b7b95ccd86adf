"""Normalise Chinese text before matching: script, width, case, punctuation, fillers.

``to_simplified`` and ``fold`` keep the text's length, so entity offsets computed
on normalised text stay valid on the original (the NLU component relies on this).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, List, Sequence

from knowledge import paths, yamlfile


@lru_cache(maxsize=1)
def _converter():
    import opencc  # imported lazily: loading its dictionaries takes a moment

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def _char_to_simplified(char: str) -> str:
    converted = _converter().convert(char)
    return converted if len(converted) == 1 else char


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, character for character."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to single characters.
    return "".join(_char_to_simplified(c) for c in text)


def _width_fold(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


# Cantonese function words that have one Mandarin equivalent, character for character (唔低 is 不低,
# 冇订单 没订单, 佢嘅 他的, 削咗 削了). 係 (是, but also 系 of 關係) and 啲 (些 or 的) are left alone.
_CANTONESE = str.maketrans({"唔": "不", "冇": "没", "佢": "他", "嘅": "的", "咗": "了", "哋": "们"})


def standardize(text: str) -> str:
    """Simplified script, half-width letters, digits and punctuation, Cantonese function words in
    Mandarin; same length."""
    return to_simplified("".join(_width_fold(c) for c in text)).translate(_CANTONESE)


def readable(text: str) -> str:
    """What a person can read in ``text``; empty when that is no letter or digit at all.

    Line breaks and tabs become spaces; other control characters, format characters
    (zero-width, bidirectional overrides, BOM), private-use code points, lone
    surrogates and unassigned code points are dropped. A message of emoji,
    punctuation or blanks only reads as empty.
    """
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category[0] != "C":
            kept.append(char)
    cleaned = "".join(kept).strip()
    return cleaned if any(unicodedata.category(c)[0] in "LN" for c in cleaned) else ""


def fold(text: str) -> str:
    """``standardize`` plus lower case: the form names and questions are compared in."""
    return standardize(text).lower()


def strip_punctuation(text: str) -> str:
    """Keep only letters and digits (CJK included)."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def language() -> dict:
    """knowledge/language.yml, re-read when it changes."""
    return yamlfile.read(paths.LANGUAGE_FILE)


def language_stamp() -> int:
    """A cache key for what is derived from language.yml."""
    return yamlfile.stamp(paths.LANGUAGE_FILE)


def question_word_variants(cue: str) -> List[str]:
    """``cue`` and the cue with its question word in each other register (怎么维护, 咋维护, 点样维护;
    是什么意思, 是啥子意思): ``question_word_variants`` in language.yml."""
    found = [cue]
    for word, others in (language().get("question_word_variants") or {}).items():
        if word in cue:
            found += [cue.replace(word, other) for other in others]
    return found


def _filler_pattern(fillers: Iterable[str]) -> re.Pattern:
    ordered = sorted({strip_punctuation(fold(f)) for f in fillers if f}, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in ordered if f))


def _default_filler_pattern() -> re.Pattern:
    return _filler_pattern_of(language_stamp())


@lru_cache(maxsize=4)
def _filler_pattern_of(stamp: int) -> re.Pattern:
    return _filler_pattern(language().get("fillers", []))


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """The key a term, alias or question is matched by (kept for the passages, names and questions
    seen: the search normalised each passage again for each question, a fifth of the action
    server's time under load, profiled)."""
    return strip_punctuation(fold(text))


def normalize_query(text: str, fillers: Sequence[str] | None = None) -> str:
    """A question reduced to what it asks about: 什么是“腰部客戶”？ → 腰部客户."""
    key = normalize_name(text)
    pattern = _default_filler_pattern() if fillers is None else _filler_pattern(fillers)
    stripped = pattern.sub("", key) if pattern.pattern else key
    stripped = stripped.strip("的")
    return stripped or key
