"""Chinese NLU components: script normalisation before jieba, and a jieba tokenizer
that drops the blank tokens jieba emits around spaces.

Salespeople write in simplified or traditional script with full-width letters;
the training data is simplified. ``ChineseNormalizer`` rewrites the message text
character for character (same length, so entity offsets stay valid) before any
tokenizer, regex featurizer or lookup table sees it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.normalize import standardize


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Traditional → simplified script and full-width → half-width, in place."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            message.set(TEXT, standardize(text))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ChineseTokenizer(JiebaTokenizer):
    """jieba with the knowledge base's user dictionary, minus whitespace tokens."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        # A message of blanks only keeps its tokens: featurizers need at least one.
        return [token for token in tokens if token.text.strip()] or tokens
