"""Training sentences that nearly repeat a sentence of a blind set: leakage, even by accident.

The blind sets and the training data are written by different people who never see each other's
work, but people (and helper sessions) who write about the same sources converge on the same
phrases (腰部客户咋维护 从哪几方面下手). A training sentence that nearly repeats a blind one
would make the blind figure a figure on training data, so none may: this module finds them
(``python -m tests.blind.overlap`` lists them), and tests/blind/test_overlap.py fails on any.

"Nearly" is a character-pair Jaccard similarity of at least ``SIMILAR`` between whole sentences
(questions, messages, NLU examples, the questions written for passages), after folding script
and dropping punctuation.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Tuple

import yaml

from knowledge import paths
from knowledge.normalize import fold

SIMILAR = 0.6
FOLDER = Path(__file__).resolve().parent
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def pairs(text: str) -> FrozenSet[str]:
    folded = re.sub(r"[\s\W_]+", "", fold(text))
    return frozenset(folded[i : i + 2] for i in range(len(folded) - 1))


@lru_cache(maxsize=1)
def blind_sentences() -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    """(set and id, character pairs) of every question and description of the blind sets."""
    found = []
    for path in sorted(FOLDER.glob("questions_*.yml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            found.append((f"{path.stem}:{q['id']}", pairs(q["question"])))
    for path in sorted(FOLDER.glob("descriptions_*.yml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            found.append((f"{path.stem}:{case['id']}", pairs(case["text"])))
    return tuple(found)


def training_sentences() -> Iterator[Tuple[str, str]]:
    """(file, sentence) of every whole sentence the readers and the search learn from."""
    root = paths.REPO_ROOT
    for path in sorted((root / "data" / "customers").glob("messages_*.yml")):
        for m in yaml.safe_load(path.read_text(encoding="utf-8")).get("messages") or []:
            yield path.name, str(m["text"])
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    yield path.name, text
    for path in sorted(paths.ASKED_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")).get("passages") or []:
            for question in group.get("asked") or []:
                yield path.name, str(question)


def near_duplicates(threshold: float = SIMILAR) -> List[Tuple[str, str, str, float]]:
    """(training file, sentence, blind sentence id, similarity) of every near repetition."""
    blind = blind_sentences()
    having: Dict[str, List[int]] = defaultdict(list)  # a character pair → the blind sentences with it
    for at, (_, theirs) in enumerate(blind):
        for pair in theirs:
            having[pair].append(at)
    found = []
    for file, text in training_sentences():
        mine = pairs(text)
        if len(mine) < 3:
            continue  # 好 / 是的: too short to repeat anything
        shared = Counter(at for pair in mine for at in having.get(pair, ()))
        for at, count in shared.items():
            score = count / (len(mine) + len(blind[at][1]) - count)
            if score >= threshold:
                found.append((file, text, blind[at][0], round(score, 2)))
                break
    return found


def main() -> int:
    found = near_duplicates()
    for file, text, blind_id, score in found:
        print(f"{score:.2f}  {file}: {text}  ≈ {blind_id}")
    print(f"{len(found)} training sentences nearly repeat a blind one")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
