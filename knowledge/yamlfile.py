"""YAML files of knowledge/ read from disk, and read again when they change.

Every YAML source the running assistant consults (the frameworks, ``language.yml``,
``vocabulary.yml``) is read through ``read``: parsed once, kept with its modification time, and
parsed again when the file's time changes, so a curator's edit takes effect without a restart.
What is derived from a file (a compiled pattern, a sorted cue list) is cached under ``stamp``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Dict, Iterator, Tuple

import yaml

_cache: Dict[str, Tuple[int, Any]] = {}
# Inside ``unchanged()`` a thread takes each file's time once (a long batch, such as a customer list
# of 100,000 rows, asked the disk ~20 times per row); other threads still see edits at once.
_frozen = threading.local()


@contextlib.contextmanager
def unchanged() -> Iterator[None]:
    """Within the block, this thread reads each file's modification time only the first time."""
    outer = getattr(_frozen, "stamps", None)
    _frozen.stamps = {} if outer is None else outer
    try:
        yield
    finally:
        _frozen.stamps = outer


def stamp(path: str | os.PathLike) -> int:
    """The file's modification time: a cache key for what is derived from it."""
    stamps = getattr(_frozen, "stamps", None)
    if stamps is None:
        return os.stat(path).st_mtime_ns
    found = stamps.get(path)
    if found is None:
        found = stamps[path] = os.stat(path).st_mtime_ns
    return found


def read(path: str | os.PathLike) -> Any:
    """The parsed file, re-read when its modification time changed (an empty file reads as {})."""
    key = os.fspath(path)
    mtime = stamp(key)
    cached = _cache.get(key)
    if cached is None or cached[0] != mtime:
        with open(key, encoding="utf-8") as file:
            cached = (mtime, yaml.safe_load(file) or {})
        _cache[key] = cached
    return cached[1]
