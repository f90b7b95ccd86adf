"""Split a description into clauses, the unit the fact reader reads.

Clauses end at punctuation, at spaces between words (WeCom users type 年采购800万 毛利三成) and
before conjunctions. A clause that opens with a contrast (但 / 不过 / 可是 …) is marked: for its
aspect, it overrides what came before (利润还行，不过量很小 → the value is low).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

CONTRAST = ("但是", "但", "不过", "可是", "然而", "只是", "可惜", "就是说", "不料", "偏偏")
# 可 opens a contrast too (…，可未来空间巨大), but not as the first character of 可以 / 可能 / 可观.
_CONTRAST_KE = re.compile(r"^可(?![以能观靠爱怜口信行])")
JOINING = ("而且", "并且", "同时", "另外", "此外", "况且", "再加上", "加上")
# A comma between digits that groups thousands (3,500万) is part of the number, not a break.
_BREAK = re.compile(
    r"(?:(?<!\d),|,(?!\d{3}(?!\d))|[，。；;！!？?\n、…~～|])+|(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])|\s{2,}"
)
_CONJUNCTION = re.compile("(" + "|".join(sorted(CONTRAST + JOINING, key=len, reverse=True)) + ")")


@dataclass(frozen=True)
class Clause:
    text: str
    start: int  # offset in the text that was split
    contrast: bool = False


def split(text: str) -> List[Clause]:
    """The clauses of ``text`` (already standardised), in order, blanks dropped."""
    clauses: List[Clause] = []
    position = 0
    for piece in _BREAK.split(text):
        start = text.find(piece, position) if piece else position
        position = start + len(piece)
        # Conjunctions inside a piece start a new clause; 不但 … 而且 keeps 不但 with its clause.
        cuts = [
            m.start() for m in _CONJUNCTION.finditer(piece) if m.start() > 0 and piece[m.start() - 1] != "不"
        ]
        bounds = [0, *cuts, len(piece)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            part = piece[a:b]
            stripped = part.strip()
            if not stripped:
                continue
            offset = start + a + (len(part) - len(part.lstrip()))
            contrast = stripped.startswith(CONTRAST) or bool(_CONTRAST_KE.match(stripped))
            clauses.append(Clause(stripped, offset, contrast))
    return clauses
