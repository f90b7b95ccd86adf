"""The curators' report on the web front: ``GET /report?days=N``, behind the operators' token.

The page is ``knowledge.report.html_report`` (questions, gaps, 没用 per entry, a chart per day)
over the logbook the action server writes. It shows what users asked, so it needs the same token
as Rasa's HTTP API (``RASA_API_TOKEN``, or the one the launcher keeps in build/rasa_api_token),
sent as ``Authorization: Bearer <token>`` or ``?token=<token>``; without it the answer is a 401.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.web.config import SEARCH_THREAD, is_operator, json_error
from knowledge.report import html_report

routes = web.RouteTableDef()

DEFAULT_DAYS = 30
MAX_DAYS = 3650


@routes.get("/report")
async def report(request: web.Request) -> web.Response:
    if not is_operator(request):
        return json_error(401, "report_token")
    try:
        days = int(request.query.get("days", DEFAULT_DAYS))
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        return json_error(400, "bad_days", max_days=MAX_DAYS)
    page = await asyncio.get_running_loop().run_in_executor(
        request.app[SEARCH_THREAD], lambda: html_report(days=days)
    )
    # The page embeds the questions users asked: never cached, never sent as a referrer.
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})
