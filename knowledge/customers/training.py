"""Train the fact reader from the written examples in data/customers/.

- ``facts_*.yml``: single clauses with every fact they state (``examples``);
- ``messages_*.yml``: whole messages with the framework they ask for and whether they describe
  one customer or ask a question (``messages``).

And whether a message is about customer management at all (``topic``): the questions written for
the knowledge base's passages (knowledge/asked/), the messages and the NLU's questions are; the
NLU's small talk, out-of-scope requests, ratings and commands are not.

Each fact of the vocabulary gets a classifier over clauses; a level that a number or the order
size decides is left to the number and the thresholds, so the level classifiers learn only what
words say. Every number's role (a yearly purchase, a margin, a growth rate, a rank, …) is learned
from the examples whose facts hold that number. ``python -m knowledge.customers train`` (run by
``make train``) writes models/fact_reader.pkl; the reader trains in memory when that file is
missing or older than its inputs.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import yaml
from pypinyin import lazy_pinyin

from knowledge import paths
from knowledge.customers.clauses import split
from knowledge.customers.features import clause_features, message_signals, number_context, number_signals
from knowledge.customers.lexicon import loose_level
from knowledge.customers.model import NONE, Heads
from knowledge.customers.names import mask_class_names
from knowledge.customers.numbers import Quantity, quantities
from knowledge.customers.typos import homophones, with_typo
from knowledge.normalize import standardize

logger = logging.getLogger(__name__)

DATA_DIR = paths.REPO_ROOT / "data" / "customers"
MODEL_FILE = paths.REPO_ROOT / "models" / "fact_reader.pkl"
CODE_DIR = Path(__file__).resolve().parent

# The facts a clause can state, and their values (booleans as "true" / "false").
ASPECTS: Dict[str, Tuple[str, ...]] = {
    "current_value": ("high", "medium", "low"),
    "growth_potential": ("high", "medium", "low"),
    "late_payment": ("true", "false"),
    "demanding": ("true",),
    "order_frequency": ("frequent", "occasional"),
    "order_size": ("large", "small"),
    "market_share": ("high", "medium", "low"),
    "stability": ("high", "low"),
    "cost_exceeds_profit": ("true",),
    "prospect": ("true",),
    "new_customer": ("true",),  # 刚签 / 新客户: zero years of cooperation, said in words
}
# What a number in a description can be.
ROLES = ("purchase", "order", "margin", "growth", "decline", "revenue_share", "rank_top", "rank_position",
         "customers", "years", NONE)  # fmt: skip
# Numbers that say how much a customer is worth now, and the level each order fact implies.
VALUE_NUMBERS = ("purchase_wan", "margin_pct", "revenue_share_pct")
ORDER_LEVELS = {("order_size", "large"): "high", ("order_size", "small"): "low",
                ("order_frequency", "occasional"): "low"}  # fmt: skip
RANK_KINDS = ("rank", "top", "count")
PERIODS = ((re.compile(r"每个?月|月均|一个月|/月|月度|一月|每月"), 12), (re.compile(r"季度|每季"), 4),
           (re.compile(r"半年"), 2), (re.compile(r"每周|一周|每个礼拜|一个星期"), 52))  # fmt: skip


# Periods typed with a homophone (一个季渡四十万, 一个记度两百万, 每悦五十万): their sounds.
PERIOD_SOUNDS = ((("ji", "du"), 4), (("mei", "yue"), 12), (("yue", "jun"), 12))


def period_multiplier(clause: str) -> int:
    """How many of the clause's periods make a year: 每月50万 is 600万 a year; 一个季渡 a quarter."""
    for pattern, times in PERIODS:
        if pattern.search(clause):
            return times
    syllables = [s for s in lazy_pinyin(clause) if s]
    for sounds, times in PERIOD_SOUNDS:
        if any(tuple(syllables[i : i + 2]) == sounds for i in range(len(syllables) - 1)):
            return times
    return 1


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.02 * abs(b), 0.01)


