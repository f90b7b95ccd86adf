"""The experts' side of a handoff on the web front, behind the operators' token (like ``/report``).

- ``GET /operators``: the page (``static/operators.html``, ``static/operators.js``) listing the open
  handoffs with their transcripts, a reply box and a 结束 button for each.
- ``GET /api/handoffs``: the open handoffs (from the logbook, read-only) with each conversation's
  last messages (from Rasa's HTTP API).
- ``POST /api/handoffs/{id}/reply`` ``{"text": "…"}``: the reply, triggered in the salesperson's
  conversation as intent ``handoff_reply`` with the channel they used as ``output_channel``, so it
  reaches them there and is a bot turn in the tracker (``bot/handoff.py``).
- ``POST /api/handoffs/{id}/close``: gives the conversation back to the assistant.

A bad request is a 4xx with ``{"error", "error_en", "code"}`` and changes nothing: a missing token
401, an unknown handoff 404, one already closed or timed out 409, a reply that is not JSON with a
``text`` string 400, empty 400, longer than ``MAX_REPLY_CHARS`` (or a body over 64 KiB) 413. The page
shows every text as text, never as markup.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List

from aiohttp import web

from bot.handoff import (
    CLOSE_INTENT,
    EXPERT_ENTITY,
    ID_ENTITY,
    MAX_REPLY_CHARS,
    REPLY_INTENT,
    TEXT_ENTITY,
    SettingsError,
    clean_reply,
    lines_of,
    load_settings,
)
from bot.rasa_api import RasaApi, RasaUnavailable, replied
from bot.web.config import CONFIG, SEARCH_THREAD, STATIC_DIR, dumps, is_operator, json_error
from knowledge.logbook import LogbookReader, timestamp, utc_now

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

MAX_BODY = 64 * 1024
TRANSCRIPT_MESSAGES = 30


def _rasa(request: web.Request) -> RasaApi:
    config = request.app[CONFIG]
    return RasaApi(config.rasa_api(), config.report_token or "")


async def _in_thread(request: web.Request, work: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(request.app[SEARCH_THREAD], work)


def _open_handoffs() -> List[Dict[str, Any]]:
    reader = LogbookReader()
    try:
        return reader.open_handoffs() if "handoffs" in reader.table_names() else []
    finally:
        reader.close()


def _handoff(number: int) -> Dict[str, Any] | None:
    reader = LogbookReader()
    try:
        return reader.handoff(number) if "handoffs" in reader.table_names() else None
    finally:
        reader.close()


def _expert_names() -> Dict[str, str]:
    try:
        return {e.wecom_id: e.name for e in load_settings().experts}
    except SettingsError as error:
        log.error("handoff settings: %s", error)
        return {}


def _shown(row: Dict[str, Any], names: Dict[str, str]) -> Dict[str, Any]:
    """A handoff as the page shows it (no sender id: the page does not need it)."""
    return {
        "id": row["id"],
        "expert": names.get(row["expert_id"], row["expert_id"]),
        "expert_id": row["expert_id"],
        "question": row["question"],
        "channel": row["channel"],
        "opened_at": row["created_at"],
        "deadline": row["deadline"],
        "replies": row["replies"] or 0,
        "first_reply_at": row["first_reply_at"],
    }


@routes.get("/operators")
async def operators_page(request: web.Request) -> web.StreamResponse:
    if not is_operator(request):
        return json_error(401, "operators_token")
    return web.FileResponse(STATIC_DIR / "operators.html", headers={"Cache-Control": "no-store"})


@routes.get("/api/handoffs")
async def list_handoffs(request: web.Request) -> web.Response:
    if not is_operator(request):
        return json_error(401, "operators_token")
    rows = await _in_thread(request, _open_handoffs)
    names = _expert_names()
    rasa = _rasa(request)
    shown = []
    for row in rows:
        item = _shown(row, names)
        try:
            turns = lines_of(await rasa.events(row["sender"]))
            item["transcript"] = [{"who": t.who, "text": t.text} for t in turns[-TRANSCRIPT_MESSAGES:]]
        except RasaUnavailable as error:
            log.error("no transcript for handoff #%s: %s", row["id"], error)
            item["transcript"] = None
        shown.append(item)
    return web.json_response({"handoffs": shown}, dumps=dumps, headers={"Cache-Control": "no-store"})


async def _open_row(request: web.Request) -> Dict[str, Any] | web.Response:
    """The open handoff the URL names, or the error response."""
    try:
        number = int(request.match_info["id"])
    except ValueError:
        return json_error(404, "handoff_not_found", id=request.match_info["id"][:20])
    row = await _in_thread(request, lambda: _handoff(number))
    if row is None:
        return json_error(404, "handoff_not_found", id=number)
    if row["closed_at"] is not None or not row["sender"] or row["deadline"] <= timestamp(utc_now()):
        return json_error(409, "handoff_closed", id=number)
    return row


async def _reply_text(request: web.Request) -> str | web.Response:
    if (request.content_length or 0) > MAX_BODY:
        return json_error(413, "reply_too_long", max_chars=MAX_REPLY_CHARS)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return json_error(413, "reply_too_long", max_chars=MAX_REPLY_CHARS)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return json_error(400, "bad_reply")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return json_error(400, "bad_reply")
    if len(data["text"].strip()) > MAX_REPLY_CHARS:
        return json_error(413, "reply_too_long", max_chars=MAX_REPLY_CHARS)
    text = clean_reply(data["text"])
    if text is None:
        return json_error(400, "empty_reply")
    return text


async def _trigger(
    request: web.Request, row: Dict[str, Any], intent: str, entities: Dict[str, Any]
) -> web.Response | None:
    """Trigger ``intent`` in the handoff's conversation; an error response, or None when a bot
    message came of it (the reply went out, the handoff was closed)."""
    try:
        answer = await _rasa(request).trigger_intent(
            row["sender"], intent, {ID_ENTITY: str(row["id"]), **entities}, row["channel"] or None
        )
    except RasaUnavailable as error:
        log.error("handoff #%s: %s", row["id"], error)
        if error.status is None:
            return json_error(503, "rasa_unreachable")
        return json_error(502, "rasa_error", status=error.status)
    if not replied(answer.get("tracker") or {}):
        # The conversation's handoff ended meanwhile (结束人工, a timeout): nothing was sent.
        return json_error(409, "handoff_closed", id=row["id"])
    return None


@routes.post("/api/handoffs/{id}/reply")
async def reply(request: web.Request) -> web.Response:
    if not is_operator(request):
        return json_error(401, "operators_token")
    row = await _open_row(request)
    if isinstance(row, web.Response):
        return row
    text = await _reply_text(request)
    if isinstance(text, web.Response):
        return text
    expert = _expert_names().get(row["expert_id"], row["expert_id"])
    failed = await _trigger(request, row, REPLY_INTENT, {TEXT_ENTITY: text, EXPERT_ENTITY: expert})
    if failed is not None:
        return failed
    log.info("handoff #%s: an expert's reply sent from the operators' page", row["id"])
    return web.json_response({"id": row["id"], "sent": True, "text": text}, dumps=dumps)


@routes.post("/api/handoffs/{id}/close")
async def close(request: web.Request) -> web.Response:
    if not is_operator(request):
        return json_error(401, "operators_token")
    row = await _open_row(request)
    if isinstance(row, web.Response):
        return row
    failed = await _trigger(request, row, CLOSE_INTENT, {})
    if failed is not None:
        return failed
    return web.json_response({"id": row["id"], "closed": True}, dumps=dumps)
