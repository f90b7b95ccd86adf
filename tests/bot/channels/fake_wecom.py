"""A local stand-in for WeCom: its server API as a fake, and its callbacks as the platform builds them.

``FakeWeComApi`` serves ``/cgi-bin/gettoken`` and ``/cgi-bin/message/send`` on a free port with WeCom's
error codes (40013 bad corpid, 40001 bad secret, 41001 no token, 40014 invalid token, 42001 expired
token, 40056 bad agentid, 40008 bad msgtype, 44004 empty text, 45002 text over 2048 bytes) and records
every call. Tests can expire its tokens or make the next call fail.

``WeComPlatform`` builds what WeCom sends to our callback URL: the XML of a message, encrypted with
the EncodingAESKey and signed with the Token exactly as the platform does (wechatpy's crypto).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Tuple
from urllib.parse import urlencode

import xmltodict
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from tests.ports import free_port

TEXT_LIMIT = 2048


@dataclass
class Call:
    path: str
    query: Dict[str, str]
    body: bytes
    answer: Dict[str, Any] | None
    status: int = 200

    @property
    def json(self) -> Dict[str, Any]:
        return json.loads(self.body.decode("utf-8"))


class FakeWeComApi:
    """gettoken + message/send with WeCom's semantics, in a thread of the test process."""

    def __init__(self, corp_id: str, secret: str, agent_id: int) -> None:
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.port = free_port()
        self.calls: List[Call] = []
        self.tokens: Dict[str, float] = {}  # token → expiry (time.time())
        self._failures: Deque[Tuple[str, int, int]] = deque()
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
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    # --- controls for tests -------------------------------------------------------------------
    def fail_next(self, path: str, errcode: int = 0, http_status: int = 0) -> None:
        """The next call to ``path`` answers ``errcode`` (a WeCom error) or an HTTP error status."""
        with self._lock:
            self._failures.append((path, errcode, http_status))

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens = {token: 0.0 for token in self.tokens}

    def calls_to(self, path: str) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if call.path == path]

    def delivered(self, user: str) -> List[str]:
        """Texts successfully sent to ``user``, in order."""
        return [
            call.json["text"]["content"]
            for call in self.calls_to("/cgi-bin/message/send")
            if call.answer and call.answer["errcode"] == 0 and call.json.get("touser") == user
        ]

    def wait_for(self, user: str, count: int = 1, timeout: float = 30) -> List[str]:
        """Wait until ``count`` texts were delivered to ``user`` (and a moment more for stragglers)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.delivered(user)) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
        time.sleep(0.3)
        return self.delivered(user)

    # --- the API --------------------------------------------------------------------------------
    def _record(self, request: web.Request, body: bytes, answer: Dict[str, Any] | None, status: int) -> None:
        with self._lock:
            self.calls.append(Call(request.path, dict(request.query), body, answer, status))
            self._lock.notify_all()

    def _injected(self, path: str) -> Tuple[int, int] | None:
        with self._lock:
            for failure in list(self._failures):
                if failure[0] == path:
                    self._failures.remove(failure)
                    return failure[1], failure[2]
        return None

    async def _answer(self, request: web.Request, body: bytes, answer: Dict[str, Any]) -> web.Response:
        injected = self._injected(request.path)
        if injected and injected[1]:
            self._record(request, body, None, injected[1])
            return web.Response(status=injected[1], text="upstream error")
        if injected:
            answer = {"errcode": injected[0], "errmsg": "injected failure"}
        self._record(request, body, answer, 200)
        return web.json_response(answer)

    async def _gettoken(self, request: web.Request) -> web.Response:
        corp_id, secret = request.query.get("corpid"), request.query.get("corpsecret")
        if not corp_id:
            answer = {"errcode": 41002, "errmsg": "corpid missing"}
        elif corp_id != self.corp_id:
            answer = {"errcode": 40013, "errmsg": "invalid corpid"}
        elif not secret:
            answer = {"errcode": 41004, "errmsg": "corpsecret missing"}
        elif secret != self.secret:
            answer = {"errcode": 40001, "errmsg": "invalid credential"}
        else:
            with self._lock:
                now = time.time()
                valid = [token for token, expiry in self.tokens.items() if expiry > now]
                # Like WeCom: the same token while it is valid, a new one after it expired.
                token = valid[0] if valid else secrets.token_urlsafe(48)
                self.tokens[token] = self.tokens.get(token) or now + 7200
            answer = {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        return await self._answer(request, b"", answer)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.read()
        token = request.query.get("access_token")
        with self._lock:
            expiry = self.tokens.get(token or "")
        if not token:
            answer = {"errcode": 41001, "errmsg": "access_token missing"}
        elif expiry is None:
            answer = {"errcode": 40014, "errmsg": "invalid access_token"}
        elif expiry <= time.time():
            answer = {"errcode": 42001, "errmsg": "access_token expired"}
        else:
            answer = self._check_message(body)
        return await self._answer(request, body, answer)

    def _check_message(self, body: bytes) -> Dict[str, Any]:
        try:
            message = json.loads(body.decode("utf-8"))
        except ValueError:
            return {"errcode": 40058, "errmsg": "invalid json"}
        if message.get("agentid") != self.agent_id:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        if not message.get("touser"):
            return {"errcode": 40031, "errmsg": "invalid user list"}
        if message.get("msgtype") != "text":
            return {"errcode": 40008, "errmsg": "invalid message type"}
        content = (message.get("text") or {}).get("content")
        if not content:
            return {"errcode": 44004, "errmsg": "empty content"}
        if len(content.encode("utf-8")) > TEXT_LIMIT:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": uuid.uuid4().hex}


def new_aes_key() -> str:
    """An EncodingAESKey as the admin console makes one: 43 characters of base64."""
    return base64.b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class WeComPlatform:
    """Builds the callbacks WeCom sends for an application: signed, encrypted, current timestamp."""

    corp_id: str
    agent_id: int
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    aes_key: str = field(default_factory=new_aes_key)

    def __post_init__(self) -> None:
        self._crypto = WeChatCrypto(self.token, self.aes_key, self.corp_id)

    def message_xml(self, user: str, msg_type: str, fields: Dict[str, str], msg_id: int | None = None) -> str:
        inner = "".join(f"<{name}>{cdata(value)}</{name}>" for name, value in fields.items())
        msg_id = msg_id if msg_id is not None else int(time.time() * 1000) * 1000 + secrets.randbelow(1000)
        return (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{inner}"
            f"<MsgId>{msg_id}</MsgId><AgentID>{self.agent_id}</AgentID></xml>"
        )

    def text_xml(self, user: str, content: str, msg_id: int | None = None) -> str:
        return self.message_xml(user, "text", {"Content": content}, msg_id)

    def event_xml(self, user: str, event: str) -> str:
        return (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata('event')}</MsgType>"
            f"<Event>{cdata(event)}</Event><AgentID>{self.agent_id}</AgentID></xml>"
        )

    def _encrypt(self, plain: str, timestamp: int | None) -> Tuple[str, str, str, str]:
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = secrets.token_hex(5)
        sealed = xmltodict.parse(self._crypto.encrypt_message(plain, nonce, timestamp_text))["xml"]
        return sealed["Encrypt"], sealed["MsgSignature"], timestamp_text, nonce

    def callback(self, xml: str, timestamp: int | None = None) -> Tuple[str, bytes]:
        """The query string and body of WeCom's POST for ``xml``."""
        encrypted, signature, timestamp_text, nonce = self._encrypt(xml, timestamp)
        query = urlencode({"msg_signature": signature, "timestamp": timestamp_text, "nonce": nonce})
        body = (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>"
            f"<AgentID>{cdata(str(self.agent_id))}</AgentID><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        )
        return query, body.encode("utf-8")

    def verification(self, echo: str, timestamp: int | None = None) -> str:
        """The query string of WeCom's GET when the admin saves the callback URL."""
        encrypted, signature, timestamp_text, nonce = self._encrypt(echo, timestamp)
        return urlencode(
            {"msg_signature": signature, "timestamp": timestamp_text, "nonce": nonce, "echostr": encrypted}
        )
