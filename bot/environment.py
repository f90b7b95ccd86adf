"""The environment of the assistant's processes: ``bot/process.env`` (shared with the Makefile)
over the caller's environment, with the repository on ``PYTHONPATH``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict

from knowledge.paths import REPO_ROOT

SETTINGS_FILE = Path(__file__).resolve().parent / "process.env"
_LINE = re.compile(r"([A-Z][A-Z0-9_]*)=(.*)")


def process_settings(path: Path = SETTINGS_FILE) -> Dict[str, str]:
    """The KEY=value lines of ``path`` (comments and blank lines skipped)."""
    settings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.fullmatch(line.strip())
        if match:
            settings[match.group(1)] = match.group(2).strip()
    return settings


def environment() -> Dict[str, str]:
    """The caller's environment with the settings of ``process.env`` where it has none."""
    env = dict(os.environ)
    for name, value in process_settings().items():
        env.setdefault(name, value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env
