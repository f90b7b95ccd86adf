"""A local stand-in for Feishu: its server API as a fake, and its event callbacks as the platform builds
them.

``FakeFeishuApi`` serves ``/open-apis/auth/v3/tenant_access_token/internal`` and
``/open-apis/im/v1/messages`` as Feishu answers them: JSON with ``code`` and ``msg`` (HTTP 400 for a
request error), the tenant token as ``Authorization: Bearer …`` (99991661 missing, 99991663 invalid or
expired), ``receive_id_type`` in the query, ``content`` a JSON string.

``FeishuPlatform`` builds what Feishu POSTs to the event request URL: schema 2.0 events with the
Verification Token, and with an Encrypt Key the ``{"encrypt": …}`` body (AES-256-CBC, key SHA-256 of the
Encrypt Key, random IV in front, PKCS#7) and the ``X-Lark-*`` signature headers, written here from the
documentation, independently of ``bot/channels/feishu_callback.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.bot.channels.fake_api import Call, FakeApi

TOKEN, SEND = "/open-apis/auth/v3/tenant_access_token/internal", "/open-apis/im/v1/messages"
ID_TYPES = {"open_id", "user_id", "union_id", "email", "chat_id"}


def error(code: int, msg: str, status: int = 400) -> Tuple[int, Dict[str, Any]]:
    return status, {"code": code, "msg": msg}


class FakeFeishuApi(FakeApi):
    def __init__(self, app_id: str, app_secret: str) -> None:
        super().__init__()
        self.app_id, self.app_secret = app_id, app_secret

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(TOKEN, self._token_route)
        router.add_post(SEND, self._send)

    async def _token_route(self, request: web.Request) -> web.Response:
        return await self.answer(request, self._token)

    def _token(self, body: bytes) -> Tuple[int, Any]:
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError:
            return error(10003, "invalid param")
        if not request.get("app_id") or not request.get("app_secret") or request["app_id"] != self.app_id:
            return error(10003, "invalid param")
        if request["app_secret"] != self.app_secret:
            return error(10014, "app secret invalid")
        token, lifetime = self.new_token()
        return 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-" + token, "expire": int(lifetime)}

    async def _send(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization", "")
        token = (
            authorization.removeprefix("Bearer ").removeprefix("t-")
            if authorization.startswith("Bearer ")
            else ""
        )
        state = self.token_state(token)
        id_type = request.query.get("receive_id_type")
        return await self.answer(request, lambda body: self._check_send(state, id_type, body))

    def _check_send(self, state: str, id_type: str | None, body: bytes) -> Tuple[int, Any]:
        if state == "missing":
            return error(99991661, "Missing access token for authorization.")
        if state != "valid":
            return error(99991663, "Invalid access token for authorization.")
        if id_type not in ID_TYPES:
            return error(99992402, "field validation failed: receive_id_type")
        try:
            message = json.loads(body.decode("utf-8"))
            content = json.loads(message.get("content") or "")
        except (ValueError, TypeError):
            return error(
                230001, "Your request contains an invalid request parameter, ext=content is not json."
            )
        if not message.get("receive_id"):
            return error(99992402, "field validation failed: receive_id")
        if message.get("msg_type") != "text" or not isinstance(content, dict) or not content.get("text"):
            return error(230001, "Your request contains an invalid request parameter.")
        return 200, {"code": 0, "msg": "success", "data": {"message_id": "om_" + uuid.uuid4().hex}}

    def delivered_text(self, call: Call) -> Tuple[str, str] | None:
        if call.path != SEND or call.status != 200 or (call.answer or {}).get("code") != 0:
            return None
        message = call.json
        return message["receive_id"], json.loads(message["content"])["text"]


def feishu_encrypt(encrypt_key: str, plain: str) -> str:
    key = hashlib.sha256(encrypt_key.encode("utf-8")).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode("ascii")


@dataclass
class FeishuPlatform:
    """Builds the events Feishu sends for an app: with the token, encrypted and signed when a key is set."""

    app_id: str
    verification_token: str
    encrypt_key: str = ""

    def text_event(
        self,
        open_id: str,
        text: str,
        message_id: str | None = None,
        chat: str | None = None,
        mention: bool = True,
    ) -> Dict[str, Any]:
        mentions: List[Dict[str, Any]] = []
        if chat and mention:
            text = f"@_user_1 {text}"
            mentions = [
                {"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "客户助手", "tenant_key": "t1"}
            ]
        return self.message_event(
            open_id, "text", json.dumps({"text": text}, ensure_ascii=False), message_id, chat, mentions
        )

    def message_event(
        self,
        open_id: str,
        message_type: str,
        content: str,
        message_id: str | None = None,
        chat: str | None = None,
        mentions: List[Dict[str, Any]] | None = None,
    ) -> Dict[str, Any]:
        now = str(int(time.time() * 1000))
        message: Dict[str, Any] = {
            "message_id": message_id or "om_" + secrets.token_hex(16),
            "create_time": now,
            "chat_id": chat or "oc_" + hashlib.md5(open_id.encode()).hexdigest(),
            "chat_type": "group" if chat else "p2p",
            "message_type": message_type,
            "content": content,
        }
        if mentions:
            message["mentions"] = mentions
        return self.event(
            "im.message.receive_v1",
            {
                "sender": {
                    "sender_id": {
                        "union_id": "on_" + secrets.token_hex(8),
                        "user_id": "u1",
                        "open_id": open_id,
                    },
                    "sender_type": "user",
                    "tenant_key": "t1",
                },
                "message": message,
            },
        )

    def event(self, event_type: str, event: Dict[str, Any], created_ms: int | None = None) -> Dict[str, Any]:
        return {
            "schema": "2.0",
            "header": {
                "event_id": uuid.uuid4().hex,
                "event_type": event_type,
                "create_time": str(created_ms if created_ms is not None else int(time.time() * 1000)),
                "token": self.verification_token,
                "app_id": self.app_id,
                "tenant_key": "t1",
            },
            "event": event,
        }

    def url_verification(self, challenge: str) -> Dict[str, Any]:
        return {"challenge": challenge, "token": self.verification_token, "type": "url_verification"}

    def callback(self, payload: Dict[str, Any], timestamp: int | None = None) -> Tuple[Dict[str, str], bytes]:
        """The headers and body of Feishu's POST for ``payload``."""
        plain = json.dumps(payload, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Request-Id": uuid.uuid4().hex}
        if not self.encrypt_key:
            return headers, plain.encode("utf-8")
        body = json.dumps({"encrypt": feishu_encrypt(self.encrypt_key, plain)}).encode("utf-8")
        if payload.get("type") != "url_verification":
            stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(8)
            signature = hashlib.sha256((stamp + nonce + self.encrypt_key).encode("utf-8") + body).hexdigest()
            headers.update(
                {
                    "X-Lark-Request-Timestamp": stamp,
                    "X-Lark-Request-Nonce": nonce,
                    "X-Lark-Signature": signature,
                }
            )
        return headers, body
