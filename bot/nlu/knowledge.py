"""The knowledge base as the NLU components see it: one instance per Rasa process."""

from __future__ import annotations

import logging
from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from knowledge.search import KnowledgeBaseMissing, shared_knowledge_base
from knowledge.warm_up import warm_up_search

logger = logging.getLogger(__name__)

NAME_SPANS = "knowledge_base_name_spans"
"""Message attribute: the names the normaliser found, for the term extractor to reuse."""


knowledge_base = shared_knowledge_base  # the process's one, shared with the actions


def warm_up() -> None:
    """Load the knowledge base with the model rather than on the first message."""
    try:
        warm_up_search(knowledge_base())
    except KnowledgeBaseMissing:
        logger.warning("knowledge base not built: terms come from the lookup table only")


class KnowledgeBaseComponent(GraphComponent):
    """Base of the NLU components that read the knowledge base: loads it with the model."""

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        self.config = config or {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        warm_up()
        return cls(config)
