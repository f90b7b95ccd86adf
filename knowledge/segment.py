"""Word segmentation with jieba, keeping every knowledge-base name whole."""

from __future__ import annotations

import logging
from typing import Iterable, List

import jieba

# jieba logs its dictionary loading at DEBUG/INFO on every start; keep it quiet.
jieba.setLogLevel(logging.WARNING)

NAME_FREQUENCY = 200000
"""High enough that jieba never splits a knowledge-base name."""


class Segmenter:
    """A private jieba tokenizer so the knowledge base never alters jieba's global state."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._tokenizer = jieba.Tokenizer()
        for name in names:
            if name and " " not in name:
                self._tokenizer.add_word(name, NAME_FREQUENCY)

    def cut(self, text: str) -> List[str]:
        """Search-mode tokens (a long word also yields its sub-words), blanks dropped."""
        return [t for t in self._tokenizer.cut_for_search(text) if t.strip()]
