"""The FAQ API: search the knowledge base, and the whole glossary for the FAQ page.

``GET /api/faq?q=<question>[&limit=N]`` answers with exactly the JSON that
``python -m knowledge search --json`` prints (knowledge/results.py builds it):
``{"query", "status": "found|ambiguous|none", "results": [...], "answer": {...}}``, the
entries best first, and what answers the question: the definition, the passage of an entry
that answers the part asked, a passage of the sources, or a term they do not define.
A blank ``q`` or one longer than the search reads (``max_query_chars`` in
knowledge/language.yml, 200) is a 400 with a JSON error; any other text gets a
result, ``none`` when nothing matches.

``GET /api/glossary`` lists every entry with its aliases, short and full answer (and its
passages with their facets), strategy, related terms and sources. Both read the live database, so a rebuilt
knowledge base is served at once.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, TypeVar

from aiohttp import web

from bot.web.config import KB, SEARCH_THREAD, dumps, json_error
from knowledge.model import Entry
from knowledge.results import result_json
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

routes = web.RouteTableDef()

DEFAULT_LIMIT = 5  # as the CLI's --limit
MAX_LIMIT = 20

T = TypeVar("T")


async def _in_search_thread(request: web.Request, work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(request.app[SEARCH_THREAD], work)


def _limit(raw: str | None) -> int | None:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 1 <= value <= MAX_LIMIT else None


@routes.get("/api/faq")
async def search(request: web.Request) -> web.Response:
    kb = request.app[KB]
    query = request.query.get("q", "")
    if not query.strip():
        return json_error(400, "empty_query")
    if len(query) > kb.max_chars:
        return json_error(400, "query_too_long", max_chars=kb.max_chars)
    limit = _limit(request.query.get("limit"))
    if limit is None:
        return json_error(400, "bad_limit", max_limit=MAX_LIMIT)
    try:
        body = await _in_search_thread(request, lambda: result_json(kb, kb.search(query, limit=limit)))
    except KnowledgeBaseMissing:
        return json_error(503, "kb_missing")
    return web.json_response(body, dumps=dumps)


def entry_json(kb: KnowledgeBase, entry: Entry) -> Dict[str, Any]:
    related = [kb.get(term) for term in entry.related]
    return {
        "id": entry.id,
        "term": entry.term,
        "aliases": list(entry.aliases),
        "category": entry.category,
        "topic": entry.topic,
        "short": entry.short,
        "answer": entry.answer,
        "passages": [{"text": p.text, "facet": p.facet} for p in kb.passages_of(entry)],
        "strategy": entry.strategy,
        "related": [{"id": r.id, "term": r.term} for r in related if r is not None],
        "sources": [{"file": f, "title": kb.source_title(f)} for f in entry.sources],
    }


def glossary_json(kb: KnowledgeBase) -> Dict[str, Any]:
    entries: List[Dict[str, Any]] = [entry_json(kb, e) for e in kb.entries()]
    return {"version": kb.content_hash, "count": len(entries), "entries": entries}


@routes.get("/api/glossary")
async def glossary(request: web.Request) -> web.Response:
    kb = request.app[KB]
    try:
        body = await _in_search_thread(request, lambda: glossary_json(kb))
    except KnowledgeBaseMissing:
        return json_error(503, "kb_missing")
    etag = f'"{body["version"]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.json_response(body, dumps=dumps, headers=headers)
