"""Which two terms a comparison sets side by side, and whether a passage speaks of both.

Plain functions of entries and text (no Rasa): the comparison action asks them which of the named
entries to compare (感知利得和感知利失, not 客户价值 named first) and whether a passage of the one
named entry answers a comparison of two of its parts (营销目标: 维持和收割有什么区别).
"""

from __future__ import annotations

import re
from typing import List, Tuple

from knowledge.model import Entry
from knowledge.normalize import normalize_name

# What joins the two terms a comparison names (感知利得和感知利失, 铅质跟铁质, A or B).
JOINED = r"\s*(?:和|与|跟|同|及|、|还是|或|对比|比|vs\.?|and|or)\s*"


def compared_pair(text: str, entries: List[Entry]) -> Tuple[Entry, Entry]:
    """The two of the named entries a comparison sets side by side: two the question joins (客户价值的
    驱动因素里，感知利得和感知利失有什么区别 compares those two, not 客户价值), else the first two
    classes of one framework, else the first two named."""
    folded = normalize_name(text)
    pairs = [(a, b) for i, a in enumerate(entries) for b in entries[i + 1 :]]
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            names_x = "|".join(re.escape(normalize_name(n)) for n in x.names)
            names_y = "|".join(re.escape(normalize_name(n)) for n in y.names)
            if re.search(f"(?:{names_x}){JOINED}(?:{names_y})", folded, flags=re.IGNORECASE):
                return x, y
    return next(((a, b) for a, b in pairs if siblings(a, b)), (entries[0], entries[1]))


def both_joined_in(question: str, passage: str) -> bool:
    """The question compares two things (维持和收割有什么区别) that the passage both speaks of: the
    words before and after a joining word, as long as the passage holds them (2 characters or more)."""
    text, said = normalize_name(question), normalize_name(passage)
    for match in re.finditer(f"([\u4e00-\u9fff]{{2,8}}){JOINED}([\u4e00-\u9fff]{{2,8}})", text):
        before, after = match.group(1), match.group(2)
        left = next((before[i:] for i in range(len(before) - 1) if before[i:] in said), "")
        right = next((after[:j] for j in range(len(after), 1, -1) if after[:j] in said), "")
        if left and right and left not in right and right not in left:  # not 客户 and 客户
            return True
    return False


def siblings(a: Entry, b: Entry) -> bool:
    """Two classes of one framework (A类 and B类, 铅质 and 铁质), neither a part of the other's name
    (关键客户 and A类关键客户 are a whole and its part)."""
    if a.id == b.id or (a.topic, a.category) != (b.topic, b.category):
        return False
    term_a, term_b = normalize_name(a.term), normalize_name(b.term)
    return term_a not in term_b and term_b not in term_a
