"""Near-duplicate questions grouped for the curators: the same text once normalised and its
question words removed, or a rapidfuzz similarity of at least ``curation.group_similarity``."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Tuple

from rapidfuzz import fuzz

from knowledge.logbook import settings
from knowledge.normalize import language_stamp, normalize_query


def _question_words() -> re.Pattern | None:
    return _question_words_of(language_stamp())


@lru_cache(maxsize=4)
def _question_words_of(stamp: int) -> re.Pattern | None:
    words = sorted({w for w in settings().get("question_words", []) if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


_PAYLOAD = re.compile(r"^/\w+(?:@[0-9.]+)?(\{.*\})?$", re.DOTALL)


def _payload_values(question: str) -> str | None:
    """What a button payload asks about: /ask_definition{"term": "区块链"} → 区块链."""
    match = _PAYLOAD.match(question.strip())
    if not match or not match.group(1):
        return None
    try:
        values = json.loads(match.group(1))
    except ValueError:
        return None
    return " ".join(str(v) for v in values.values()) if isinstance(values, dict) else None


def question_key(question: str) -> str:
    """The form questions are grouped by: 如何提高复购率呢？ → 提高复购率."""
    key = normalize_query(_payload_values(question) or question)
    pattern = _question_words()
    stripped = pattern.sub("", key) if pattern else key
    return stripped or key


@dataclass
class QuestionGroup:
    """Phrasings of one question, the most frequent first."""

    phrasings: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    key: str = ""

    @property
    def count(self) -> int:
        return sum(self.phrasings.values())

    @property
    def question(self) -> str:
        return self.phrasings.most_common(1)[0][0]

    @property
    def variants(self) -> List[str]:
        return [text for text, _ in self.phrasings.most_common()[1:]]


def group_questions(asked: Iterable[Tuple[str, str]], similarity: float | None = None) -> List[QuestionGroup]:
    """Group (question, action) pairs whose keys are equal or similar; biggest group first.

    Keys are taken most frequent first, and each joins the first group whose key
    is at least ``similarity`` similar (rapidfuzz ratio, 0–100), so a group is
    named after its commonest form and never chains through ever-looser matches.
    """
    threshold = float(similarity if similarity is not None else settings().get("group_similarity", 80))
    by_key: Dict[str, QuestionGroup] = {}
    for question, action in asked:
        text = question.strip()
        if not text:
            continue
        key = question_key(text)
        group = by_key.setdefault(key, QuestionGroup(key=key))
        group.phrasings[text] += 1
        group.actions[action] += 1
    groups: List[QuestionGroup] = []
    for candidate in sorted(by_key.values(), key=lambda g: (-g.count, g.key)):
        home = next((g for g in groups if fuzz.ratio(g.key, candidate.key) >= threshold), None)
        if home is None:
            groups.append(candidate)
        else:
            home.phrasings.update(candidate.phrasings)
            home.actions.update(candidate.actions)
    return sorted(groups, key=lambda g: (-g.count, g.key))


# -- the report ------------------------------------------------------------------------------
