"""Typos as a pinyin input method makes them, for training the reader to read past them.

A salesperson typing by pinyin or dictating picks a character of the right sound and the wrong
meaning (潜立 for 潜力, 回宽 for 回款, 利闰 for 利润). Each training clause gets a twin with one
character replaced by the most used other character of the same sound (tones ignored), so the
reader learns the facts from the clause's other characters too. The characters of numbers, units
and periods are never replaced: the numbers are read by rule, not learnt.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Dict, Iterable, List

from pypinyin import lazy_pinyin

from knowledge.customers.numbers import DIGITS, SMALL_UNITS

# Never replaced: the characters of numbers, units and periods (read by rule), and those that turn
# a clause's meaning (negation, degree, contrast: 不经常下单 typed 布经常下单 would teach the
# reader that 经常下单 is occasional).
KEEP = set(DIGITS) | set(SMALL_UNITS) | set("万亿元块年月季度周天日个半成倍番点%第名前家单笔次")
KEEP |= set("不没无未非别否莫冇唔很太更最越挺蛮超极还也都就才又再但却而可虽然只仅")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def homophones(texts: Iterable[str]) -> Dict[str, str]:
    """For each character of ``texts``: the most used other character of the same sound in them."""
    counts = Counter(c for text in texts for c in text if _is_cjk(c))
    by_sound: Dict[str, List[str]] = defaultdict(list)
    for char, _ in counts.most_common():
        by_sound[lazy_pinyin(char)[0]].append(char)
    found = {}
    for chars in by_sound.values():
        for char in chars:
            other = next((c for c in chars if c != char), None)
            if other is not None:
                found[char] = other
    return found


def with_typo(text: str, sounds: Dict[str, str]) -> str | None:
    """``text`` with one character (chosen by the text itself, so training stays deterministic)
    replaced by its homophone; None when none can be."""
    places = [i for i, c in enumerate(text) if c in sounds and c not in KEEP]
    if not places:
        return None
    at = places[int(hashlib.sha256(text.encode()).hexdigest(), 16) % len(places)]
    return text[:at] + sounds[text[at]] + text[at + 1 :]
