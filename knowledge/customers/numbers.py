"""Numbers in a salesperson's Chinese: amounts, shares, multiples, counts and ranks.

Written the many ways people type them: 800万, 1.2亿, 5000000元, 50w, 3kw, 6.5M, 两千万, 十来万,
小几百万, 三四百万, 上千万, 三成, 一成半, 15个点, 百分之八, 千分之三, 翻一番, 翻个倍, 涨了一半, 三倍, 减半,
第3名, 前1%, 合作五年, 十来年, 去年开始合作.
Every quantity keeps its place in the text, so the reader can mask it and a reply can quote it.
Loose amounts become one figure: a range its middle (三四百万 → 350万), 十来 ten, 几十 fifty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}  # fmt: skip
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Money units, as 万元.
MONEY_UNITS = {"亿": 10000.0, "千万": 1000.0, "kw": 1000.0, "KW": 1000.0, "Kw": 1000.0,
               "百万": 100.0, "M": 100.0, "m": 100.0, "万": 1.0, "w": 1.0, "W": 1.0,
               "千": 0.1, "k": 0.1, "K": 0.1}  # fmt: skip
CURRENCY = r"(?:块钱|块|元|人民币|rmb|RMB)"

_CN = "零〇一壹二贰两俩三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟"


# A number: digits (with separators and decimals), or Chinese numerals with the loose forms.
def _number(tag: str = "") -> str:
    """The number pattern; ``tag`` makes its group names unique when a pattern has two."""
    return (
        rf"(?P<approx{tag}>小|大|上|近|将近|好|差不多)?"
        rf"(?P<n{tag}>\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN}]*[几{_CN}][{_CN}]*(?:点[{_CN}]+)?)"
        rf"(?P<loose{tag}>来|把|多|几|余)?"
    )


NUMBER = _number()


@dataclass(frozen=True)
class Quantity:
    """A number found in a text: ``kind`` money (万元) | percent | multiple (growth, %) | years |
    count (``unit`` says of what) | rank (第N名) | top (前N名 / 前N%: ``unit`` 名 or %)."""

    kind: str
    value: float
    start: int
    end: int
    text: str
    unit: str = ""


def chinese_number(text: str) -> float | None:
    """两千 → 2000; 二十五 → 25; 三四 → 3.5; 十几 → 15; 几十 → 50; 一百二 → 120; None if not a number."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    if not text:
        return None
    # 三四 / 七八 (a range of two digits): their middle.
    if len(text) >= 2 and text[0] in DIGITS and text[1] in DIGITS and DIGITS[text[1]] == DIGITS[text[0]] + 1:
        rest = chinese_number(str(DIGITS[text[0]]) + text[2:]) if text[2:] else None
        low = DIGITS[text[0]]
        if rest is None and text[2:]:
            scale = chinese_number("一" + text[2:])
            return (low + 0.5) * scale if scale else None
        return low + 0.5
    if "点" in text:  # 零点五 → 0.5, 三点五 → 3.5
        whole, _, fraction = text.partition("点")
        head = chinese_number(whole) if whole else 0.0
        digits = [DIGITS.get(c) for c in fraction]
        if head is None or not digits or None in digits:
            return None
        return head + float("0." + "".join(str(d) for d in digits))
    total, digit, seen, last_unit = 0.0, None, False, 0
    for char in text:
        if char in DIGITS:
            digit, seen = DIGITS[char], True
        elif char == "几":
            digit, seen = 5, True  # 几十 ≈ 50; 十几 ≈ 15
        elif char in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[char]
            digit, seen, last_unit = None, True, SMALL_UNITS[char]
        else:
            return None
    if not seen:
        return None
    # 一百二 is 120 and 三千五 3500: a digit after the last unit counts in the next unit down.
    if digit and last_unit >= 100 and text[-2] in SMALL_UNITS:
        return total + digit * last_unit / 10
    return total + (digit or 0)


def _value(match: re.Match, tag: str = "", few: bool = False) -> float | None:
    """The number a match wrote; a bare 几 (百分之几, 几成, 前几名, 几多) asks for a number and is none,
    unless ``few`` says it stands before a large unit (几万, 几百万: a few) or 好/小/大 qualify it."""
    if match.group(f"n{tag}") is None:
        return None
    written = match.group(f"n{tag}")
    approx = match.group(f"approx{tag}")
    if written == "几" and not approx and not few and match.group(f"loose{tag}") in (None, "多"):
        return None  # 几多 is Cantonese for 多少: 排前几多%, 占几多成 ask
    if approx in ("小", "大") and written.startswith("几"):
        written = ("两" if approx == "小" else "八") + written[1:]  # 小几百万 ≈ 200万, 大几十万 ≈ 80万
    number = chinese_number(written)
    if number is None:
        return None
    return number  # 三千多万 counts as 3000万, as people mean it


