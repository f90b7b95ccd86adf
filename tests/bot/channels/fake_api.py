"""What the local fakes of the messaging apps' server APIs share: an aiohttp server in a thread of
the test process on a free port, every call recorded, tokens that tests can expire, failures that tests
can inject into the next call of a path. Each fake (``fake_wecom.py``, ``fake_dingtalk.py``,
``fake_feishu.py``) answers as its platform does.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, List, Tuple

from aiohttp import web

from tests.ports import free_port


@dataclass
class Call:
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    body: bytes
    status: int
    answer: Any

    @property
    def json(self) -> Dict[str, Any]:
        return json.loads(self.body.decode("utf-8"))


class FakeApi:
    """Subclasses add their routes in ``routes`` and decide in ``delivered_text`` what a delivery is."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: List[Call] = []
        self.tokens: Dict[str, float] = {}  # token → expiry (time.time())
        self._failures: Deque[Tuple[str, int, Any]] = deque()
        self._lock = threading.Condition()  # re-entrant: delivered() is called while waiting
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _serve(self) -> None:
        app = web.Application()
        self.routes(app.router)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    # --- controls for tests -------------------------------------------------------------------
    def fail_next(self, path: str, status: int, answer: Any) -> None:
        """The next call to ``path`` answers ``status`` with the JSON ``answer``."""
        with self._lock:
            self._failures.append((path, status, answer))

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens = {token: 0.0 for token in self.tokens}

    def calls_to(self, path: str) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if call.path == path]

    def delivered_text(self, call: Call) -> Tuple[str, str] | None:
        """(recipient, text) of a successful send call, None for any other call."""
        raise NotImplementedError

    def delivered(self, recipient: str) -> List[str]:
        """Texts successfully sent to ``recipient``, in order."""
        with self._lock:
            deliveries = [self.delivered_text(call) for call in self.calls]
        return [delivery[1] for delivery in deliveries if delivery and delivery[0] == recipient]

    def wait_for(self, recipient: str, count: int = 1, timeout: float = 30) -> List[str]:
        """Wait until ``count`` texts were delivered to ``recipient`` (and a moment more for stragglers)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.delivered(recipient)) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
        time.sleep(0.3)
        return self.delivered(recipient)

    # --- for the subclasses' handlers -----------------------------------------------------------
    def new_token(self, lifetime: float = 7200) -> Tuple[str, float]:
        """Like both platforms: the same token while it is valid, a new one after it expired."""
        with self._lock:
            now = time.time()
            valid = [token for token, expiry in self.tokens.items() if expiry > now]
            token = valid[0] if valid else secrets.token_urlsafe(24)
            self.tokens[token] = self.tokens.get(token) or now + lifetime
            return token, self.tokens[token] - now

    def token_state(self, token: str | None) -> str:
        """ "missing", "invalid", "expired" or "valid"."""
        if not token:
            return "missing"
        with self._lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            return "invalid"
        return "expired" if expiry <= time.time() else "valid"

    async def answer(self, request: web.Request, handle: Callable[[bytes], Tuple[int, Any]]) -> web.Response:
        """Record the call and answer it: an injected failure, else what ``handle(body)`` says."""
        body = await request.read()
        with self._lock:
            injected = next((f for f in self._failures if f[0] == request.path), None)
            if injected:
                self._failures.remove(injected)
        status, answer = (injected[1], injected[2]) if injected else handle(body)
        with self._lock:
            self.calls.append(
                Call(request.path, dict(request.query), dict(request.headers), body, status, answer)
            )
            self._lock.notify_all()
        return web.json_response(answer, status=status)
