"""Score the assistant on the blind evaluation sets in this folder.

The sets were written by people who saw only the seeds (and, for descriptions, the team's
classification rules in ``RULES.md``), never the code, the lexicon or the training data. This
module knows nothing of how the assistant reads a message: it compares what comes out (facts,
framework, class; the reply's text) with what the writers expected.

- Descriptions (``descriptions_*.yml``): each case has the facts a reader must find, the
  framework the message asks for and the class the rules give (or null with what is missing).
- Questions (``questions_*.yml``): each case has the phrases a right answer must contain; a
  question must never start the classification form.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Tuple

import yaml

FOLDER = Path(__file__).resolve().parent

# The class names of RULES.md → the names a reply may show for them.
DISPLAY_NAMES: Dict[str, Tuple[str, ...]] = {
    "重要客户": ("重要客户", "VIP客户"),
    "A类关键客户": ("A类关键客户",),
    "B类关键客户": ("B类关键客户",),
    "C类关键客户": ("C类关键客户",),
}
LEVELS = ("high", "medium", "low")
NUMERIC = ("rank_pct", "years", "purchase_wan", "margin_pct", "growth_pct", "revenue_share_pct")


# Quotation marks a reply may put around a source's words (能“坏事”的客户 says 能坏事).
QUOTES = re.compile(r"[\s“”„‟\"'‘’‚‛「」『』〝〞]+")


def normalise(text: str) -> str:
    """Simplified script, half-width, lower case, no whitespace and no quotation marks: how replies
    and phrases are compared."""
    from knowledge.normalize import standardize

    text = standardize(unicodedata.normalize("NFKC", text or ""))
    return QUOTES.sub("", text).lower()


# -- descriptions ---------------------------------------------------------------------


@dataclass
class Description:
    id: str
    text: str
    framework: str
    facts: Dict[str, Any]
    cls: str | None
    missing: List[str] = field(default_factory=list)

    def expected_facts(self) -> Dict[str, Any]:
        """The stated facts, with the value levels RULES.md derives from stated numbers added."""
        facts = dict(self.facts)
        if "current_value" not in facts:
            level = _current_value_from(facts)
            if level:
                facts["current_value"] = level
        if "growth_potential" not in facts and "growth_pct" in facts:
            facts["growth_potential"] = _threshold(facts["growth_pct"], 20, 5)
        return facts


def _threshold(value: float, high: float, low: float) -> str:
    return "high" if value >= high else "low" if value < low else "medium"


def _current_value_from(facts: Dict[str, Any]) -> str | None:
    for name, high, low in (("purchase_wan", 500, 100), ("margin_pct", 30, 10), ("revenue_share_pct", 5, 1)):
        if name in facts:
            return _threshold(float(facts[name]), high, low)
    if facts.get("order_size") in ("large", "small"):
        return "high" if facts["order_size"] == "large" else "low"
    if facts.get("order_frequency") == "occasional":
        return "low"
    return None


def load_descriptions(path: Path) -> List[Description]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        Description(
            id=str(c["id"]),
            text=str(c["text"]),
            framework=str(c["framework"]),
            facts=dict(c.get("facts") or {}),
            cls=c.get("class"),
            missing=list(c.get("missing") or []),
        )
        for c in data["cases"]
    ]


def same_value(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) <= max(0.02 * abs(float(expected)), 0.01)
    return str(expected) == str(got)


@dataclass
class Reading:
    """What a reader made of a description, in the vocabulary of RULES.md."""

    facts: Dict[str, Any]
    framework: str
    cls: str | None


@dataclass
class DescriptionScores:
    cases: int = 0
    class_correct: int = 0
    framework_correct: int = 0
    fact_expected: collections.Counter = field(default_factory=collections.Counter)
    fact_correct: collections.Counter = field(default_factory=collections.Counter)
    fact_predicted: collections.Counter = field(default_factory=collections.Counter)
    errors: List[str] = field(default_factory=list)

    def fact_accuracy(self, name: str) -> float:
        return self.fact_correct[name] / self.fact_expected[name] if self.fact_expected[name] else 1.0

    def fact_precision(self, name: str) -> float:
        return self.fact_correct[name] / self.fact_predicted[name] if self.fact_predicted[name] else 1.0

    @property
    def class_accuracy(self) -> float:
        return self.class_correct / self.cases if self.cases else 0.0

    @property
    def framework_accuracy(self) -> float:
        return self.framework_correct / self.cases if self.cases else 0.0

    @property
    def facts_all(self) -> float:
        expected = sum(self.fact_expected.values())
        return sum(self.fact_correct.values()) / expected if expected else 1.0

    def figures(self) -> Dict[str, Any]:
        return {
            "cases": self.cases,
            "class": round(self.class_accuracy, 4),
            "framework": round(self.framework_accuracy, 4),
            "facts": round(self.facts_all, 4),
            "per_fact": {
                name: {
                    "expected": self.fact_expected[name],
                    "accuracy": round(self.fact_accuracy(name), 4),
                    "precision": round(self.fact_precision(name), 4),
                }
                for name in sorted(set(self.fact_expected) | set(self.fact_predicted))
            },
        }

    def report(self, errors: bool = True) -> str:
        lines = [
            f"cases: {self.cases}",
            f"class: {self.class_correct}/{self.cases} = {self.class_accuracy:.1%}",
            f"framework asked for: {self.framework_correct}/{self.cases} = {self.framework_accuracy:.1%}",
            f"facts (all): {self.facts_all:.1%}",
            "per fact (expected: accuracy / precision):",
        ]
        for name in sorted(set(self.fact_expected) | set(self.fact_predicted)):
            lines.append(
                f"  {name:<20} {self.fact_expected[name]:>4}: {self.fact_accuracy(name):6.1%} / "
                f"{self.fact_precision(name):6.1%}"
            )
        if errors:
            lines += self.errors
        return "\n".join(lines)


def score_descriptions(cases: Iterable[Description], read: Callable[[str], Reading]) -> DescriptionScores:
    """Facts, framework and class of a reader (text → Reading) against the expected ones."""
    scores = DescriptionScores()
    for case in cases:
        scores.cases += 1
        got = read(case.text)
        expected = case.expected_facts()
        wrong = []
        for name, value in expected.items():
            scores.fact_expected[name] += 1
            if name in got.facts and same_value(value, got.facts[name]):
                scores.fact_correct[name] += 1
            else:
                wrong.append(f"{name}={value}→{got.facts.get(name)}")
        for name, value in got.facts.items():
            scores.fact_predicted[name] += 1
            if name not in expected:
                wrong.append(f"{name}=∅→{value}")
        class_ok = got.cls == case.cls or got.cls in DISPLAY_NAMES.get(case.cls, ())
        framework_ok = got.framework == case.framework
        scores.class_correct += class_ok
        scores.framework_correct += framework_ok
        if wrong or not class_ok or not framework_ok:
            marks = "".join(("C" if not class_ok else "·", "F" if not framework_ok else "·"))
            scores.errors.append(
                f"  ✗ {marks} {case.id} {case.text}\n      class {case.cls}→{got.cls}; "
                f"framework {case.framework}→{got.framework}; {'; '.join(wrong)}"
            )
    return scores


# -- replies of the running assistant -------------------------------------------------------

VERDICT = re.compile(r"属于【([^】]+)】")


def verdict_in(reply: str) -> str | None:
    """The class a classification reply gives first (按【…】，这个客户属于【X】)."""
    match = VERDICT.search(reply)
    return match.group(1) if match else None


# How a reply says that the framework puts the customer in none of its classes.
OUTSIDE = re.compile(r"不在这一?分法|不属于[^。]{0,12}任何一类|不在[^。]{0,12}(?:里|内|之中)")


def class_shown(reply: str, expected: str | None, missing: List[str] | None = None) -> bool:
    """The reply's verdict is the expected class; for an expected null, it gives none and asks for
    what is missing, or (nothing missing: the framework puts it nowhere) says it is outside."""
    shown = verdict_in(reply)
    if expected is None:
        if missing == []:
            return shown is None and OUTSIDE.search(reply) is not None
        return shown is None and ("？" in reply or "?" in reply)
    return shown in DISPLAY_NAMES.get(expected, (expected,))


@dataclass
class ReplyScores:
    cases: int = 0
    correct: int = 0
    by_kind: Dict[str, collections.Counter] = field(default_factory=dict)
    form_started: int = 0
    reply_chars: List[int] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.cases if self.cases else 0.0

    def count(self, kind: str, ok: bool) -> None:
        self.by_kind.setdefault(kind, collections.Counter())["all"] += 1
        self.by_kind[kind]["ok"] += ok

    def figures(self) -> Dict[str, Any]:
        chars = sorted(self.reply_chars) or [0]
        return {
            "cases": self.cases,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "form_started": self.form_started,
            "reply_chars_p50": chars[len(chars) // 2],
            "by_kind": {k: f"{c['ok']}/{c['all']}" for k, c in sorted(self.by_kind.items())},
        }

    def report(self, errors: bool = True) -> str:
        chars = sorted(self.reply_chars) or [0]
        lines = [
            f"cases: {self.cases}",
            f"right: {self.correct}/{self.cases} = {self.accuracy:.1%}",
            f"started the classification form or gave a class: {self.form_started}",
            f"reply length (characters): p50 {chars[len(chars) // 2]}, max {chars[-1]}",
            "per kind:",
        ]
        for kind, counts in sorted(self.by_kind.items()):
            lines.append(f"  {kind:<22} {counts['ok']}/{counts['all']}")
        if errors:
            lines += self.errors
        return "\n".join(lines)


Send = Callable[[str, str], List[str]]
"""(sender, text) → the texts of the assistant's reply."""


