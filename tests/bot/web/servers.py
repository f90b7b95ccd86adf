"""Servers the web tests run in their own process: an aiohttp app on a thread, and a fake Rasa.

``FakeRasa`` speaks the protocol of Rasa's socket.io channel (``session_request`` →
``session_confirm``, ``user_uttered`` → ``bot_uttered``) with python-socketio, the
library Rasa itself uses, so the widget can be fed messages Rasa would never write.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Dict, List

import socketio
from aiohttp import web

from bot.web.server import HANDLER_ARGS
from tests.ports import free_port

Message = Dict[str, Any]


class ThreadedApp:
    """Serve an aiohttp application on 127.0.0.1 from a background thread (a context manager)."""

    def __init__(self, app: web.Application, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"web-{self.port}", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = self._runner()
        try:
            self._loop.run_until_complete(runner.setup())
            self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        except BaseException as error:  # reported to the test thread by __enter__
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        # Background tasks of the app (socket.io pings) end with it.
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def _runner(self) -> web.AppRunner:
        return web.AppRunner(self.app, access_log=None, shutdown_timeout=1, **HANDLER_ARGS)

    def __enter__(self) -> ThreadedApp:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


class FakeRasa:
    """A stand-in for Rasa's socket.io channel that answers with scripted bot messages.

    ``replies`` maps what the user sent to the messages the bot sends back; anything
    else is echoed. ``received`` and ``sessions`` record what the widget sent.
    """

    def __init__(self, allowed_origin: str, replies: Callable[[str], List[Message]] | None = None) -> None:
        self.replies = replies or (lambda text: [{"text": f"收到：{text}"}])
        self.received: List[Message] = []
        self.sessions: List[str] = []
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[allowed_origin])
        self.app = web.Application()
        self.sio.attach(self.app, socketio_path="/socket.io/")
        self.sio.on("session_request", self._session_request)
        self.sio.on("user_uttered", self._user_uttered)

    async def _session_request(self, sid: str, data: Dict[str, Any] | None) -> None:
        session_id = (data or {}).get("session_id") or sid
        self.sessions.append(session_id)
        await self.sio.emit("session_confirm", session_id, room=sid)

    async def _user_uttered(self, sid: str, data: Dict[str, Any]) -> None:
        self.received.append(data)
        for message in self.replies(data.get("message", "")):
            await self.sio.emit("bot_uttered", message, room=sid)

    def texts(self) -> List[str]:
        return [m.get("message", "") for m in self.received]
