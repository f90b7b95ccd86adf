"""The operators' API for one person's data: ``DELETE /api/conversations/{sender}``, behind the
operators' token, deletes that sender's conversation and their rows in the logbook.

It asks Rasa (``POST /conversations/{sender}/trigger_intent`` with Rasa's API token) to run the
confirmed deletion exactly as the chat does (``bot/forgetting.py``): the action server deletes the
logbook rows, the tracker store the conversation, under the conversation's lock. Nothing is sent
to the person. The answer is JSON: ``{"sender": …, "deleted": true, "reply": …}`` (the reply the
person would have seen, with the counts), or an error saying that nothing was deleted.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp
from aiohttp import web

from bot.forgetting import FORGET_INTENT, FORGET_SLOT
from bot.web.config import CONFIG, dumps, is_operator, json_error

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

MAX_SENDER_CHARS = 255  # Rasa's events.sender_id column
RASA_TIMEOUT_S = 30


def _valid_sender(sender: str) -> bool:
    return 0 < len(sender) <= MAX_SENDER_CHARS and sender.isprintable()


@routes.delete("/api/conversations/{sender}")
async def forget_conversation(request: web.Request) -> web.Response:
    if not is_operator(request):
        return json_error(401, "operators_token")
    sender = request.match_info["sender"]
    if not _valid_sender(sender):
        return json_error(400, "bad_sender", max_chars=MAX_SENDER_CHARS)
    config = request.app[CONFIG]
    url = f"{config.rasa_api()}/conversations/{quote(sender, safe='')}/trigger_intent"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S)) as session:
            async with session.post(
                url, params={"token": config.report_token}, json={"name": FORGET_INTENT}
            ) as response:
                if response.status != 200:
                    log.error("Rasa answered %s to a deletion: %s", response.status, await response.text())
                    return json_error(502, "rasa_failed", status=response.status)
                body = await response.json()
    except (aiohttp.ClientError, TimeoutError) as error:
        log.error("Rasa could not be reached for a deletion: %r", error)
        return json_error(503, "rasa_unavailable")
    replies = [m.get("text") for m in body.get("messages") or [] if m.get("text")]
    if ((body.get("tracker") or {}).get("slots") or {}).get(FORGET_SLOT) is not True:
        log.error("the deletion did not run: %s", replies)  # e.g. the logbook could not be changed
        return json_error(502, "rasa_failed", status="action_forget_conversation")
    log.info("deleted a conversation and its logbook rows at an operator's request")
    return web.json_response({"sender": sender, "deleted": True, "reply": "\n".join(replies)}, dumps=dumps)
