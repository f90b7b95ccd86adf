"""The JSON of a search and of its answer: one contract, printed by ``python -m knowledge search
--json`` and served by the FAQ API (``GET /api/faq``)."""

from __future__ import annotations

from typing import Any, Dict

from knowledge.answers import Answer
from knowledge.model import NAME_METHODS, SearchResult
from knowledge.search import KnowledgeBase


def _sources(kb: KnowledgeBase, files) -> list:
    return [{"file": f, "title": kb.source_title(f)} for f in files]


def answer_json(kb: KnowledgeBase, answer: Answer) -> Dict[str, Any]:
    """What answers the question: the definition, the passage of an entry, a passage of the sources
    (with its file and position), a term the sources use without defining it, or nothing."""
    body: Dict[str, Any] = {"kind": answer.kind, "facet": answer.facet}
    if answer.entry is not None:
        body.update(id=answer.entry.id, term=answer.entry.term, text=answer.text, short=answer.entry.short)
        body["sources"] = _sources(kb, answer.entry.sources)
    elif answer.kind == "source":
        passage = answer.passage
        body.update(text=answer.text, heading=passage.heading, position=passage.position)
        body["sources"] = _sources(kb, [passage.source])
    elif answer.kind == "mention":
        term = answer.mention.term if answer.mention else answer.term
        if answer.mention is not None:
            text, files = answer.mention.note, answer.mention.sources
        else:
            text, files = answer.passage.text.strip(), [answer.passage.source]
        body.update(term=term, text=text, defined=False, sources=_sources(kb, files))
    return body


def result_json(kb: KnowledgeBase, result: SearchResult) -> Dict[str, Any]:
    """The ranked entries for a question, best first, and what answers it."""
    named = [c.entry for c in result.candidates if c.method in NAME_METHODS][:1]
    return {
        "query": result.query,
        "status": result.status,
        "results": [
            {
                "id": c.entry.id,
                "term": c.entry.term,
                "answer": c.entry.short,
                "score": c.score,
                "match": c.method,
                "sources": _sources(kb, c.entry.sources),
            }
            for c in result.candidates
        ],
        "answer": answer_json(kb, kb.answer(result.query, named)),
    }
