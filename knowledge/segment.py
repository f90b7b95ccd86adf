"""Word segmentation with jieba, keeping every knowledge-base name whole."""

from __future__ import annotations

import logging
import threading
from typing import Iterable, List

NAME_FREQUENCY = 200000
"""High enough that jieba never splits a knowledge-base name."""

_lock = threading.Lock()
_tokenizer = None


def add_word_once(tokenizer, word: str, frequency: int | None = None, tag: str | None = None) -> None:
    """Add ``word`` to a jieba tokenizer unless it has it already at ``frequency`` (or at all, when
    no frequency is given): jieba's add_word adds the frequency to its total even for a word it
    has, which would shift every later segmentation a little."""
    known = tokenizer.FREQ.get(word)
    if not known or (frequency is not None and known != frequency):
        tokenizer.add_word(word, frequency, tag)


def _shared_tokenizer():
    """One private jieba tokenizer per process: loading its dictionary takes ~1.5 s."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba  # imported on first use: half a second that most searches never need

            jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading on every start
            _tokenizer = jieba.Tokenizer()
            _tokenizer.initialize()
        return _tokenizer


class Segmenter:
    """Segments with a private tokenizer (never jieba's global one) that knows the given names.

    Names only ever add words to the shared tokenizer, so a rebuilt knowledge
    base re-adds its names without reloading the dictionary.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._tokenizer = _shared_tokenizer()
        for name in names:
            if name and " " not in name:
                add_word_once(self._tokenizer, name, NAME_FREQUENCY)

    def cut(self, text: str) -> List[str]:
        """Search-mode tokens (a long word also yields its sub-words), blanks dropped."""
        return [t for t in self._tokenizer.cut_for_search(text) if t.strip()]

    def words(self, text: str) -> List[str]:
        """The words of ``text``, each character in exactly one (precise mode)."""
        return [t for t in self._tokenizer.cut(text) if t.strip()]
