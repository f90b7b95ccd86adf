"""The pages: chat (``/``), FAQ (``/faq``), the page configuration and the widget bundle.

The widget is rasa-webchat's UMD bundle from node_modules, served as installed
except for one line: the bundle's CSS imports a Google font, which cannot load
offline and would send every visitor's address to Google, so it is dropped (the
page's own CSS names local fonts).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Tuple

from aiohttp import web

from bot.web.config import CONFIG, STATIC_DIR, texts

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

_REMOTE_FONT_IMPORT = re.compile(rb"@import url\(https?://fonts\.googleapis\.com/[^)]*\);?")


@routes.get("/")
async def chat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


@routes.get("/faq")
async def faq_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "faq.html")


@routes.get("/healthz")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/config.js")
async def page_config(request: web.Request) -> web.Response:
    """Settings the page scripts read as ``window.ASSISTANT_CONFIG`` (never hard-coded in them)."""
    config = request.app[CONFIG]
    settings = {
        "socketUrl": config.socket_url(request),
        "socketPath": "/socket.io/",
        "messageDelayMs": config.message_delay_ms,
        "forgetDelayMs": config.forget_delay_ms,
        "texts": texts()["widget"],
    }
    # "<" escaped so the value could be inlined in HTML too.
    body = json.dumps(settings, ensure_ascii=False).replace("<", "\\u003c")
    return web.Response(
        text=f"window.ASSISTANT_CONFIG = {body};\n",
        content_type="application/javascript",
        headers={"Cache-Control": "no-store"},
    )


def widget_bundle(path: Path) -> Tuple[bytes, bytes, str]:
    """The widget bundle without its remote font import, the same gzipped, and its ETag."""
    stat = path.stat()
    return _patched_bundle(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _patched_bundle(path: Path, mtime_ns: int, size: int) -> Tuple[bytes, bytes, str]:  # noqa: ARG001
    body, removed = _REMOTE_FONT_IMPORT.subn(b"", path.read_bytes())
    if not removed:
        log.warning("%s has no remote font import to drop: check the widget's CSS", path)
    # Compressed once here (700 kB → ~200 kB), not on every request.
    return body, gzip.compress(body, mtime=0), f'"{hashlib.sha1(body).hexdigest()}"'


@routes.get("/vendor/rasa-webchat.js")
async def widget(request: web.Request) -> web.Response:
    path = request.app[CONFIG].widget_bundle
    if not path.exists():
        log.error("%s is missing: run `make web` (npm ci in bot/web)", path)
        raise web.HTTPNotFound(text="rasa-webchat is not installed: run `make web`")
    return javascript_response(request, *widget_bundle(path))


def javascript_response(request: web.Request, body: bytes, gzipped: bytes, etag: str) -> web.Response:
    """A bundle (body, its gzip, its ETag): 304 when the browser has it, gzipped when it may be."""
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body, headers["Content-Encoding"] = gzipped, "gzip"
    return web.Response(body=body, content_type="application/javascript", charset="utf-8", headers=headers)
