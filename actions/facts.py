"""Read facts about a customer from a salesperson's free Chinese text.

Plain functions over plain data, driven by the lexicon in
knowledge/frameworks/facts.yml: amounts with units (万, 亿, 千, 元, per month or
year), percentages, growth and decline, years of cooperation, payment
behaviour, order size and frequency, and qualitative levels with intensifiers
and negation (潜力很大, 增长空间不太大, 利润不低, 没什么潜力).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Tuple

from knowledge import rules
from knowledge.normalize import standardize

LEVELS = ("high", "medium", "low")
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
MONEY_UNITS = {"亿": 10000.0, "千万": 1000.0, "百万": 100.0, "万": 1.0, "千": 0.1}
NUM = r"\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千]+"
CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n、]|但是|但|不过|可是|然而|而且|并且|同时")


@dataclass
class Facts:
    """What a description says about a customer; ``None`` where it says nothing."""

    purchase_wan: float | None = None
    order_wan: float | None = None
    margin_pct: float | None = None
    growth_pct: float | None = None
    years: float | None = None
    late_payment: bool | None = None
    order_size: str | None = None
    order_frequency: str | None = None
    current_value: str | None = None
    growth_potential: str | None = None
    rank_pct: float | None = None
    demanding: bool | None = None
    evidence: Dict[str, str] = field(default_factory=dict)

    def stated(self) -> Dict[str, object]:
        """The facts the text stated, without the evidence."""
        return {k: v for k, v in asdict(self).items() if k != "evidence" and v is not None}

    def merged(self, newer: Facts) -> Facts:
        """These facts updated by ``newer`` (a correction replaces an earlier value)."""
        data = {**asdict(self), **newer.stated()}
        data["evidence"] = {**self.evidence, **newer.evidence}
        return Facts(**data)

    @classmethod
    def from_dict(cls, data: Dict[str, object] | None) -> Facts:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)


def lexicon() -> dict:
    """knowledge/frameworks/facts.yml, re-read when it changes."""
    return rules.load("facts")


def chinese_number(text: str) -> float | None:
    """1.2 → 1.2; 两千 → 2000; 二十五 → 25; 十 → 10; None if not a number."""
    try:
        return float(text)
    except ValueError:
        pass
    total, digit = 0, None
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[char]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def _alternation(words: List[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _has(clause: str, words: List[str]) -> str | None:
    for word in sorted(words, key=len, reverse=True):
        if word in clause:
            return word
    return None


def _level_pattern() -> Tuple[re.Pattern, re.Pattern]:
    lex = lexicon()
    level_words = {w: level for level in ("medium", "low", "high") for w in lex["levels"][level]}
    level = _alternation(list(level_words))
    neg = _alternation(lex["negators"])
    intens = _alternation(lex["intensifiers"])
    filler = r"(?:的|也|都|还|就|其实|确实|可|倒|算|是|了|蛮)*"
    # 大概 / 大约 are "about", not "big".
    core = rf"(?P<neg>{neg})?(?:{intens})*(?P<level>{level})(?!概|约|致|部分|多数|都)"
    after_cue = {dim: _alternation(words) for dim, words in lex["cues"].items()}
    dims = "|".join(f"(?P<{dim}>{after_cue[dim]})" for dim in ("growth_potential", "current_value"))
    cue_then_level = re.compile(rf"(?:{dims}){filler}{core}")
    bare = re.compile(rf"^{filler}{core}(?:的|吧|啊|呢|呀|哦)*$")
    return cue_then_level, bare


_compiled: Dict[int, Tuple[re.Pattern, re.Pattern]] = {}


def _patterns() -> Tuple[re.Pattern, re.Pattern]:
    key = id(lexicon())  # a new object whenever the file is re-read
    if key not in _compiled:
        _compiled.clear()
        _compiled[key] = _level_pattern()
    return _compiled[key]


def _word_level(word: str) -> str:
    lex = lexicon()
    for level in ("medium", "low", "high"):
        if word in lex["levels"][level]:
            return level
    return "medium"


def _apply_negation(level: str, negated: bool) -> str:
    if not negated:
        return level
    return {"high": "low", "low": "high", "medium": "low"}[level]


def level_in(clause: str, dimension: str) -> str | None:
    """The level a clause states for a dimension (潜力很大 → high), if any."""
    lex = lexicon()
    for level, phrases in (lex["phrases"].get(dimension) or {}).items():
        if _has(clause, phrases):
            return level
    cue_then_level, _ = _patterns()
    for match in cue_then_level.finditer(clause):
        if match.group(dimension):
            return _apply_negation(_word_level(match.group("level")), bool(match.group("neg")))
    cue = _alternation(lex["cues"][dimension])
    if re.search(rf"(?:很|非常|特别|挺|比较)?有(?:{cue})", clause):
        return "high"
    if re.search(rf"(?:没|没有)(?:什么|啥|多少)?(?:{cue})", clause):
        return "low"
    return None


def loose_level(text: str) -> str | None:
    """A short answer to "how high is …?": 一般 → medium, 挺大的 → high, 不高 → low, 不清楚 → unknown."""
    clause = standardize(text).strip(" 。.!！?？~～")
    clause = re.sub(r"^(?:不对|不是|错了|其实|嗯|呃)[，,\s]*", "", clause)
    if _has(clause, lexicon()["unknown"]):
        return "unknown"
    _, bare = _patterns()
    match = bare.match(clause)
    if match:
        return _apply_negation(_word_level(match.group("level")), bool(match.group("neg")))
    return None


def _money(clause: str) -> List[Tuple[float, str]]:
    pattern = rf"(?P<num>{NUM})\s*(?:个)?\s*(?P<unit>亿|千万|百万|万|千)?\s*(?P<cur>元|块|人民币)?"
    found = []
    for match in re.finditer(pattern, clause):
        unit, currency = match.group("unit"), match.group("cur")
        if not unit and not currency:
            continue
        if clause[match.end() : match.end() + 1] in ("%", "年", "倍", "个", "家", "人"):
            continue
        number = chinese_number(match.group("num"))
        if number is None:
            continue
        found.append((number * (MONEY_UNITS[unit] if unit else 0.0001), match.group(0)))
    return found


def _percent(clause: str) -> List[Tuple[float, str]]:
    found = []
    for match in re.finditer(rf"(?P<num>\d+(?:\.\d+)?)\s*[%％]|百分之(?P<cn>{NUM})", clause):
        number = chinese_number(match.group("num") or match.group("cn"))
        if number is not None:
            found.append((number, match.group(0)))
    return found


def _read_clause(clause: str, facts: Facts, previous: str = "") -> None:
    """Read one clause; a bare percentage takes its meaning from the clause before (增长很慢，只有2%)."""
    lex = lexicon()
    cues = lex["cues"]

    def note(name: str, value: object) -> None:
        setattr(facts, name, value)
        facts.evidence[name] = clause

    percents = _percent(clause)
    context = clause
    if percents and not any(_has(clause, cues[c]) for c in ("margin", "growth", "decline")):
        context = previous + clause
    decline = _has(context, cues["decline"])
    growth = _has(context, cues["growth"])
    for value, text in percents:
        before = clause[max(0, clause.find(text) - 3) : clause.find(text)]
        if "前" in before:
            note("rank_pct", value)
        elif _has(context, cues["margin"]):
            note("margin_pct", value)
        elif decline:
            note("growth_pct", -value)
        elif growth:
            note("growth_pct", value)

    if not percents:
        if re.search(r"翻(?:一)?番|翻倍|翻了一倍", clause):
            note("growth_pct", 100.0)
        elif (m := re.search(rf"(?:扩产|增长|增加|扩大|翻)了?(?P<n>{NUM})倍", clause)) and chinese_number(
            m.group("n")
        ):
            note("growth_pct", (chinese_number(m.group("n")) - 1) * 100)
        elif re.search(r"掉了一半|减半|少了一半|砍了一半", clause):
            note("growth_pct", -50.0)
        elif decline and not _has(clause, cues["growth_potential"]):
            note("growth_pct", -1.0)

    if not _has(clause, cues["company_size"]):
        for amount, _ in _money(clause):
            if re.search(r"第一单|首单|一单|单笔|每单", clause):
                note("order_wan", amount)
            elif _has(clause, cues["purchase"]) or re.search(r"年|每月|月", clause):
                per_month = re.search(r"每个?月|月均|一个月|/月", clause)
                per_quarter = re.search(r"每个?季度", clause)
                note("purchase_wan", amount * (12 if per_month else 4 if per_quarter else 1))

    if (
        m := re.search(
            rf"(?:合作|打交道|往来|做了|认识|跟了)了?(?:快|近|将近|差不多|大概|约|有|都)?(?P<n>{NUM})多?年",
            clause,
        )
    ) or (m := re.search(rf"(?P<n>{NUM})多?年(?:的)?(?:老)?(?:客户|合作|交情)", clause)):
        years = chinese_number(m.group("n"))
        if years is not None:
            note("years", years)
    elif _has(clause, lex["new_customer"]):
        note("years", 0.0)

    if _has(clause, lex["payment"]["on_time"]):
        note("late_payment", False)
    elif _has(clause, lex["payment"]["late"]):
        note("late_payment", True)
    for name in ("order_size", "order_frequency"):
        for value, phrases in lex[name].items():
            if _has(clause, phrases):
                note(name, value)
                break
    if _has(clause, lex["demanding"]):
        note("demanding", True)

    for dimension in ("growth_potential", "current_value"):
        level = level_in(clause, dimension)
        if level is not None:
            note(dimension, level)
            break


def read_facts(text: str) -> Facts:
    """Every fact the text states, clause by clause; a later clause corrects an earlier one."""
    facts = Facts()
    previous = ""
    for clause in CLAUSE_BREAK.split(standardize(text or "")):
        if clause.strip():
            _read_clause(clause.strip(), facts, previous)
            previous = clause.strip()
    return facts


def asks_for_classification(text: str) -> bool:
    """帮我给客户归个类 / 这客户算不算大客户: the message asks for a class, with or without facts."""
    return _has(standardize(text or "").lower(), lexicon()["classification_requests"]) is not None


def mentions_a_customer(text: str) -> bool:
    """The message talks about a customer or its business (他们家回款周期拉到了180天)."""
    return _has(standardize(text or "").lower(), lexicon()["customer_subjects"]) is not None


def read_answer(text: str, dimension: str) -> Facts:
    """An answer to the question about ``dimension``: a level, or a bare number for it.

    大概五百万吧 answers "current value?" as a yearly purchase; 30% answers
    "growth potential?" as a growth rate; 一般 / 挺大的 / 不清楚 are levels.
    """
    facts = read_facts(text)
    if dimension in ("current_value", "growth_potential") and getattr(facts, dimension) is None:
        clause = standardize(text or "")
        level = level_in(clause, dimension) or loose_level(clause)
        if level is not None:
            setattr(facts, dimension, level)
            facts.evidence[dimension] = clause
        elif dimension == "current_value" and facts.purchase_wan is None and (amounts := _money(clause)):
            facts.purchase_wan = amounts[0][0]
            facts.evidence["purchase_wan"] = clause
        elif dimension == "growth_potential" and facts.growth_pct is None and (percents := _percent(clause)):
            sign = -1 if _has(clause, lexicon()["cues"]["decline"]) else 1
            facts.growth_pct = sign * percents[0][0]
            facts.evidence["growth_pct"] = clause
    return facts
