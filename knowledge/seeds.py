"""The source documents as clean text, and that text cut into passages the search can answer from.

The seeds are scraped pages: partly traditional script, inline pinyin (戰(zhàn)略), mis-decoded
bytes, doubled commas, slide footers, page chrome and spam. ``clean`` keeps what a person can read
and quote: simplified script, one paragraph per line, the noise gone. The cleaned text is kept in
knowledge/sources/ (``python -m knowledge sources`` writes it from the seeds folder), so the build
needs no seeds. What is removed per file (page chrome, bullet marks) is in knowledge/sources.yml.

``passages`` cuts a cleaned text into what one answer can quote: paragraphs of at most a few
sentences, each under the heading it stands under, and for an enumeration (一、… 二、… 三、…) an
outline passage that lists its items.
"""

from __future__ import annotations

import collections
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from knowledge import paths
from knowledge.normalize import to_simplified

MAX_PASSAGE = 300  # characters: a passage fits a phone screen
HEADING_MAX = 32
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňḿ]+\)")
# What the mis-decoding left of pinyin and HTML: 发展?jié)潜力, …的客户?/p>
BROKEN_PINYIN = re.compile(r"[?？][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
BROKEN_TAG = re.compile(r"[?？]?/?p>")  # the end of a paragraph
LOST = re.compile(r"(?<=[\u4e00-\u9fff])[?？](?=[,，])")  # where mis-decoded words were cut out
# A character at least this rare in jieba's dictionary, three times in ten characters: mis-decoded bytes.
RARE_FREQUENCY = 300
SENTENCE_END = "。！？；!?;"
ITEM = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十]{1,3}[)）、.．]|[（(]\d{1,2}[)）]|\d{1,2}\s*[、.．)）](?!\d)|第[一二三四五六七八九十]{1,3}[，,、]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]|–|-|·|•)"
)


@dataclass(frozen=True)
class SourcePassage:
    """A passage of a cleaned seed: where it stands, its heading and its text."""

    file: str
    position: int  # 1-based, in the file's order of passages
    heading: str
    text: str
    outline: bool = False  # the list of an enumeration's items, not a paragraph of the text


def settings() -> Dict[str, dict]:
    """Per source file: what its page chrome looks like (knowledge/sources.yml)."""
    data = yaml.safe_load(paths.SOURCES_FILE.read_text(encoding="utf-8")) or {}
    common = data.get("cleaning") or {}
    found = {}
    for source in data.get("sources", []):
        own = source.get("cleaning") or {}
        found[source["file"]] = {
            "drop_lines": [*common.get("drop_lines", []), *own.get("drop_lines", [])],
            "cut_from": own.get("cut_from", []),
            "bullets": own.get("bullets", []),
            "strip": own.get("strip", []),
        }
    return found


@lru_cache(maxsize=1)
def _character_frequency() -> Dict[str, int]:
    import jieba

    frequency: Dict[str, int] = collections.Counter()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as words:
        for line in words:
            word, count, *_ = line.split()
            for char in word:
                frequency[char] += int(count)
    return frequency


def _rare(char: str) -> bool:
    if "\u4e00" <= char <= "\u9fff":
        return _character_frequency().get(char, 0) < RARE_FREQUENCY
    return "\u0370" <= char <= "\u03ff"  # Greek letters come only from mis-decoding here


def _without_garble(line: str) -> str:
    """The line up to the sentence a run of mis-decoded characters starts in; a lone character
    no Chinese word has (摿) is dropped."""
    line = "".join(c for c in line if not ("\u4e00" <= c <= "\u9fff") or _character_frequency().get(c, 0) > 0)
    for start in range(len(line)):
        window = line[start : start + 10]
        if _rare(line[start]) and sum(map(_rare, window)) >= 3:
            cut = line.rfind("?", 0, start + 1)
            cut = start if cut < 0 else cut
            sentence = max(line.rfind(end, 0, cut) for end in SENTENCE_END + "，")
            return line[: sentence + 1] if sentence >= 0 else ""
    return line


def _punctuation(line: str) -> str:
    line = re.sub(r"[,，]\s*([,，、。；;:：?？!！])", r"\1", line)  # ,, ,、 ,。 (scraping doubled them)
    line = re.sub(r"([、。；：])\s*[,，]", r"\1", line)
    line = re.sub(r"(?<=[\u4e00-\u9fff）”])\s*,\s*(?=[\u4e00-\u9fff（“])", "，", line)
    line = re.sub(r"(?<=[\u4e00-\u9fff])\s*:\s*", "：", line)
    line = re.sub(r"(?<=[\u4e00-\u9fff）])\s*;\s*", "；", line)
    line = re.sub(r"[ \t\u3000]+", " ", line)
    return line.strip(" ,，")


