"""What every route of the web front shares: its settings, its texts and JSON errors."""

from __future__ import annotations

import hmac
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Dict
from urllib.parse import urlsplit

import yaml
from aiohttp import web

from knowledge.paths import BUILD_DIR
from knowledge.portfolio import ResultStore
from knowledge.search import KnowledgeBase

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEXTS_FILE = WEB_DIR / "texts.yml"
# Installed by `make web` (npm ci) from bot/web/package-lock.json.
WIDGET_BUNDLE = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# The customer-list page's charts: Apache ECharts' browser build, from the same lock file.
ECHARTS_BUNDLE = WEB_DIR / "node_modules" / "echarts" / "dist" / "echarts.min.js"

# A host name as it may appear in a URL; anything else in a Host header is not echoed back.
_HOSTNAME = re.compile(r"[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}")


@dataclass(frozen=True)
class WebConfig:
    """Settings of the web front.

    ``rasa_url`` is where the browser reaches Rasa's socket.io channel. When it is not
    set, the page uses the host it was loaded from with ``rasa_port``, so the same
    server works for http://localhost:8080/ and for http://<machine>:8080/.
    """

    rasa_url: str | None = None
    rasa_port: int = 5005
    db_path: Path | None = None
    widget_bundle: Path = WIDGET_BUNDLE
    # Who may read the curators' report (/report): the operators' token; None closes the page.
    report_token: str | None = None
    # Where the web front itself reaches Rasa's HTTP API (the operators' API uses it); by default
    # Rasa on this machine at ``rasa_port``.
    rasa_api_url: str | None = None
    # Pause before each bot message is shown, with the typing indicator (the widget's default is 0.8–3 s).
    message_delay_ms: int = 150
    # After the assistant deleted the conversation: how long its confirmation stays before the
    # page clears the widget's copy and reloads.
    forget_delay_ms: int = 2500
    # Analysed customer lists (/portfolio): where they are kept, for how long, how large an upload may be.
    portfolio_dir: Path = BUILD_DIR / "portfolio"
    portfolio_keep_seconds: int = 24 * 3600
    portfolio_max_bytes: int = 20 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.rasa_url is not None:
            parts = urlsplit(self.rasa_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
                raise ValueError(f"the Rasa URL must look like http://host:port, not {self.rasa_url!r}")

    def rasa_api(self) -> str:
        """The origin of Rasa's HTTP API as the web front reaches it."""
        return (self.rasa_api_url or f"http://127.0.0.1:{self.rasa_port}").rstrip("/")

    def socket_url(self, request: web.Request) -> str:
        """The origin of Rasa's socket.io server as the browser that sent ``request`` sees it."""
        if self.rasa_url:
            return self.rasa_url.rstrip("/")
        # From the Host header (request.url is not used: it rejects a host with a port under newer yarl).
        try:
            host = urlsplit(f"//{request.host}").hostname or "localhost"
        except ValueError:
            host = "localhost"
        if not _HOSTNAME.fullmatch(host):
            host = "localhost"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.rasa_port}"


CONFIG = web.AppKey("config", WebConfig)
KB = web.AppKey("knowledge_base", KnowledgeBase)
# Searches run on one worker thread: the event loop never waits for jieba or SQLite.
SEARCH_THREAD = web.AppKey("search_thread", ThreadPoolExecutor)
PORTFOLIO = web.AppKey("portfolio_store", ResultStore)


@lru_cache(maxsize=1)
def texts() -> Dict[str, Any]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


dumps = partial(json.dumps, ensure_ascii=False)


def json_error(status: int, key: str, **values: Any) -> web.Response:
    """A JSON error for people (``error``, Chinese) and integrators (``error_en``)."""
    message = texts()["errors"][key]
    return web.json_response(
        {
            "error": message["zh"].format(**values),
            "error_en": message["en"].format(**values),
            "code": key,
        },
        status=status,
        dumps=dumps,
    )


def presented_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip()
    return request.query.get("token", "")


def is_operator(request: web.Request) -> bool:
    """The request carries the operators' token (``Authorization: Bearer`` or ``?token=``)."""
    expected = request.app[CONFIG].report_token
    return bool(expected) and hmac.compare_digest(presented_token(request).encode(), expected.encode())
