"""Customer lists analysed on the web front (issue #15): upload, result, exports, delete.

``POST /api/portfolio`` (multipart, field ``file``; optional ``rank_by`` profit | revenue and
``columns``, a JSON object correcting the recognised columns: field → header or null) reads
the list with knowledge.portfolio and answers 201 with the analysis and its unguessable link
``/portfolio/<id>``; a file it cannot read is a 4xx whose ``error`` says why in Chinese. With
``confirm=unsure`` (the page sends it) and no ``columns``, a list whose columns were recognised
unsurely is not analysed: 200 with ``confirm: true`` and the proposed mapping, nothing kept.
``GET /api/portfolio/<id>``, ``GET /api/portfolio/<id>/export.csv|xlsx`` and
``DELETE /api/portfolio/<id>`` serve and remove a result; results expire after
``portfolio_keep_seconds`` (a purge runs in the background). The uploaded file is deleted as soon
as it is read, and nothing about its content (customer names) is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import logging
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Tuple
from urllib.parse import quote

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.config import CONFIG, ECHARTS_BUNDLE, KB, PORTFOLIO, STATIC_DIR, dumps, json_error, texts
from bot.web.pages import javascript_response
from knowledge.portfolio import AMOUNT_FIELDS, Limits, PortfolioError, map_columns, read_table
from knowledge.portfolio.results import analyse_and_keep
from knowledge.portfolio.sheets import messages
from knowledge.portfolio.store import EXPORTS

log = logging.getLogger(__name__)

# A result's id is its only key: never written to a log.
_RESULT_ID = re.compile(r"(/portfolio/)[A-Za-z0-9_-]{32}")


def redacted(path: str) -> str:
    """``path`` with any result id replaced by ``<id>``, for the logs."""
    return _RESULT_ID.sub(r"\1<id>", path)


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log line (address, request line, status, size, time) without result ids."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        version = f"HTTP/{request.version.major}.{request.version.minor}"
        line = f"{request.method} {redacted(request.path_qs)} {version}"
        self.logger.info(
            '%s "%s" %s %s %.3fs', request.remote, line, response.status, response.body_length, time
        )


routes = web.RouteTableDef()

RANK_BY = {"profit": "profit_wan", "revenue": "purchase_wan"}
MAX_NAME_CHARS = 200
_CHUNK = 64 * 1024
# Refusals for size answer 413; every other unreadable file 400.
_STATUS = {"too_large": 413, "upload_too_large": 413}


def _refusal(error: PortfolioError) -> web.Response:
    body = {"error": error.message, "code": error.code}
    return web.json_response(body, status=_STATUS.get(error.code, 400), dumps=dumps)


@routes.get("/portfolio")
@routes.get("/portfolio/{id}")
async def portfolio_page(request: web.Request) -> web.FileResponse:
    # The same page for the upload and a result: its script reads the id from the address.
    return web.FileResponse(STATIC_DIR / "portfolio.html", headers={"Cache-Control": "no-store"})


@lru_cache(maxsize=2)
def _bundle(path: Path, mtime_ns: int) -> Tuple[bytes, bytes, str]:  # noqa: ARG001 (the cache key)
    body = path.read_bytes()
    # Compressed once here (1 MB → ~340 kB), not on every request.
    return body, gzip.compress(body, mtime=0), f'"{hashlib.sha1(body).hexdigest()}"'


@routes.get("/vendor/echarts.js")
async def echarts(request: web.Request) -> web.Response:
    """ECharts as npm installed it (bot/web/node_modules): the page loads nothing from outside."""
    if not ECHARTS_BUNDLE.exists():
        log.error("%s is missing: run `make web` (npm ci in bot/web)", ECHARTS_BUNDLE)
        raise web.HTTPNotFound(text="echarts is not installed: run `make web`")
    return javascript_response(request, *_bundle(ECHARTS_BUNDLE, ECHARTS_BUNDLE.stat().st_mtime_ns))


def _analyse(
    path: Path,
    name: str,
    rank_by: str | None,
    columns: Dict[str, str | None] | None,
    confirm: bool,
    request: web.Request,
) -> Dict[str, Any]:
    config = request.app[CONFIG]
    limits = Limits(max_bytes=config.portfolio_max_bytes)
    if confirm and columns is None:
        table = read_table(path, limits, name=name)
        mapping = map_columns(table.header, table.rows, None, table.header_notes)
        # A list the analysis would refuse gets its message now, not a question first.
        if mapping.unsure and any(field in mapping.fields for field in AMOUNT_FIELDS):
            labels = messages()["field_labels"]
            return {"confirm": True, "file": table.file, "mapping": mapping.as_dict(), "field_labels": labels}
    store = request.app[PORTFOLIO]
    return analyse_and_keep(path, name, request.app[KB], store, limits, rank_by, columns)[1]


async def _receive(part: Any, path: Path, max_bytes: int) -> bool:
    """Write the uploaded part to ``path``; False, having stopped reading, once it exceeds ``max_bytes``."""
    size = 0
    with path.open("wb") as file:
        while chunk := await part.read_chunk(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                return False
            file.write(chunk)
    return True


def _too_large(name: str, max_bytes: int) -> PortfolioError:
    return PortfolioError("upload_too_large", file=name, limit_mb=max_bytes // 2**20)


@routes.post("/api/portfolio")
async def upload(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    if not request.content_type.startswith("multipart/"):
        return json_error(400, "portfolio_no_file")
    rank_by, columns, confirm = None, None, False
    upload_dir = config.portfolio_dir / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=upload_dir) as folder:
        path, name = Path(folder), None
        try:
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.name == "rank_by":
                    chosen = (await part.text()).strip()
                    if chosen not in RANK_BY:
                        return json_error(400, "portfolio_bad_rank")
                    rank_by = RANK_BY[chosen]
                elif part.name == "confirm":
                    if (await part.text()).strip() != "unsure":
                        return json_error(400, "portfolio_bad_confirm")
                    confirm = True
                elif part.name == "columns":
                    try:
                        columns = json.loads(await part.text())
                    except ValueError:
                        columns = None
                    if not isinstance(columns, dict) or not all(
                        isinstance(v, (str, type(None))) for v in columns.values()
                    ):
                        return json_error(400, "portfolio_bad_columns")
                elif part.name == "file" and name is None:
                    name = (part.filename or "upload")[-MAX_NAME_CHARS:]
                    # openpyxl opens a workbook only under its extension; the user's name is not a path.
                    suffix = Path(name).suffix.lower()
                    path = path / f"upload{suffix if suffix in ('.xlsx', '.csv') else ''}"
                    if not await _receive(part, path, config.portfolio_max_bytes):
                        return _refusal(_too_large(name, config.portfolio_max_bytes))
        except (ValueError, AssertionError, KeyError, UnicodeDecodeError, HttpProcessingError):
            # A body that is no form (no boundary, broken part headers).
            return json_error(400, "portfolio_no_file")
        if name is None:
            return json_error(400, "portfolio_no_file")
        loop = asyncio.get_running_loop()
        try:
            body = await loop.run_in_executor(None, _analyse, path, name, rank_by, columns, confirm, request)
        except PortfolioError as error:
            return _refusal(error)
        except Exception as error:  # a sheet the reader did not foresee: a 400, never a 500
            log.error("portfolio analysis failed: %s", type(error).__name__)  # no content: it names customers
            return json_error(400, "portfolio_failed")
    status = 200 if body.get("confirm") else 201
    return web.json_response(body, status=status, dumps=dumps, headers={"Cache-Control": "no-store"})


@routes.get("/api/portfolio/{id}")
async def result(request: web.Request) -> web.Response:
    found = request.app[PORTFOLIO].load(request.match_info["id"])
    if found is None:
        return json_error(404, "portfolio_gone")
    body = {**found, "url": f"/portfolio/{found['id']}"}
    return web.json_response(body, dumps=dumps, headers={"Cache-Control": "no-store"})


@routes.get("/api/portfolio/{id}/export.{kind}")
async def export(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    data = request.app[PORTFOLIO].export(request.match_info["id"], kind)
    if data is None:
        return json_error(404, "portfolio_gone")
    shown = quote(f"{texts()['portfolio']['export_name']}.{kind}")
    headers = {
        "Content-Disposition": f"attachment; filename=\"portfolio.{kind}\"; filename*=UTF-8''{shown}",
        "Cache-Control": "no-store",
    }
    return web.Response(body=data, content_type=EXPORTS[kind], headers=headers)


@routes.delete("/api/portfolio/{id}")
async def delete(request: web.Request) -> web.Response:
    if not request.app[PORTFOLIO].delete(request.match_info["id"]):
        return json_error(404, "portfolio_gone")
    return web.json_response({"deleted": True})


async def _purge_forever(app: web.Application) -> None:
    store = app[PORTFOLIO]
    interval = max(1, min(600, store.keep_seconds // 4))
    while True:
        removed = await asyncio.get_running_loop().run_in_executor(None, store.purge)
        if removed:
            log.info("removed %d expired customer-list analyses", removed)
        await asyncio.sleep(interval)


async def start_purge(app: web.Application) -> None:
    app[PURGE_TASK] = asyncio.create_task(_purge_forever(app))


async def stop_purge(app: web.Application) -> None:
    app[PURGE_TASK].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app[PURGE_TASK]


PURGE_TASK = web.AppKey("portfolio_purge", asyncio.Task)
