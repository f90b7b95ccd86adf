"""Read the YAML sources of the knowledge base and validate them.

Validation collects every problem before failing, and each message names the
file and the entry so that a curator knows what to change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import yaml

from knowledge import paths
from knowledge.model import CATEGORIES, FACETS, Entry, Mention, Passage, Source
from knowledge.normalize import normalize_name

REQUIRED_FIELDS = ("id", "term", "category", "short", "answer", "related", "sources")
LIST_FIELDS = ("aliases", "questions", "related", "sources")
KNOWN_FIELDS = set(REQUIRED_FIELDS) | set(LIST_FIELDS) | {"strategy"}


class ValidationError(Exception):
    """The sources are not a valid knowledge base; ``problems`` says why."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def load_sources(path: Path = paths.SOURCES_FILE) -> Dict[str, Source]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {s["file"]: Source(file=s["file"], title=s["title"]) for s in data.get("sources", [])}


def _as_tuple(value: object) -> Tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value)
    return (str(value).strip(),)


def _passages(answer: object, where: str, problems: List[str]) -> Tuple[Passage, ...]:
    """The passages of an ``answer``: a text (split at blank lines) or a list of texts and
    {facet, text} mappings."""
    if isinstance(answer, str):
        return tuple(Passage(part.strip()) for part in re.split(r"\n\s*\n", answer) if part.strip())
    if not isinstance(answer, list):
        problems.append(f"{where}: `answer` must be a text or a list of passages")
        return ()
    found = []
    for number, item in enumerate(answer, start=1):
        if isinstance(item, str) and item.strip():
            found.append(Passage(item.strip()))
            continue
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            problems.append(f"{where}: passage {number} needs a `text`")
            continue
        unknown = set(item) - {"text", "facet"}
        if unknown:
            problems.append(f"{where}: passage {number}: unknown field `{sorted(unknown)[0]}`")
        facet = item.get("facet")
        if facet is not None and facet not in FACETS:
            problems.append(f"{where}: passage {number}: facet `{facet}` is not one of {', '.join(FACETS)}")
        found.append(Passage(str(item["text"]).strip(), facet))
    texts = [p.text for p in found]
    for text in {t for t in texts if texts.count(t) > 1}:
        problems.append(f"{where}: passage “{text[:20]}…” is given twice")
    return tuple(found)


def _read_file(path: Path, problems: List[str], incomplete: Set[str]) -> Iterable[Entry]:
    """The file's valid entries; the terms of incomplete ones go to ``incomplete``."""
    label = f"{path.parent.name}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{label}: not valid YAML: {error}")
        return []
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        problems.append(f"{label}: expected a mapping with `topic:` and an `entries:` list")
        return []
    topic = str(data.get("topic") or "").strip()
    if not topic:
        problems.append(f"{label}: missing `topic:`")
    entries = []
    for position, raw in enumerate(data["entries"], start=1):
        where = f"{label}: entry {position}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping of fields")
            continue
        where = f"{label}: entry '{raw.get('id') or raw.get('term') or position}'"
        missing = [f for f in REQUIRED_FIELDS if f not in raw or raw[f] in (None, "")]
        missing = [f for f in missing if not (f == "related" and raw.get(f) == [])]
        for name in missing:
            problems.append(f"{where}: missing field `{name}`")
        for name in sorted(set(raw) - KNOWN_FIELDS):
            problems.append(f"{where}: unknown field `{name}`")
        if missing:
            incomplete.add(str(raw.get("term") or "").strip())
            continue
        category = str(raw["category"]).strip()
        if category not in CATEGORIES:
            problems.append(f"{where}: category `{category}` is not one of {', '.join(CATEGORIES)}")
        strategy = raw.get("strategy")
        passages = _passages(raw["answer"], where, problems)
        entries.append(
            Entry(
                id=str(raw["id"]).strip(),
                term=str(raw["term"]).strip(),
                category=category,
                short=str(raw["short"]).strip(),
                answer="\n\n".join(p.text for p in passages),
                passages=passages,
                strategy=str(strategy).strip() if strategy else None,
                aliases=_as_tuple(raw.get("aliases")),
                questions=_as_tuple(raw.get("questions")),
                related=_as_tuple(raw.get("related")),
                sources=_as_tuple(raw.get("sources")),
                topic=topic,
                file=label,
            )
        )
    return entries


