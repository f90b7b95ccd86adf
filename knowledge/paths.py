"""Where the knowledge base's sources and build products live.

Every location can be overridden by an environment variable so that tests and
deployments can point the bot at another database without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

ENTRIES_DIR = PACKAGE_DIR / "entries"
FRAMEWORKS_DIR = PACKAGE_DIR / "frameworks"
SOURCES_FILE = PACKAGE_DIR / "sources.yml"
MENTIONS_FILE = PACKAGE_DIR / "mentions.yml"
# The questions each passage answers, written for it (knowledge/asked.py).
ASKED_DIR = PACKAGE_DIR / "asked"
# The seeds as cleaned text (knowledge/seeds.py), kept with the knowledge base: the build needs no seeds.
CLEAN_SOURCES_DIR = PACKAGE_DIR / "sources"
LANGUAGE_FILE = PACKAGE_DIR / "language.yml"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


BUILD_DIR = _env_path("KB_BUILD_DIR", REPO_ROOT / "build")
SEEDS_DIR = _env_path("KB_SEEDS_DIR", REPO_ROOT.parent / "shared" / "seeds")


def db_path() -> Path:
    """The SQLite database the bot reads (``KB_DB_PATH`` overrides it)."""
    return _env_path("KB_DB_PATH", BUILD_DIR / "knowledge.db")


def log_path() -> Path:
    """The curators' logbook of feedback and unanswered questions (``KB_LOG_PATH`` overrides it)."""
    return _env_path("KB_LOG_PATH", BUILD_DIR / "logbook.db")


JIEBA_DICT_DIR = BUILD_DIR / "jieba"
LOOKUP_FILE = REPO_ROOT / "data" / "generated" / "term_lookup.yml"