_MONEY = re.compile(
    NUMBER
    + r"\s*(?:个)?\s*(?P<unit>亿|千万|百万|万|千|[kK][wW](?![a-zA-Z])|[wWkKmM](?![a-zA-Z]))?"
    + r"\s*(?P<cur>"
    + CURRENCY
    + ")?"
)
_PERCENT = re.compile(
    r"(?P<per>[百千])分之"
    + _number("1")
    + r"|"
    + NUMBER
    + r"\s*(?P<sign>%|个点|个百分点|百分点|成(?!本|交|绩|功|长|熟|员|立|为|果))"
    r"(?P<tenth>半|[一二两三四五六七八九](?![十百千万亿]))?"
)
_MULTIPLE = re.compile(
    r"翻(?:了|咗)?(?P<fan>" + _number("1") + r")?番|翻(?:了|咗)?(?:一个|一|个)?倍|"
    r"(?P<halve>减半|砍半|少了一半|掉了一半|砍了一半|腰斩)|"
    r"(?P<half_more>(?:涨|增长|增加|多|长|提高|提升|上涨|上升|增)了?(?:将近|差不多|大概)?一半)|"
    + NUMBER
    + r"\s*倍"
)
# Cooperation counted from a year before this one: 去年开始合作 (1), 前年签的 (2), 大前年 (3).
_SINCE = re.compile(
    r"(?P<year>大前年|前年|去年|上一年)(?:才|刚|就|底|初|年底|年初)?(?:开始|起|签|合作|建立|认识|打交道|接触|成交|下单|做|来往|搭上)"
)
SINCE_YEARS = {"去年": 1.0, "上一年": 1.0, "前年": 2.0, "大前年": 3.0}
_YEARS = re.compile(
    NUMBER + r"\s*(?P<half>个半)?\s*(?:年(?!前|后|底|初|内|中|度|纪|级|龄|薪|会|终)|载)(?P<half2>半)?"
)
_MONTHS = re.compile(NUMBER + r"\s*(?:个)?(?P<half>半)?\s*月(?!份|底|初|中)")
_HALF_YEAR = re.compile(r"(?:大|小)?半年")
_RANK = re.compile(r"(?:第|排名?第?|排行第?|排在第)\s*" + NUMBER + r"\s*(?:名|位)?")  # 排第 4 名
_TOP = re.compile(r"(?:前|top|TOP|Top)\s*" + NUMBER + r"\s*(?P<unit>%|名|位|个|家|(?![年月天周日次期届个]))")
_TOP_SHARE = re.compile(
    r"(?:前|top|TOP|Top)\s*(?:百分之" + _number("1") + r"|" + NUMBER + r"\s*(?P<cheng>成))"
)
_COUNT = re.compile(NUMBER + r"\s*(?P<unit>单|笔|家|个客户|位客户|个|次|名|位|批|客户)")


def _overlaps(found: List[Quantity], start: int, end: int) -> bool:
    return any(q.start < end and start < q.end for q in found)


def quantities(text: str) -> List[Quantity]:
    """Every quantity in ``text`` (simplified, half-width), in order; each character belongs to one."""
    found: List[Quantity] = []
    asked: List[Quantity] = []  # 百分之几, 前几名: spans that ask for a number; nothing else reads them

    def add(kind: str, value: float | None, match: re.Match, unit: str = "") -> None:
        if _overlaps(found, match.start(), match.end()) or _overlaps(asked, match.start(), match.end()):
            return
        quantity = Quantity(kind, float(value or 0), match.start(), match.end(), match.group(0).strip(), unit)
        if value is not None:
            found.append(quantity)
        elif "几" in match.group(0):
            asked.append(quantity)

    for m in _TOP_SHARE.finditer(text):  # 前百分之二, 前三成
        share = _value(m, "1") if m.group("n1") else _value(m)
        if share is not None and m.group("cheng"):
            share *= 10
        add("top", share, m, "%")
    for m in _TOP.finditer(text):
        add("top", _value(m), m, "%" if m.group("unit") == "%" else "名")
    for m in _PERCENT.finditer(text):
        value = _value(m, "1") if m.group("per") else _value(m)
        if value is not None and m.group("per") == "千":
            value /= 10  # 千分之三 → 0.3%
        if value is not None and m.group("sign") and m.group("sign").startswith("成"):
            tenth = m.group("tenth")  # 一成半 → 15%, 三成五 → 35%
            value = value * 10 + (5 if tenth == "半" else DIGITS[tenth] if tenth else 0)
        add("percent", value, m)
    for m in _MULTIPLE.finditer(text):
        if m.group("halve"):
            add("multiple", -50.0, m)
        elif m.group("half_more"):
            add("multiple", 50.0, m)
        elif m.group(0).startswith("翻"):
            times = _value(m, "1") if m.group("n1") else 1.0
            add("multiple", (2 ** (times or 1) - 1) * 100 if "番" in m.group(0) else 100.0, m)
        else:
            times = _value(m)
            add("multiple", None if times is None else (times - 1) * 100 if times > 1 else times * 100, m)
    for m in _RANK.finditer(text):
        add("rank", _value(m), m)
    for m in _YEARS.finditer(text):
        value = _value(m)
        add(
            "years", None if value is None else value + (0.5 if m.group("half") or m.group("half2") else 0), m
        )
    for m in _SINCE.finditer(text):
        add("years", SINCE_YEARS[m.group("year")], m)
    for m in _MONTHS.finditer(text):
        value = _value(m)
        add("years", None if value is None else (value + (0.5 if m.group("half") else 0)) / 12, m, "月")
    for m in _HALF_YEAR.finditer(text):
        if not _overlaps(found, m.start(), m.end()):
            found.append(Quantity("years", 0.5, m.start(), m.end(), m.group(0)))
    for m in _MONEY.finditer(text):
        unit, currency = m.group("unit"), m.group("cur")
        if not unit and not currency:
            continue
        value = _value(m, few=bool(unit))
        if value is not None:
            value *= MONEY_UNITS[unit] if unit else 0.0001
        add("money", value, m, unit or "元")
    for m in _COUNT.finditer(text):
        add("count", _value(m), m, m.group("unit"))
    # A bare number left over (增长15, 排名3, 一百二): a count of nothing in particular.
    for m in re.finditer(r"\d+(?:\.\d+)?|[" + _CN + r"]*[十百千拾佰仟][" + _CN + r"]*", text):
        add("count", chinese_number(m.group(0)), m)
    return sorted(found, key=lambda q: q.start)