def _run_prefix(prefix: str) -> str:
    """Sender ids of their own for every run: a conversation of an earlier run must not go on."""
    import uuid

    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def score_description_replies(cases: Iterable[Description], send: Send, prefix: str = "blind") -> ReplyScores:
    """Each description sent alone, in a new conversation: the class its reply gives."""
    prefix = _run_prefix(prefix)
    scores = ReplyScores()
    for case in cases:
        reply = "\n".join(send(f"{prefix}-{case.id}", case.text))
        ok = class_shown(reply, case.cls, case.missing)
        scores.cases += 1
        scores.correct += ok
        scores.count(case.framework, ok)
        scores.reply_chars.append(len(reply))
        if not ok:
            scores.errors.append(f"  ✗ {case.id} {case.text}\n      want {case.cls}; got {verdict_in(reply)}")
    return scores


# -- questions --------------------------------------------------------------------------------

# How a reply says that the sources mention a term without defining it: 没有给出（“X”的）定义,
# 没有（给它）下定义, 并未定义, 没有解释X是什么.
UNDEFINED = re.compile(
    r"(?:没有|并未|未|没)(?:给出|给它|作出|做出|下)?[^。；]{0,14}?(?:定义|解释[^。；]{0,10}是什么)"
)


@dataclass
class Question:
    id: str
    question: str
    kind: str
    must_contain: List[str]
    seed: str | None = None


