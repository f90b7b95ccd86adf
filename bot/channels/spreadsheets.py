"""A spreadsheet a user sent in a messaging app, analysed as the customer-list page would: the file
is written to a private temporary folder, read, analysed and kept with knowledge/portfolio (in the
store the web front serves, so the link opens the page), deleted at once; the answer is a short
Chinese summary with the link, or the Chinese message of a refused file. Nothing logged names a
customer.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Dict

from bot.config import customer_list_url
from knowledge.portfolio import Limits, PortfolioError
from knowledge.portfolio.results import analyse_and_keep, summary
from knowledge.portfolio.store import ResultStore, configured_store
from knowledge.search import KnowledgeBase

logger = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")
LIMITS = Limits()


def is_spreadsheet(name: str) -> bool:
    return Path(name).suffix.lower() in SPREADSHEET_SUFFIXES


def refusal(code: str, **values: object) -> str:
    return PortfolioError(code, **values).message


class SpreadsheetAnalyst:
    """Analyses the files of one channel; the knowledge base is opened on the first file."""

    def __init__(self, texts: Dict[str, str], store: ResultStore | None = None) -> None:
        self.texts = texts
        self.store = store or configured_store()
        self._kb: KnowledgeBase | None = None

    def answer(self, name: str, data: bytes) -> str:
        """The reply to the file ``name`` with content ``data`` (runs in a worker thread)."""
        if not is_spreadsheet(name):
            return refusal("wrong_extension", file=name)
        if self._kb is None:
            self._kb = KnowledgeBase()
        uploads = self.store.folder / "uploads"
        uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            with tempfile.TemporaryDirectory(dir=uploads) as folder:
                path = Path(folder) / f"upload{Path(name).suffix.lower()}"
                path.write_bytes(data)
                analysis, result = analyse_and_keep(path, name, self._kb, self.store, LIMITS)
        except PortfolioError as error:
            return error.message
        except Exception as error:  # a sheet the reader did not foresee: a message, never silence
            logger.error("spreadsheet analysis failed: %s", type(error).__name__)  # no content: names
            return self.texts["file_failed"]
        link = f"{customer_list_url()}/{result['id']}"
        return summary(analysis, link, self.store.keep_seconds)