def _check_references(
    entries: Sequence[Entry], sources: Dict[str, Source], problems: List[str], incomplete: Set[str]
) -> None:
    owner_of_id: Dict[str, Entry] = {}
    owner_of_name: Dict[str, Entry] = {}
    for entry in entries:
        where = f"{entry.file}: entry '{entry.id}'"
        if entry.id in owner_of_id:
            problems.append(f"{where}: id `{entry.id}` is already used in {owner_of_id[entry.id].file}")
        owner_of_id.setdefault(entry.id, entry)
        for name in entry.names:
            key = normalize_name(name)
            other = owner_of_name.get(key)
            if other is not None and other is not entry:
                kind = "term" if name == entry.term else "alias"
                problems.append(
                    f"{where}: {kind} `{name}` is already a name of '{other.id}' ({other.file}); "
                    "give it to one entry only"
                )
            elif other is entry and name != entry.term:
                problems.append(
                    f"{where}: alias `{name}` repeats the entry's own term or another alias "
                    "(names are compared without punctuation, case or script differences)"
                )
            owner_of_name.setdefault(key, entry)
    terms = {entry.term for entry in entries} | incomplete  # already reported once
    for entry in entries:
        where = f"{entry.file}: entry '{entry.id}'"
        for related in entry.related:
            if related not in terms:
                problems.append(
                    f"{where}: related term `{related}` has no entry (use an existing entry's `term`)"
                )
            elif related == entry.term:
                problems.append(f"{where}: lists itself as related")
        for source in entry.sources:
            if source not in sources:
                problems.append(f"{where}: unknown source `{source}` (add it to knowledge/sources.yml)")
        if not entry.sources:
            problems.append(f"{where}: missing field `sources`")


def load_entries(
    entries_dir: Path = paths.ENTRIES_DIR, sources: Dict[str, Source] | None = None
) -> List[Entry]:
    """Load and validate every entry file; raise ValidationError listing all problems."""
    sources = load_sources() if sources is None else sources
    problems: List[str] = []
    files = sorted(entries_dir.glob("*.yml"))
    if not files:
        problems.append(f"{entries_dir}: no entry files (*.yml)")
    entries: List[Entry] = []
    incomplete: Set[str] = set()
    for path in files:
        entries.extend(_read_file(path, problems, incomplete))
    _check_references(entries, sources, problems, incomplete)
    if problems:
        raise ValidationError(problems)
    return sorted(entries, key=lambda e: e.id)


def load_mentions(
    entries: Sequence[Entry], sources: Dict[str, Source], path: Path = paths.MENTIONS_FILE
) -> List[Mention]:
    """knowledge/mentions.yml: terms the sources use without defining them. Each term must not be
    an entry's name, must cite known sources and offer existing entries; ValidationError otherwise."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = {normalize_name(n): e for e in entries for n in e.names}
    terms = {e.term for e in entries}
    problems: List[str] = []
    found: List[Mention] = []
    taken: Dict[str, str] = {}
    for position, raw in enumerate(data.get("mentions") or [], start=1):
        where = f"mentions.yml: mention '{(raw or {}).get('term') or position}'"
        if not isinstance(raw, dict) or not raw.get("term") or not raw.get("note") or not raw.get("sources"):
            problems.append(f"{where}: needs `term`, `note` and `sources`")
            continue
        mention = Mention(
            term=str(raw["term"]).strip(),
            note=str(raw["note"]).strip(),
            sources=_as_tuple(raw.get("sources")),
            aliases=_as_tuple(raw.get("aliases")),
            see=_as_tuple(raw.get("see")),
        )
        for name in mention.names:
            key = normalize_name(name)
            if key in names:
                problems.append(
                    f"{where}: `{name}` is a name of entry '{names[key].id}': it is defined there"
                )
            if key in taken:
                problems.append(f"{where}: `{name}` is already recorded for '{taken[key]}'")
            taken[key] = mention.term
        for source in mention.sources:
            if source not in sources:
                problems.append(f"{where}: unknown source `{source}`")
        for term in mention.see:
            if term not in terms:
                problems.append(f"{where}: `see` names `{term}`, which has no entry")
        found.append(mention)
    if problems:
        raise ValidationError(problems)
    return found