def clean(raw: str, file: str = "") -> str:
    """The readable text of a seed, simplified, one paragraph per line."""
    rules = settings().get(file, {"drop_lines": [], "cut_from": [], "bullets": [], "strip": []})
    text = BROKEN_TAG.sub("。", BROKEN_PINYIN.sub("", PINYIN.sub("", to_simplified(raw))))
    for mark in rules["cut_from"]:
        at = text.find(mark)
        if at >= 0:
            text = text[:at]
    for word in rules["strip"]:
        text = text.replace(word, "")
    for bullet in rules["bullets"]:
        # A bullet stands before or after a space; inside a word it is what is left of lost bytes.
        mark = re.escape(bullet)
        text = re.sub(rf"{mark}(?=\s)|(?<=\s){mark}", "\n", text)
        text = re.sub(rf"(?<=[\u4e00-\u9fff]){mark}+\S?{mark}+", "…", text)
    text = re.sub(r"\d{4}/\d{1,2}/\d{1,2}星期.\s*\d*", "\n", text)  # slide footers: 2023/2/27星期六 32
    text = "\n".join(_punctuation(_without_garble(line.replace("\ufeff", ""))) for line in text.splitlines())
    text = LOST.sub("…", text)
    # A list run into one line (具体目标：1、帮助…；2、作为…) gets a line per item.
    text = re.sub(
        r"(?<=[。；;：:])\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,2})[、．.)）](?!\d))", "\n", text
    )
    text = re.sub(r"(?<=[。；;])\s+(?=\S{2,12}[：:])", "\n", text)  # …窗口。 具体目标：
    drop = [re.compile(pattern) for pattern in rules["drop_lines"]]
    lines: List[str] = []
    seen = set()
    for line in text.splitlines():
        line = line.strip()
        if len(re.sub(r"[\W\d_]", "", line)) < 2 or any(p.search(line) for p in drop):
            continue
        key = re.sub(r"\s", "", line)
        if key in seen:
            continue  # repeated titles and answers
        seen.add(key)
        if lines and _continues(lines[-1], line):
            lines[-1] += line  # a line broken inside a sentence (PDF columns)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _continues(previous: str, line: str) -> bool:
    return (
        len(previous) > HEADING_MAX
        and previous[-1] not in SENTENCE_END + "：:）)」”.…"
        and not ITEM.match(line)
        and not _is_heading(line)
        and "\u4e00" <= line[0] <= "\u9fff"
    )


def _is_heading(line: str) -> bool:
    """A short line that ends no sentence, or asks the question the next lines answer (…的定义?)."""
    if len(line) > HEADING_MAX or ITEM.match(line):
        return False
    return line[-1] in "?？" or line[-1] not in SENTENCE_END + "，,：:"


def _sentences(paragraph: str) -> List[str]:
    parts = re.split(rf"(?<=[{SENTENCE_END}])|(?=\s(?:\d{{1,2}}[、.)）]|[（(]\d{{1,2}}[)）]))", paragraph)
    return [p for p in (part.strip() for part in parts) if p]


def _packed(paragraph: str) -> List[str]:
    """A paragraph as passages of at most MAX_PASSAGE characters, cut between sentences."""
    if len(paragraph) <= MAX_PASSAGE:
        return [paragraph]
    out, current = [], ""
    for sentence in _sentences(paragraph):
        while len(sentence) > MAX_PASSAGE:  # one endless sentence: cut at a comma near the limit
            at = max(sentence.rfind(c, 0, MAX_PASSAGE) for c in "，,、 ")
            at = at if at > MAX_PASSAGE // 2 else MAX_PASSAGE
            if current:
                out.append(current)
                current = ""
            out.append(sentence[: at + 1])
            sentence = sentence[at + 1 :]
        if current and len(current) + len(sentence) > MAX_PASSAGE:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def _item_title(line: str) -> str:
    """An item's own title: 二、建立信任关系建立信任关系是… → 建立信任关系 (the scraper glued them)."""
    body = ITEM.sub("", line, count=1).strip()
    for k in range(2, 16):
        if body[k : 2 * k] == body[:k]:
            return body[:k]
    stop = min((body.find(c) for c in "。：:；;，," if c in body), default=len(body))
    return body[: min(stop, 24)]


_NUMERALS = "一二三四五六七八九十"


