"""The knowledge base as the NLU components see it: one instance per Rasa process."""

from __future__ import annotations

import logging
from functools import lru_cache

from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """Shared by the normaliser and the term extractor; reloads itself when rebuilt."""
    return KnowledgeBase()


def warm_up() -> None:
    """Load the knowledge base with the model rather than on the first message."""
    try:
        knowledge_base().find_names("腰部客户")
    except KnowledgeBaseMissing:
        logger.warning("knowledge base not built: terms come from the lookup table only")
