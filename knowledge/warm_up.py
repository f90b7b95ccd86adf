"""What a process loads before its first visitor: the database, jieba and the passage index, by
asking one question (and, in the action server, the fact reader, by classifying one description).
The NLU components and the web front warm up with ``warm_up_search``; the launcher sends the
action server ``QUESTION`` and ``DESCRIPTION``; so no user waits for either."""

from __future__ import annotations

from knowledge.search import KnowledgeBase

QUESTION = "哪种客户最有吸引力"
DESCRIPTION = "客户年采购额800万"


def warm_up_search(kb: KnowledgeBase) -> None:
    """Names, full-text search and the passages (KnowledgeBaseMissing when not built)."""
    kb.find_names(QUESTION)
    kb.search(QUESTION)
    kb.answer(QUESTION)