def _item_number(line: str) -> int | None:
    """一、 → 1, 2. → 2, (3) → 3; None for other marks."""
    match = re.match(r"^\s*[（(]?([一二三四五六七八九十]{1,2}|\d{1,2})[)）、.．]", line)
    if not match:
        return None
    mark = match.group(1)
    if mark.isdigit():
        return int(mark)
    return (
        _NUMERALS.index(mark) + 1
        if len(mark) == 1
        else 10 + (_NUMERALS.index(mark[1]) + 1 if mark[1] != "十" else 0)
    )


def _lead(line: str) -> str:
    """What introduces a list at the end of a line: …主要经历了以下三个阶段： → 主要经历了以下三个阶段："""
    if not line.endswith(("：", ":")):
        return ""
    start = max(line.rfind(c, 0, len(line) - 1) for c in "。；;！？")
    return line[start + 1 :].strip()


def _enumerations(lines: List[str]) -> List[tuple]:
    """Each list in a section: (what introduces it, its items numbered 1, 2, 3…, at least 3)."""
    found, current, intro = [], [], ""
    for at, line in enumerate(lines):
        number = _item_number(line)
        if number == 1:
            if len(current) >= 3:
                found.append((intro, current))
            intro, current = (_lead(lines[at - 1]) if at else ""), [line]
        elif number is not None and current and number == len(current) + 1:
            current.append(line)
    if len(current) >= 3:
        found.append((intro, current))
    return found


def _paragraphs(lines: List[str]) -> List[str]:
    """The section's lines, with a list of short items and the line that introduces it made one paragraph."""
    out: List[str] = []
    in_list = False
    for line in lines:
        short_item = bool(ITEM.match(line)) and len(line) <= 80
        if out and short_item and (in_list or _lead(out[-1])):
            out[-1] += line if out[-1].endswith(("：", ":", "；", ";", "。")) else "；" + line
            in_list = True
        else:
            out.append(line)
            in_list = short_item
    return out


# A figure's labels scraped as text (客 户 数 量 企 业 利 润 … 30%20%5%15%): CJK characters spaced
# out one by one, in this share of them or more, and at least four times. No answer is in them.
_SPACED_OUT = re.compile(r"[\u4e00-\u9fff] (?=[\u4e00-\u9fff])")
FIGURE_RESIDUE_SHARE = 0.15


def is_figure_residue(text: str) -> bool:
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
    spaced = len(_SPACED_OUT.findall(text))
    return spaced >= 4 and spaced >= FIGURE_RESIDUE_SHARE * cjk


def passages(text: str, file: str) -> List[SourcePassage]:
    """The passages of a cleaned text, in order; each list of a section also as an outline; a
    figure's labels scraped as text are no passage."""
    found: List[SourcePassage] = []
    sections: List[tuple] = [("", [])]
    for line in (line for line in text.splitlines() if line.strip()):
        if _is_heading(line):
            sections.append((line, []))
        else:
            sections[-1][1].append(line)
    for heading, lines in sections:
        for intro, items in _enumerations(lines):
            listed = "；".join(f"{n}. {_item_title(item)}" for n, item in enumerate(items, start=1))
            lead = intro or (heading.rstrip("?？") + "：" if heading else "")
            found.append(SourcePassage(file, 0, heading, f"{lead}{listed}。", True))
        for paragraph in _paragraphs(lines):
            parts = [part for part in _packed(paragraph) if not is_figure_residue(part)]
            found += [SourcePassage(file, 0, heading, part) for part in parts]
    return [SourcePassage(p.file, n, p.heading, p.text, p.outline) for n, p in enumerate(found, start=1)]


def cleaned_path(file: str) -> Path:
    return paths.CLEAN_SOURCES_DIR / file


def write_cleaned(seeds_dir: Path = paths.SEEDS_DIR) -> List[Path]:
    """Clean every seed named in sources.yml into knowledge/sources/."""
    written = []
    paths.CLEAN_SOURCES_DIR.mkdir(parents=True, exist_ok=True)
    for file in settings():
        target = cleaned_path(file)
        target.write_text(clean((seeds_dir / file).read_text(encoding="utf-8"), file), encoding="utf-8")
        written.append(target)
    return written


def all_passages(files: Iterable[str]) -> List[SourcePassage]:
    """The passages of the cleaned sources kept in knowledge/sources/."""
    found: List[SourcePassage] = []
    for file in files:
        path = cleaned_path(file)
        if path.exists():
            found += passages(path.read_text(encoding="utf-8"), file)
    return found
