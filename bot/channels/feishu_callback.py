"""Feishu / Lark event subscription (事件订阅, "将事件发送至开发者服务器"), without Rasa or a web framework.

Feishu POSTs JSON to the request URL (请求地址) set in the developer console:

- with an **Encrypt Key** set, every body is ``{"encrypt": "<base64>"}``: AES-256-CBC with the SHA-256 of
  the Encrypt Key as key, the first 16 bytes of the ciphertext as IV, PKCS#7 padding; and every event
  carries ``X-Lark-Request-Timestamp`` (seconds), ``X-Lark-Request-Nonce`` and ``X-Lark-Signature`` =
  hex SHA-256 of timestamp + nonce + Encrypt Key + the raw body;
- without one, the body is the event itself, and only its **Verification Token** says it is Feishu's.

The decrypted event always holds the Verification Token (``token``, or ``header.token`` in schema 2.0),
checked in both schemes. The URL check (``"type": "url_verification"``) is not signed: its token is
checked and its ``challenge`` answered. A message event::

    {"schema": "2.0", "header": {"event_id", "event_type": "im.message.receive_v1", "create_time": "ms",
     "token", "app_id", "tenant_key"}, "event": {"sender": {"sender_id": {"open_id": "ou_…"},
     "sender_type": "user"}, "message": {"message_id": "om_…", "chat_id": "oc_…", "chat_type": "p2p" |
     "group", "message_type": "text", "content": "{\\"text\\":\\"@_user_1 什么是腰部客户\\"}",
     "mentions": [{"key": "@_user_1", "name": "客户助手", "id": {"open_id": "ou_…"}}]}}}

An event whose signed timestamp or ``create_time`` is more than an hour from our clock is refused, like
DingTalk's. A sender id in the tracker store is ``feishu:<open_id>`` one-to-one and
``feishu:<chat_id>:<open_id>`` for a person in a group (``conversation_of`` says where replies go).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Tuple

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.checks import MAX_SENDER_CHARS
from bot.channels.inbound import EVENT, TEXT, CallbackRejected, Incoming, check_age, field_text, json_object

MAX_CLOCK_SKEW = 3600  # seconds, as for DingTalk (Feishu documents no window)
PREFIX = "feishu:"
MESSAGE_EVENT = "im.message.receive_v1"
_PLACEHOLDER = re.compile(r"@_user_\d+|@_all")
_LEADING_PLACEHOLDERS = re.compile(r"^(?:\s*(?:@_user_\d+|@_all))+\s*")


@dataclass(frozen=True)
class Challenge:
    """The URL check: answer ``{"challenge": challenge}``."""

    challenge: str


def decrypt(encrypt_key: str, encrypted: str) -> str:
    """The plain text of an ``encrypt`` field (ValueError when it is not one, for this key)."""
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64") from error
    if len(data) < 32 or len(data) % 16:
        raise ValueError("not AES-CBC ciphertext")
    key = hashlib.sha256(encrypt_key.encode("utf-8")).digest()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    return plain.decode("utf-8")


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """``X-Lark-Signature`` of a request: hex SHA-256 of timestamp + nonce + Encrypt Key + body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def conversation_of(sender: str) -> Tuple[str, str]:
    """Where replies to ``sender`` go: ("open_id", open_id) or ("chat_id", chat_id)."""
    parts = sender.removeprefix(PREFIX).split(":")
    if len(parts) == 2:
        return "chat_id", parts[0]
    return "open_id", parts[0]


def message_text(text: str, mentions: List[Mapping[str, Any]]) -> str:
    """The text without the @-mentions it starts with (the robot's); later mentions by their names."""
    names = {field_text(m.get("key")): field_text(m.get("name")) for m in mentions if isinstance(m, Mapping)}
    text = _LEADING_PLACEHOLDERS.sub("", text)
    return _PLACEHOLDER.sub(lambda match: f"@{names.get(match.group(0)) or ''}", text)


