"""Classification rules, thresholds and the fact lexicon from knowledge/frameworks/.

They are read from disk and re-read when a file changes, so a curator's edit
takes effect without a restart; the build validates them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

from knowledge import paths

_cache: Dict[str, Tuple[float, dict]] = {}


def load(name: str, folder: Path = paths.FRAMEWORKS_DIR) -> dict:
    """``facts``, ``value_levels`` or ``classifications``, as parsed YAML."""
    path = Path(folder) / f"{name}.yml"
    stamp = os.stat(path).st_mtime_ns
    cached = _cache.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, yaml.safe_load(path.read_text(encoding="utf-8")))
        _cache[str(path)] = cached
    return cached[1]


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
            if "label" in rule and "class" not in rule:
                if not framework.get("note"):
                    problems.append(f"{where}: rule {number}: a `label` class needs the framework's `note`")
            elif rule.get("class") not in ids:
                problems.append(f"{where}: rule {number}: class `{rule.get('class')}` is not an entry id")
    levels = load("value_levels", folder)
    for dimension, facts in levels.items():
        for fact, bounds in facts.items():
            if not isinstance(bounds, dict) or bounds.get("low", 0) > bounds.get("high", 0):
                problems.append(f"frameworks/value_levels.yml: {dimension}.{fact}: needs low ≤ high")
    return problems
