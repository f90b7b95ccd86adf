"""Classification rules, thresholds and the fact lexicon from knowledge/frameworks/.

They are read from disk and re-read when a file changes, so a curator's edit
takes effect without a restart; the build validates them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List

from knowledge import paths, yamlfile


@lru_cache(maxsize=64)
def _file(name: str, folder: Path) -> str:
    # A string, joined once: read several times per message, and per row of a customer list.
    return os.path.join(folder, f"{name}.yml")


def load(name: str, folder: Path = paths.FRAMEWORKS_DIR) -> dict:
    """``facts``, ``value_levels`` or ``classifications``, as parsed YAML."""
    return yamlfile.read(_file(name, folder))


def stamp(name: str, folder: Path = paths.FRAMEWORKS_DIR) -> int:
    """The modification time of a framework file: a cache key for what is derived from it."""
    return yamlfile.stamp(_file(name, folder))


def frameworks() -> List[dict]:
    return load("classifications")["frameworks"]


def validate(entry_ids: Iterable[str], folder: Path = paths.FRAMEWORKS_DIR) -> List[str]:
    """Problems in the frameworks, each naming the file and the framework."""
    ids = set(entry_ids)
    problems = []
    label = "frameworks/classifications.yml"
    for framework in load("classifications", folder).get("frameworks", []):
        where = f"{label}: framework '{framework.get('id', '?')}'"
        for key in ("id", "name", "entry", "needs", "rules"):
            if key not in framework:
                problems.append(f"{where}: missing field `{key}`")
        if framework.get("entry") and framework["entry"] not in ids:
            problems.append(f"{where}: entry `{framework['entry']}` is not an entry id")
        for number, rule in enumerate(framework.get("rules", []), start=1):
            given = [key for key in ("class", "label", "outside") if key in rule]
            if len(given) != 1:
                problems.append(f"{where}: rule {number}: needs exactly one of `class`, `label`, `outside`")
            elif "label" in rule and not framework.get("note"):
                problems.append(f"{where}: rule {number}: a `label` class needs the framework's `note`")
            elif "class" in rule and rule["class"] not in ids:
                problems.append(f"{where}: rule {number}: class `{rule['class']}` is not an entry id")
    levels = load("value_levels", folder)
    for dimension, facts in levels.items():
        for fact, setting in facts.items():
            where = f"frameworks/value_levels.yml: {dimension}.{fact}"
            if not isinstance(setting, dict):
                problems.append(f"{where}: needs {{high: …, low: …}} or a map of values to levels")
            elif set(setting) == {"high", "low"}:
                if (
                    not all(isinstance(v, (int, float)) for v in setting.values())
                    or setting["low"] > setting["high"]
                ):
                    problems.append(f"{where}: needs low ≤ high")
            elif not set(setting.values()) <= {"high", "medium", "low"}:
                problems.append(f"{where}: each value must map to high, medium or low")
    return problems