def _bool(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


@dataclass
class Example:
    text: str
    facts: Dict[str, object]


@dataclass
class Message:
    text: str
    framework: str | None
    kind: str


def _files(pattern: str, folder: Path) -> List[Path]:
    return sorted(folder.glob(pattern))


def load_examples(folder: Path = DATA_DIR) -> List[Example]:
    examples = []
    for path in _files("facts_*.yml", folder):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []:
            examples.append(Example(standardize(str(item["text"])), dict(item.get("facts") or {})))
    return examples


# The assistant's NLU examples teach the difference between a description and a question too:
# a describe_customer example describes (or asks to classify) one customer, these intents ask.
NLU_DIR = paths.REPO_ROOT / "data" / "nlu"
NLU_KINDS = {"describe_customer": "description", "ask_definition": "question", "ask_detail": "question",
             "ask_strategy": "question", "compare_terms": "question"}  # fmt: skip
# …and the small talk, the yes and no, the thanks and the ratings state no fact about a customer:
# their clauses are examples of clauses that say nothing (算了 is no low growth potential).
NLU_NO_FACTS = (
    *("affirm", "deny", "goodbye", "greet", "help", "out_of_scope", "rate_helpful", "rate_unhelpful"),
    *("stop", "thank", "classification_frameworks", "classification_sources"),
)
# The NLU examples that are no question about customer management and no description: what a
# passage must not be offered for when the NLU is unsure (你吃饭了吗, 帮我写个年终总结, 好的).
NLU_OFF_TOPIC = (
    *("out_of_scope", "greet", "goodbye", "thank", "help", "affirm", "deny", "stop", "request_person"),
    *("rate_helpful", "rate_unhelpful", "forget_conversation"),
)
ON_TOPIC, OFF_TOPIC = "customer_management", "other"
UNLABELLED = "?"  # an NLU example says nothing of the framework asked for
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(intents, nlu: Path = NLU_DIR) -> List[Tuple[str, str]]:
    """(intent, text) of the NLU examples of ``intents``, entity annotations removed."""
    found = []
    for path in _files("*.yml", nlu):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if block.get("intent") in intents:
                for line in (block.get("examples") or "").splitlines():
                    text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                    if text:
                        found.append((block["intent"], standardize(text)))
    return found


def load_examples_with_small_talk(folder: Path = DATA_DIR) -> List[Example]:
    """The written clauses, every clause of the small-talk NLU examples as one that states nothing, and
    so are the bare answers to the form's questions (一般, 挺大的): without the question they have no
    subject, and read_answer gives them one."""
    examples = load_examples(folder)
    for intent, text in nlu_examples((*NLU_NO_FACTS, "inform")):
        if intent == "inform" and loose_level(text) is None:
            continue  # an answer that says what it is about (一直按时付款, 合作五年了) states a fact
        examples += [Example(clause.text, {}) for clause in split(text)]
    return examples


def load_messages(folder: Path = DATA_DIR, nlu: Path = NLU_DIR) -> List[Message]:
    messages = []
    for path in _files("messages_*.yml", folder):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("messages") or []:
            messages.append(Message(standardize(str(item["text"])), item.get("framework"), str(item["kind"])))
    for intent, text in nlu_examples(NLU_KINDS, nlu):
        messages.append(Message(text, UNLABELLED, NLU_KINDS[intent]))
    return messages


def written_questions() -> List[Message]:
    """The questions written for the knowledge base's passages (knowledge/asked/): questions all."""
    from knowledge.asked import load_asked

    return [
        Message(standardize(q), UNLABELLED, "question") for group in load_asked() for q in group.questions
    ]


def load_subjects() -> List[Tuple[str, str]]:
    """(question, subject): each question written for a passage (knowledge/asked/) and the entry
    id or seed file of that passage."""
    from knowledge.asked import load_asked

    return [(standardize(q), group.owner) for group in load_asked() for q in group.questions]


# The facets a question can ask for that the learned head tells (a curator's 说明 is asked for by no one).
ASKED_FACETS = ("定义", "构成", "阶段", "比例", "特征", "例子", "策略", "区别", "作用")
# The NLU's question intents that ask for one facet whatever their words.
INTENT_FACETS = {"ask_strategy": "策略", "compare_terms": "区别"}


def load_facets() -> List[Tuple[str, str]]:
    """(question, facet): each question written for an entry's passage (knowledge/asked/) and that
    passage's facet (the short answer's is 定义, the strategy's 策略), and the NLU's examples of
    "how to treat" and "how do they differ": what questions for each part of an entry sound like."""
    from knowledge.asked import load_asked
    from knowledge.loader import load_entries

    entries = {e.id: e for e in load_entries()}
    found: List[Tuple[str, str]] = []
    for group in load_asked():
        entry = entries.get(group.owner)
        if entry is None:
            continue
        if entry.short.strip().startswith(group.starts):
            facet = "定义"
        elif entry.strategy and entry.strategy.strip().startswith(group.starts):
            facet = "策略"
        else:
            facet = next((p.facet for p in entry.passages if p.text.strip().startswith(group.starts)), None)
        if facet in ASKED_FACETS:
            found += [(standardize(q), facet) for q in group.questions]
    found += [(text, INTENT_FACETS[intent]) for intent, text in nlu_examples(tuple(INTENT_FACETS))]
    mask = term_masker([n for e in entries.values() for n in e.names])
    return [(mask(text), facet) for text, facet in found]


TERM = "某某"  # what a term's name is replaced by: the facet is in the words around it


def term_masker(names: Sequence[str]) -> Callable[[str], str]:
    """A function giving a text with the knowledge base's terms' ``names`` replaced by one
    placeholder, longest first (白金客户有啥特点 → 某某有啥特点): a question's facet is not the term
    it names. The names are prepared once, for every text masked."""
    prepared = sorted({standardize(n).lower() for n in names if len(n) >= 2}, key=len, reverse=True)

    def mask(text: str) -> str:
        folded = standardize(text).lower()
        for name in prepared:
            folded = folded.replace(name, TERM)
        return folded

    return mask


def load_topics(folder: Path = DATA_DIR, nlu: Path = NLU_DIR) -> List[Tuple[str, str]]:
    """(text, topic): every written message and question (on the topic), the off-topic NLU examples."""
    texts = [(m.text, ON_TOPIC) for m in load_messages(folder, nlu) + written_questions()]
    texts += [(text, OFF_TOPIC) for _, text in nlu_examples(NLU_OFF_TOPIC, nlu)]
    return texts


def word_labels(facts: Dict[str, object]) -> Dict[str, str]:
    """The label of each aspect a clause's words state; levels numbers or order facts decide are left out."""
    labels = {}
    for aspect in ASPECTS:
        value = facts.get(aspect)
        if value is None:
            labels[aspect] = NONE
            continue
        if aspect == "current_value":
            if any(name in facts for name in VALUE_NUMBERS) or any(
                facts.get(name) == v and level == value for (name, v), level in ORDER_LEVELS.items()
            ):
                value = NONE
        elif aspect == "growth_potential" and "growth_pct" in facts:
            value = NONE
        labels[aspect] = _bool(value)
    return labels


def _new_customer(text: str, facts: Dict[str, object]) -> Dict[str, object]:
    """An example's facts with years 0 said without a number (刚签) as the new_customer aspect."""
    if facts.get("years") == 0 and not any(q.kind == "years" for q in quantities(text)):
        return {**facts, "new_customer": True}
    return facts


def number_role(q: Quantity, text: str, facts: Dict[str, object], found: List[Quantity]) -> str | None:
    """The role the example's facts give ``q``; None where the example cannot tell."""
    if q.kind == "money" and "purchase_wan" in facts:
        times = period_multiplier(text)
        if any(_close(q.value * m, float(facts["purchase_wan"])) for m in {times, 1, 12, 4, 2}):
            return "purchase"
    if q.kind == "money" and "order_wan" in facts and _close(q.value, float(facts["order_wan"])):
        return "order"
    if q.kind in ("percent", "multiple"):
        for name, role in (
            ("margin_pct", "margin"),
            ("revenue_share_pct", "revenue_share"),
            ("rank_pct", "rank_top"),
        ):
            if name in facts and _close(q.value, float(facts[name])):
                return role
        if "growth_pct" in facts:
            growth = float(facts["growth_pct"])
            if _close(q.value, growth):
                return "growth"
            if _close(-q.value, growth):
                return "decline"
    if q.kind == "years" and "years" in facts and _close(q.value, float(facts["years"])):
        return "years"
    if q.kind == "top" and "rank_pct" in facts:
        if q.unit == "%" and _close(q.value, float(facts["rank_pct"])):
            return "rank_top"
    if q.kind in RANK_KINDS:
        if "rank_pct" in facts:
            share = float(facts["rank_pct"])
            for other in found:
                if other is not q and other.value and _close(q.value / other.value * 100, share):
                    return "rank_position"
                if other is not q and q.value and _close(other.value / q.value * 100, share):
                    return "customers"
            return None
        if not facts:
            return None  # 他排第三 without the number of customers: the writer gave no share
    return NONE


@dataclass
class FactModel:
    """Everything the reader needs: one classifier per aspect, one for numbers, one for the
    framework a description asks for, one for descriptions against questions."""

    clauses: Heads | None = None  # one head per aspect
    numbers: Heads | None = None  # the head "role"
    messages: Heads | None = None  # the heads "framework" (descriptions only) and "kind"
    topic: Heads | None = None  # the head "topic": about customer management, or other
    subject: Heads | None = None  # the head "subject": the entry or seed file a question is about
    facet: Heads | None = None  # the head "facet": the part of an entry a question asks for
    fingerprint: str = ""
    seconds: float = 0.0
    sizes: Dict[str, int] = field(default_factory=dict)


def typo_twins(examples: Sequence[Example]) -> List[Example]:
    """Each example again with one character typed as a homophone (knowledge/customers/typos.py)."""
    sounds = homophones(e.text for e in examples)
    twins = ((with_typo(e.text, sounds), e.facts) for e in examples)
    return [Example(text, facts) for text, facts in twins if text is not None]


def clause_rows(examples: Iterable[Example]):
    for example in examples:
        yield (*clause_features(example.text), word_labels(_new_customer(example.text, example.facts)))


def role_rows(examples: Iterable[Example]):
    for example in examples:
        found = quantities(example.text)
        for q in found:
            role = number_role(q, example.text, example.facts, found)
            if role is not None:
                yield number_context(example.text, found, q), number_signals(example.text, q), role


# The code and data the trained model depends on: the examples, how text becomes features (the
# lexicon, the class names hidden from it, which the entries and frameworks give), the reader.
CODE = ("training", "model", "features", "numbers", "lexicon", "names", "clauses", "reader", "typos")


def fingerprint(folder: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    inputs = [
        *_files("*.yml", folder),
        *_files("*.yml", NLU_DIR),
        *(CODE_DIR / f"{name}.py" for name in CODE),
        paths.PACKAGE_DIR / "normalize.py",  # how every text is standardised
        paths.FRAMEWORKS_DIR / "facts.yml",
        paths.FRAMEWORKS_DIR / "classifications.yml",
        *sorted(paths.ENTRIES_DIR.glob("*.yml")),
        *sorted(paths.ASKED_DIR.glob("*.yml")),
    ]
    for path in inputs:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def train(folder: Path = DATA_DIR) -> FactModel:
    started = time.perf_counter()
    examples = load_examples_with_small_talk(folder)
    model = FactModel(fingerprint=fingerprint(folder))
    rows = list(clause_rows(examples + typo_twins(examples)))
    model.clauses = Heads().fit(
        [r[0] for r in rows], [r[1] for r in rows], {a: [r[2][a] for r in rows] for a in ASPECTS}
    )
    roles = list(role_rows(examples))
    model.numbers = Heads().fit([r[0] for r in roles], [r[1] for r in roles], {"role": [r[2] for r in roles]})
    from knowledge.customers.reader import read_facts  # the reader of the model trained so far

    messages = load_messages(folder)
    model.messages = Heads().fit(
        [mask_class_names(m.text) for m in messages],
        [message_signals(m.text, read_facts(m.text, model).stated()) for m in messages],
        {
            "kind": [m.kind for m in messages],
            # Only the written messages say which framework a description asks for.
            "framework": [
                (m.framework or NONE) if m.kind == "description" and m.framework != UNLABELLED else None
                for m in messages
            ],
        },
    )
    topics = load_topics(folder)
    model.topic = Heads().fit(
        [mask_class_names(t) for t, _ in topics],
        [{} for _ in topics],
        {"topic": [label for _, label in topics]},
    )
    subjects = load_subjects()  # the class names stay: 铅质客户 says which entry is asked about
    model.subject = Heads().fit(
        [t for t, _ in subjects], [{} for _ in subjects], {"subject": [s for _, s in subjects]}
    )
    facets = load_facets()  # the terms' names masked: they are not what tells a facet
    model.facet = Heads().fit([t for t, _ in facets], [{} for _ in facets], {"facet": [f for _, f in facets]})
    model.sizes = {
        "clauses": len(rows),
        "numbers": len(roles),
        "messages": len(messages),
        "topic": len(topics),
        "subject": len(subjects),
        "facet": len(facets),
    }
    model.seconds = time.perf_counter() - started
    return model


def save(model: FactModel, path: Path = MODEL_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    path.with_suffix(".fingerprint").write_text(model.fingerprint + "\n")
    return path


def is_current(path: Path = MODEL_FILE, folder: Path = DATA_DIR) -> bool:
    """The saved model was trained on the current examples and code."""
    stamp = path.with_suffix(".fingerprint")
    return path.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint(folder)


def load(path: Path = MODEL_FILE, folder: Path = DATA_DIR) -> FactModel:
    """The trained model, or a freshly trained one when the file is missing or stale."""
    current = fingerprint(folder)
    try:
        model = pickle.loads(path.read_bytes())
        if isinstance(model, FactModel) and model.fingerprint == current:
            return model
        logger.warning("%s is older than its training data: training the fact reader in memory", path)
    except FileNotFoundError:
        logger.warning("%s is missing: training the fact reader in memory (run `make train`)", path)
    except Exception:  # noqa: BLE001 - written by other code: any unreadable file is retrained
        logger.warning("%s cannot be read: training the fact reader in memory", path, exc_info=True)
    return train(folder)