def load_questions(path: Path) -> List[Question]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        Question(
            id=str(q["id"]),
            question=str(q["question"]),
            kind=str(q.get("kind") or "other"),
            must_contain=[str(p) for p in q.get("must_contain") or []],
            seed=q.get("seed"),
        )
        for q in data["questions"]
    ]


def form_started(reply: str, form_questions: Iterable[str]) -> bool:
    """The reply asks the classification form's questions or gives a class."""
    return verdict_in(reply) is not None or any(q and q in reply for q in form_questions)


def answers(question: Question, reply: str) -> bool:
    """Every phrase a right answer must contain is in the reply (an undefined term: said so)."""
    text = normalise(reply)
    if question.kind == "undefined":
        return UNDEFINED.search(text) is not None
    return all(normalise(phrase) in text for phrase in question.must_contain)


def score_question_replies(
    questions: Iterable[Question], send: Send, form_questions: Iterable[str], prefix: str = "blindq"
) -> ReplyScores:
    form_questions = list(form_questions)
    prefix = _run_prefix(prefix)
    scores = ReplyScores()
    for question in questions:
        reply = "\n".join(send(f"{prefix}-{question.id}", question.question))
        started = form_started(reply, form_questions)
        ok = answers(question, reply) and not started
        scores.cases += 1
        scores.correct += ok
        scores.form_started += started
        scores.count(question.kind, ok)
        scores.reply_chars.append(len(reply))
        if not ok:
            shown = reply.replace("\n", " ⏎ ")
            scores.errors.append(
                f"  ✗ {question.id} [{question.kind}] {question.question}\n"
                f"      must contain {question.must_contain}{' (form started)' if started else ''}\n"
                f"      got: {shown[:300]}"
            )
    return scores
