"""Score the NLU on the held-out test set (tests/nlu/test_nlu.yml).

Entities are scored on what they resolve to in the knowledge base, the way the
actions use them: a typo'd or traditional-script span counts when it leads to
the right entry. Strict span scores (text as annotated) are reported beside.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

from rasa.shared.nlu.training_data.loading import load_data

from knowledge.lookup import find_terms
from knowledge.search import KnowledgeBase

TEST_SET = Path(__file__).resolve().parents[1] / "nlu" / "test_nlu.yml"
# Written blind after the training data's second round, which test_nlu.yml's errors had informed.
FRESH_SET = TEST_SET.with_name("test_nlu_fresh.yml")
# Written blind after the second round too, by someone else; nothing was tuned on it.
THIRD_SET = TEST_SET.with_name("test_nlu_third.yml")
# Asking for a person, written blind (issue #14: at least 30 phrasings, intent accuracy ≥ 95%).
HANDOFF_SET = TEST_SET.with_name("test_nlu_handoff.yml")


@dataclass
class Scores:
    examples: int = 0
    intent_correct: int = 0
    errors: List[Tuple[str, str, str]] = field(default_factory=list)
    confusion: Dict[str, collections.Counter] = field(default_factory=dict)
    resolved: collections.Counter = field(default_factory=collections.Counter)  # tp, fp, fn
    strict: collections.Counter = field(default_factory=collections.Counter)
    term_questions: int = 0
    term_found: int = 0

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.examples if self.examples else 0.0

    @staticmethod
    def f1(counts: collections.Counter) -> float:
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

    def report(self) -> str:
        lines = [
            f"examples: {self.examples}",
            f"intent accuracy: {self.intent_accuracy:.1%}",
            f"term entity F1 (resolved to the knowledge base): "
            f"{self.f1(self.resolved):.1%} {dict(self.resolved)}",
            f"term entity F1 (strict span text): {self.f1(self.strict):.1%} {dict(self.strict)}",
            f"term answered end to end (entity or message search): {self.term_found}/{self.term_questions}",
            "per intent (correct/total):",
        ]
        for intent, counts in sorted(self.confusion.items()):
            lines.append(f"  {intent:<18} {counts[intent]}/{sum(counts.values())}")
        lines += [f"  ✗ {text!r}: expected {want}, got {got}" for text, want, got in self.errors]
        return "\n".join(lines)


def _resolve(kb: KnowledgeBase, values: List[str]) -> Set[str]:
    resolved = set()
    for value in values:
        lookup = find_terms(kb, [value], "")
        resolved.add(lookup.entries[0].id if lookup.entries else f"?{value}")
    return resolved


def evaluate(parse: Callable[[str], dict], kb: KnowledgeBase, path: Path = TEST_SET) -> Scores:
    scores = Scores()
    for example in load_data(str(path)).intent_examples:
        text, intent = example.get("text"), example.get("intent")
        result = parse(text)
        predicted = (result.get("intent") or {}).get("name") or "nlu_fallback"
        scores.examples += 1
        scores.confusion.setdefault(intent, collections.Counter())[predicted] += 1
        if predicted == intent:
            scores.intent_correct += 1
        else:
            scores.errors.append((text, intent, predicted))

        gold = [e for e in example.get("entities") or [] if e["entity"] == "term"]
        found = [e for e in result.get("entities") or [] if e["entity"] == "term"]
        gold_ids = {kb.get(e["value"]).id if kb.get(e["value"]) else f"?{e['value']}" for e in gold}
        found_ids = _resolve(kb, [e["value"] for e in found])
        scores.resolved.update(
            tp=len(gold_ids & found_ids), fp=len(found_ids - gold_ids), fn=len(gold_ids - found_ids)
        )
        gold_spans = {text[e["start"] : e["end"]] for e in gold}
        found_spans = {text[e["start"] : e["end"]] for e in found}
        scores.strict.update(
            tp=len(gold_spans & found_spans),
            fp=len(found_spans - gold_spans),
            fn=len(gold_spans - found_spans),
        )
        if gold_ids:
            scores.term_questions += 1
            lookup = find_terms(kb, [e["value"] for e in found], text)
            if {e.id for e in lookup.entries} & gold_ids:
                scores.term_found += 1
    return scores


def save(scores: Scores, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "examples": scores.examples,
                "intent_accuracy": scores.intent_accuracy,
                "term_f1_resolved": Scores.f1(scores.resolved),
                "term_f1_strict": Scores.f1(scores.strict),
                "term_found": [scores.term_found, scores.term_questions],
                "errors": scores.errors,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
