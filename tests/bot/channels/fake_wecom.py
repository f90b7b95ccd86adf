"""A local stand-in for WeCom: its server API as a fake, and its callbacks as the platform builds them.

``FakeWeComApi`` serves ``/cgi-bin/gettoken``, ``/cgi-bin/message/send`` and ``/cgi-bin/media/get``
(获取临时素材: the file as bytes with ``Content-disposition: attachment; filename="<media id>.<ext>"``,
or a JSON error) on a free port with WeCom's error codes (40013 bad corpid, 40001 bad secret, 41001 no
token, 40014 invalid token, 42001 expired token, 40056 bad agentid, 40008 bad msgtype, 44004 empty
text, 45002 text over 2048 bytes, 41006 no media_id, 40007 invalid or expired media_id) and records
every call. Tests can expire its tokens, make the next call fail, and upload the files users send.

``WeComPlatform`` builds what WeCom sends to our callback URL: the XML of a message, encrypted with
the EncodingAESKey and signed with the Token exactly as the platform does (wechatpy's crypto).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Dict, Tuple
from urllib.parse import urlencode

import xmltodict
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from tests.bot.channels.fake_api import Call, FakeApi

TEXT_LIMIT = 2048
# What WeCom answers for an access_token that is missing, unknown or past its expires_in.
TOKEN_ERRORS = {
    "missing": {"errcode": 41001, "errmsg": "access_token missing"},
    "invalid": {"errcode": 40014, "errmsg": "invalid access_token"},
    "expired": {"errcode": 42001, "errmsg": "access_token expired"},
}
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".pdf": "application/pdf",
}


class FakeWeComApi(FakeApi):
    """gettoken + message/send with WeCom's semantics, in a thread of the test process."""

    def __init__(self, corp_id: str, secret: str, agent_id: int) -> None:
        super().__init__()
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.media: Dict[str, Tuple[str, bytes]] = {}  # media id → (file name, content)

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/cgi-bin/gettoken", self._gettoken)
        router.add_post("/cgi-bin/message/send", self._send)
        router.add_get("/cgi-bin/media/get", self._media_get)

    def add_media(self, name: str, content: bytes) -> str:
        """A file a user sent, as WeCom keeps it (three days) for the app to download; its media id."""
        media_id = "3" + secrets.token_urlsafe(30)
        with self._lock:
            self.media[media_id] = (name, content)
        return media_id

    def forget_media(self, media_id: str) -> None:
        """As after three days: the media id is no longer valid."""
        with self._lock:
            self.media.pop(media_id, None)

    # --- controls for tests -------------------------------------------------------------------
    def fail_next(self, path: str, errcode: int = 0, http_status: int = 0) -> None:  # type: ignore[override]
        """The next call to ``path`` answers ``errcode`` (a WeCom error) or an HTTP error status."""
        if http_status:
            super().fail_next(path, http_status, None)
        else:
            super().fail_next(path, 200, {"errcode": errcode, "errmsg": "injected failure"})

    def delivered_text(self, call: Call) -> Tuple[str, str] | None:
        if call.path != "/cgi-bin/message/send" or not call.answer or call.answer["errcode"] != 0:
            return None
        return call.json.get("touser"), call.json["text"]["content"]

    # --- the API --------------------------------------------------------------------------------
    async def _gettoken(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda _: (200, self._token_answer(request.query)))

    def _token_answer(self, query: Any) -> Dict[str, Any]:
        corp_id, secret = query.get("corpid"), query.get("corpsecret")
        if not corp_id:
            return {"errcode": 41002, "errmsg": "corpid missing"}
        if corp_id != self.corp_id:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if not secret:
            return {"errcode": 41004, "errmsg": "corpsecret missing"}
        if secret != self.secret:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        token, _ = self.new_token(7200)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    async def _send(self, request: web.Request) -> web.Response:
        state = self.token_state(request.query.get("access_token"))
        error = TOKEN_ERRORS.get(state)
        return await self.answer(request, lambda body: (200, error or self._check_message(body)))

    async def _media_get(self, request: web.Request) -> web.StreamResponse:
        state = self.token_state(request.query.get("access_token"))
        media_id = request.query.get("media_id", "")
        with self._lock:
            found = self.media.get(media_id)
        error = TOKEN_ERRORS.get(state)
        if error is None and not media_id:
            error = {"errcode": 41006, "errmsg": "media_id missing"}
        if error is None and found is None:
            error = {"errcode": 40007, "errmsg": "invalid media_id"}
        if error is not None or found is None:
            # WeCom's errors are JSON with HTTP 200 (injected failures are answered here too).
            return await self.answer(request, lambda _: (200, error))
        name, content = found
        with self._lock:
            self.calls.append(Call(request.path, dict(request.query), dict(request.headers), b"", 200, {}))
            self._lock.notify_all()
        suffix = PurePath(name).suffix.lower()
        return web.Response(
            body=content,
            content_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
            headers={"Content-disposition": f'attachment; filename="{media_id}{suffix}"'},
        )

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

    def file_xml(self, user: str, media_id: str, file_name: str | None = None) -> str:
        """A file message: its media id, and the file's name when ``file_name`` is given."""
        fields = {"MediaId": media_id, **({"FileName": file_name} if file_name else {})}
        return self.message_xml(user, "file", fields)

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
