"""An entity extractor that finds knowledge-base names, typos included.

It reads the live knowledge base, so a term added and built is recognised at
once, before the model is retrained with the new lookup table, and a mistyped
or misheard term (要部客户, 站略客户) still comes out as its canonical name.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.knowledge import NAME_SPANS, KnowledgeBaseComponent, knowledge_base
from knowledge.search import KnowledgeBaseMissing

logger = logging.getLogger(__name__)

ENTITY = "term"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KnowledgeBaseTermExtractor(KnowledgeBaseComponent, EntityExtractorMixin):
    """Adds a `term` entity for every knowledge-base name no earlier extractor found."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            spans = message.get(NAME_SPANS)  # found by ChineseNormalizer on this very text
            if spans is None:
                try:
                    spans = knowledge_base().find_names(text)
                except KnowledgeBaseMissing:
                    logger.warning("knowledge base not built: terms come from the lookup table only")
                    return messages
            entities: List[Dict[str, Any]] = list(message.get(ENTITIES, []))
            covered = {(e.get("start"), e.get("end")) for e in entities}
            new = [
                {
                    "entity": ENTITY,
                    "start": span.start,
                    "end": span.end,
                    "value": span.entry.term,
                    "confidence_entity": round(span.similarity, 4),
                }
                for span in spans
                if (span.start, span.end) not in covered
            ]
            if new:
                message.set(ENTITIES, entities + self.add_extractor_name(new), add_to_output=True)
        return messages
