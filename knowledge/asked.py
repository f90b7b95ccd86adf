"""The questions each passage answers, as users would ask them (knowledge/asked/*.yml).

A passage says things in its source's words; salespeople ask in theirs (咋维护, 单子, 那个富士施乐的
案例). Writers who read the passages wrote, for each, the questions it answers; the build indexes
those questions' words with the passage (document expansion), so a question in everyday words meets
the passage that answers it. A group of questions names its entry (or source file) and the first
characters of its passage, which survive renumbering; a group that no passage begins with any
longer is left out and reported by the build (``python -m knowledge build`` warns, a test fails on
the committed files), so an edited entry never stops a build nor silently loses its questions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

from knowledge import paths
from knowledge.passages import tokens
from knowledge.segment import Segmenter


@dataclass(frozen=True)
class Asked:
    """The questions one passage answers: of ``entry`` (an id) or of ``source`` (a seed file)."""

    owner: str
    starts: str
    questions: Tuple[str, ...]
    file: str


def load_asked(folder: Path = paths.ASKED_DIR) -> List[Asked]:
    """Every group of questions in ``folder``, in file order; malformed groups are problems."""
    found: List[Asked] = []
    problems: List[str] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for n, group in enumerate(data.get("passages") or [], start=1):
            owner = group.get("entry") or group.get("source")
            starts = str(group.get("starts") or "").strip()
            questions = tuple(str(q).strip() for q in group.get("asked") or [] if str(q).strip())
            if not owner or not starts:
                problems.append(f"{path.name}: passage {n} names no entry or source, or no 'starts'")
                continue
            if questions:
                found.append(Asked(str(owner), starts, questions, path.name))
    if problems:
        from knowledge.loader import ValidationError

        raise ValidationError(problems)
    return found


def attach(rows: Sequence[dict], asked: Iterable[Asked], segmenter: Segmenter) -> List[str]:
    """Add to each passage row (as the build writes them) the questions written for it, in an
    ``asked`` column and in its tokens; return the groups that fit no passage, as warnings."""
    by_owner: Dict[str, List[dict]] = {}
    for row in rows:
        if row["kind"] != "item":  # an item's text repeats its list's: the list carries the questions
            by_owner.setdefault(row["entry_id"] or row["source"], []).append(row)
    problems = []
    for group in asked:
        matching = [r for r in by_owner.get(group.owner, []) if r["text"].strip().startswith(group.starts)]
        if not matching:
            problems.append(
                f"{group.file}: no passage of {group.owner} begins with “{group.starts}” "
                "(edited? write its questions anew, or remove them)"
            )
            continue
        for row in matching:
            before = json.loads(row.get("asked") or "[]")
            row["asked"] = json.dumps(before + list(group.questions), ensure_ascii=False)
            extra = tokens("\n".join(group.questions), segmenter)
            row["tokens"] = json.dumps(json.loads(row["tokens"]) + extra, ensure_ascii=False)
    for row in rows:
        row.setdefault("asked", "[]")
    return problems
