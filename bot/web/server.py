"""The aiohttp application of the web front and the command that serves it.

``create_app(config)`` registers every route in one place (``ROUTE_TABLES``): a new
page, such as a token-protected report, is one module with a ``RouteTableDef``
added there. Every response carries a strict Content-Security-Policy: scripts only
from this server, connections only to it and to Rasa's socket.io server, so even
a ``javascript:`` link or an injected ``<script>`` in a bot message cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, List
from urllib.parse import urlsplit

from aiohttp import web

from bot.api_token import api_token
from bot.web import conversations, faq, operators, pages, portfolio, report
from bot.web.config import CONFIG, KB, PORTFOLIO, SEARCH_THREAD, STATIC_DIR, WebConfig, json_error
from knowledge.portfolio import ResultStore
from knowledge.portfolio.store import configured_store
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing
from knowledge.warm_up import warm_up_search

log = logging.getLogger(__name__)

ROUTE_TABLES: List[web.RouteTableDef] = [
    pages.routes,
    faq.routes,
    report.routes,
    conversations.routes,
    operators.routes,
    portfolio.routes,
]

# Request lines up to 128 KiB (a URL-encoded question of ~14,000 Chinese characters), so an
# over-long question gets the API's own JSON error rather than the HTTP parser's plain 400; the
# access log leaves out the ids of analysed customer lists.
HANDLER_ARGS = {"max_line_size": 128 * 1024, "access_log_class": portfolio.AccessLogger}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_security_policy(socket_url: str) -> str:
    parts = urlsplit(socket_url)
    socket_origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # The widget injects its CSS as <style> elements.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: http: https:",
            # The carousel's icon font is inlined as data: URLs.
            "font-src 'self' data:",
            f"connect-src 'self' {socket_origin} {ws_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(request.app[CONFIG].socket_url(request))
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")


@web.middleware
async def _api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API paths answer in JSON, also when the route does not exist or the handler fails."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if request.path.startswith("/api/") and error.status == 404:
            return json_error(404, "not_found")
        raise
    except Exception:
        log.exception("%s %s failed", request.method, portfolio.redacted(request.path_qs))
        if request.path.startswith("/api/"):
            return json_error(500, "internal")
        raise


async def _start_search(app: web.Application) -> None:
    app[SEARCH_THREAD] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-search")
    # Load the database and jieba now, so the first visitor does not wait ~2 s for them.
    warm_up = asyncio.get_running_loop().run_in_executor(app[SEARCH_THREAD], warm_up_search, app[KB])
    warm_up.add_done_callback(_report_warm_up)


def _report_warm_up(future: asyncio.Future) -> None:
    error = future.exception()
    if isinstance(error, KnowledgeBaseMissing):
        log.warning("%s", error)
    elif error is not None:
        log.error("warming up the search failed: %r", error)


async def _stop_search(app: web.Application) -> None:
    app[SEARCH_THREAD].shutdown(wait=True)


def create_app(config: WebConfig | None = None) -> web.Application:
    config = config or WebConfig()
    app = web.Application(middlewares=[_api_errors])
    app[CONFIG] = config
    app[KB] = KnowledgeBase(config.db_path)
    app[PORTFOLIO] = ResultStore(config.portfolio_dir, config.portfolio_keep_seconds)
    for table in ROUTE_TABLES:
        app.add_routes(table)
    app.router.add_static("/static/", STATIC_DIR)
    app.on_response_prepare.append(_security_headers)
    app.on_startup.append(_start_search)
    app.on_startup.append(portfolio.start_purge)
    app.on_cleanup.append(_stop_search)
    app.on_cleanup.append(portfolio.stop_purge)
    return app


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", 8080)))
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("RASA_SOCKET_URL"),
        help="Rasa's socket.io server as the browser reaches it (default: the page's host, --rasa-port)",
    )
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument(
        "--rasa-api-url",
        default=os.environ.get("RASA_API_URL"),
        help="Rasa's HTTP API as this server reaches it (default: http://127.0.0.1:--rasa-port)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = WebConfig(
            rasa_url=args.rasa_url,
            rasa_port=args.rasa_port,
            rasa_api_url=args.rasa_api_url,
            report_token=api_token(),
            # Shared with the messaging channels, which keep the lists sent to them there too.
            portfolio_dir=configured_store().folder,
            portfolio_keep_seconds=configured_store().keep_seconds,
        )
    except ValueError as error:
        parser.error(str(error))
    if not config.widget_bundle.exists():
        print(
            f"error: {config.widget_bundle} is missing: run `make web` (npm ci in bot/web)", file=sys.stderr
        )
        return 2
    serve(create_app(config), args.host, args.port)
    return 0


def serve(app: web.Application, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM, then close connections (at most 5 s: the launcher kills at 10 s)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, handle_signals=True, shutdown_timeout=5, **HANDLER_ARGS)
    try:
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, host, port).start())
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        print(f"web front on http://{shown}:{port}/ (chat) and http://{shown}:{port}/faq (FAQ)", flush=True)
        loop.run_forever()
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        loop.run_until_complete(runner.cleanup())
        loop.close()
