"""Analysed lists kept only as long as the user needs them: one folder per result under an
unguessable id, removed when it expires (default one day) or when the user deletes it.

Plain files, no server: the web front calls ``save``, ``load``, ``delete`` and ``purge``. The
uploaded file itself is never kept; a result holds the analysis JSON and the two exports.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

# token_urlsafe(24): 32 characters, 192 random bits.
_ID = re.compile(r"[A-Za-z0-9_-]{32}")
EXPORTS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class ResultStore:
    folder: Path
    keep_seconds: int = 24 * 3600

    def save(self, result: Dict[str, Any], exports: Dict[str, bytes], now: float | None = None) -> str:
        """Keep ``result`` and its exports (``{"csv": …, "xlsx": …}``); the new id."""
        now = time.time() if now is None else now
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        result_id = secrets.token_urlsafe(24)
        target = self.folder / result_id
        target.mkdir(mode=0o700)
        for kind, data in exports.items():
            (target / f"export.{kind}").write_bytes(data)
        stored = {**result, "id": result_id, "expires": now + self.keep_seconds}
        # Written last: a folder without result.json is an unfinished save, which purge removes.
        (target / "result.json").write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        return result_id

    def _live(self, target: Path, now: float) -> bool:
        """The folder holds a result that has not expired."""
        try:
            expires = json.loads((target / "result.json").read_text(encoding="utf-8"))["expires"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return expires > now

    def _folder(self, result_id: str, now: float | None = None) -> Path | None:
        if not _ID.fullmatch(result_id) or not (self.folder / result_id).is_dir():
            return None
        target = self.folder / result_id
        if not self._live(target, time.time() if now is None else now):
            shutil.rmtree(target, ignore_errors=True)
            return None
        return target

    def load(self, result_id: str, now: float | None = None) -> Dict[str, Any] | None:
        """The result, or None when the id is unknown, malformed or expired (then it is deleted)."""
        target = self._folder(result_id, now)
        return json.loads((target / "result.json").read_text(encoding="utf-8")) if target else None

    def export(self, result_id: str, kind: str, now: float | None = None) -> bytes | None:
        target = self._folder(result_id, now) if kind in EXPORTS else None
        return (target / f"export.{kind}").read_bytes() if target else None

    def delete(self, result_id: str) -> bool:
        """Remove a result; False when there was none."""
        if not _ID.fullmatch(result_id) or not (self.folder / result_id).is_dir():
            return False
        shutil.rmtree(self.folder / result_id, ignore_errors=True)
        return True

    def purge(self, now: float | None = None) -> int:
        """Remove every expired result, and saves left unfinished for an hour; how many."""
        now = time.time() if now is None else now
        if not self.folder.is_dir():
            return 0
        removed = 0
        for entry in os.scandir(self.folder):
            target = Path(entry.path)
            if not entry.is_dir() or not _ID.fullmatch(entry.name) or self._live(target, now):
                continue
            if not (target / "result.json").exists() and entry.stat().st_mtime + 3600 > now:
                continue  # a save under way
            shutil.rmtree(target, ignore_errors=True)
            removed += 1
        return removed


def configured_store(env: Dict[str, str] | None = None) -> ResultStore:
    """The store the web front and the messaging channels share: ``PORTFOLIO_DIR`` (default
    build/portfolio) and ``PORTFOLIO_KEEP_SECONDS`` (default one day)."""
    from knowledge.paths import BUILD_DIR  # here: the store itself needs no repository

    env = os.environ if env is None else env
    folder = Path(env.get("PORTFOLIO_DIR") or BUILD_DIR / "portfolio")
    return ResultStore(folder, int(env.get("PORTFOLIO_KEEP_SECONDS") or 24 * 3600))
