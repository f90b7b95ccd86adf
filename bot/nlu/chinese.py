"""Chinese NLU components: script normalisation before jieba, and a jieba tokenizer
that drops the blank tokens jieba emits around spaces.

Salespeople write in simplified or traditional script with full-width letters,
and mistype terms (要部客户, 关建客户); the training data is simplified and
correct. ``ChineseNormalizer`` rewrites the message text character for
character (same length, so entity offsets stay valid) before any tokenizer,
regex featurizer or lookup table sees it, and puts right a knowledge-base term
mistyped with a same- or like-sounding character.

It also decides what of a message is read at all: invisible and control
characters are dropped, a message with no letter or digit reads as empty, and
one longer than ``max_message_chars`` (config.yml) is not read: its text becomes
empty and the parse result carries ``message_too_long`` for the fallback action
to say so. Nothing after it spends time on a hostile message.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import MESSAGE_TOO_LONG
from bot.nlu.knowledge import NAME_SPANS, KnowledgeBaseComponent, knowledge_base
from knowledge.model import NameSpan
from knowledge.normalize import readable, standardize
from knowledge.search import KnowledgeBaseMissing
from knowledge.segment import add_word_once


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ChineseNormalizer(KnowledgeBaseComponent):
    """Traditional → simplified script and full-width → half-width, in place."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_message_chars": None}  # None: no limit; config.yml sets it

    @staticmethod
    def _correct_terms(text: str) -> Tuple[str, List[NameSpan] | None]:
        """The text with mistyped names put right, and every name in it (None without a knowledge base)."""
        try:
            return knowledge_base().corrected(text)
        except KnowledgeBaseMissing:
            return text, None

    def process(self, messages: List[Message]) -> List[Message]:
        limit = self.config.get("max_message_chars")
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            if limit and len(text) > limit:
                message.set(TEXT, "")
                message.set(MESSAGE_TOO_LONG, {"chars": len(text), "limit": limit}, add_to_output=True)
                continue
            text = readable(text)
            message.set(TEXT, text)
            if text:
                corrected, spans = self._correct_terms(standardize(text))
                message.set(TEXT, corrected)
                if spans is not None:
                    message.set(NAME_SPANS, spans)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                message.set(TEXT, standardize(text))
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ChineseTokenizer(JiebaTokenizer):
    """jieba with the knowledge base's user dictionary, minus whitespace tokens."""

    @staticmethod
    def _load_custom_dictionary(path: str) -> None:
        """Add the user dictionary's words to jieba, each only once per process.

        Rasa calls jieba.load_userdict on every model load, which adds each word's frequency to
        jieba's total again (see knowledge.segment.add_word_once): a second load in the same
        process (a model replaced through the HTTP API) segmented differently and changed
        predictions (不對: deny 0.913 on the first load, as in training; 0.999 on the second).
        """
        import jieba

        jieba.dt.check_initialized()
        for dictionary in sorted(glob.glob(f"{path}/*")):
            for line in Path(dictionary).read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
                if not line.strip():
                    continue
                word, frequency, tag = jieba.re_userdict.match(line.strip()).groups()
                frequency = int(frequency) if frequency is not None else None
                add_word_once(jieba.dt, word, frequency, tag.strip() if tag else None)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        # A message of blanks only keeps its tokens: featurizers need at least one.
        return [token for token in tokens if token.text.strip()] or tokens