@dataclass
class EventCallback:
    """Checks and opens Feishu event callbacks: decryption, token, signature, timestamps, JSON."""

    verification_token: str
    encrypt_key: str = ""
    max_clock_skew: float = MAX_CLOCK_SKEW
    clock: Callable[[], float] = time.time

    def open(self, headers: Mapping[str, str], body: bytes) -> Challenge | Incoming:
        """``headers`` with lower-case names; the URL check's challenge or the message for the core."""
        payload = self._payload(body)
        if payload.get("type") == "url_verification":
            self._check_token(payload.get("token"))
            challenge = field_text(payload.get("challenge"))
            if not challenge:
                raise CallbackRejected(400, "a URL check without its challenge")
            return Challenge(challenge)
        header = payload.get("header")
        if payload.get("schema") != "2.0" or not isinstance(header, dict):
            raise CallbackRejected(400, "not a schema 2.0 event")
        self._check_token(header.get("token"))
        if self.encrypt_key:
            self._check_signature(headers, body)
        created = field_text(header.get("create_time"))
        if not created.isdigit() or len(created) > 16:
            raise CallbackRejected(400, "an event without its create_time")
        check_age(self.clock() - int(created) / 1000, self.max_clock_skew)
        event_id = field_text(header.get("event_id"))
        if not event_id:
            raise CallbackRejected(400, "an event without its event_id")
        if header.get("event_type") != MESSAGE_EVENT:
            return Incoming(key=f"event:{event_id}", sender=PREFIX, kind=EVENT)
        return self._message(payload.get("event"))

    def _payload(self, body: bytes) -> Dict[str, Any]:
        envelope = json_object(body)
        if "encrypt" not in envelope:
            if self.encrypt_key:
                raise CallbackRejected(400, "not encrypted, though an Encrypt Key is set")
            return envelope
        if not self.encrypt_key:
            raise CallbackRejected(400, "encrypted, but no Encrypt Key is configured")
        try:
            plain = decrypt(self.encrypt_key, field_text(envelope["encrypt"]))
        except (ValueError, UnicodeDecodeError) as error:
            raise CallbackRejected(400, "cannot decrypt") from error
        return json_object(plain.encode("utf-8"))

    def _check_token(self, token: Any) -> None:
        expected = self.verification_token.encode("utf-8")
        if not hmac.compare_digest(field_text(token).encode("utf-8"), expected):
            raise CallbackRejected(403, "bad verification token")

    def _check_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        names = ("x-lark-request-timestamp", "x-lark-request-nonce", "x-lark-signature")
        timestamp, nonce, sign = (headers.get(name, "") for name in names)
        missing = [name for name, value in zip(names, (timestamp, nonce, sign), strict=True) if not value]
        if missing:
            raise CallbackRejected(400, f"missing header(s): {', '.join(missing)}")
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise CallbackRejected(400, "timestamp is not a number of seconds")
        check_age(self.clock() - int(timestamp), self.max_clock_skew)
        expected = signature(timestamp, nonce, self.encrypt_key, body)
        if not hmac.compare_digest(sign.encode("utf-8"), expected.encode("utf-8")):
            raise CallbackRejected(403, "bad signature")

    def _message(self, event: Any) -> Incoming:
        event = event if isinstance(event, dict) else {}
        sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        ids = sender.get("sender_id") if isinstance(sender.get("sender_id"), dict) else {}
        open_id, message_id = field_text(ids.get("open_id")), field_text(message.get("message_id"))
        chat_id, chat_type = field_text(message.get("chat_id")), field_text(message.get("chat_type"))
        if not open_id or not message_id or ":" in open_id:
            raise CallbackRejected(400, "a message event without its sender's open_id or message_id")
        key = f"msg:{message_id}"
        conversation = f"{PREFIX}{open_id}"
        if chat_type != "p2p":
            if not chat_id or ":" in chat_id:
                raise CallbackRejected(400, "a group message without its chat_id")
            conversation = f"{PREFIX}{chat_id}:{open_id}"
        if len(conversation) > MAX_SENDER_CHARS:
            raise CallbackRejected(400, "ids too long to be Feishu's")
        mentions = message.get("mentions") if isinstance(message.get("mentions"), list) else []
        if sender.get("sender_type") != "user" or (chat_type != "p2p" and not mentions):
            return Incoming(key=key, sender=conversation, kind=EVENT, message_id=message_id)
        kind = field_text(message.get("message_type")) or "unknown"
        if kind != TEXT:
            return Incoming(key=key, sender=conversation, kind=kind, message_id=message_id)
        try:
            content = json.loads(field_text(message.get("content")) or "{}")
        except ValueError:
            content = {}
        text = field_text(content.get("text")) if isinstance(content, dict) else ""
        return Incoming(
            key=key, sender=conversation, kind=TEXT, text=message_text(text, mentions), message_id=message_id
        )
