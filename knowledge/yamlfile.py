"""YAML files of knowledge/ read from disk, and read again when they change.

Every YAML source the running assistant consults (the frameworks, ``language.yml``,
``vocabulary.yml``) is read through ``read``: parsed once, kept with its modification time, and
parsed again when the file's time changes, so a curator's edit takes effect without a restart.
What is derived from a file (a compiled pattern, a sorted cue list) is cached under ``stamp``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Tuple

import yaml

_cache: Dict[str, Tuple[int, Any]] = {}


def stamp(path: str | os.PathLike) -> int:
    """The file's modification time: a cache key for what is derived from it."""
    return os.stat(path).st_mtime_ns


def read(path: str | os.PathLike) -> Any:
    """The parsed file, re-read when its modification time changed (an empty file reads as {})."""
    key = os.fspath(path)
    mtime = os.stat(key).st_mtime_ns
    cached = _cache.get(key)
    if cached is None or cached[0] != mtime:
        with open(key, encoding="utf-8") as file:
            cached = (mtime, yaml.safe_load(file) or {})
        _cache[key] = cached
    return cached[1]
