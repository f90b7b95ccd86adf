"""DingTalk's robot callback protocol (企业内部应用机器人, HTTP 模式 "接收消息"), without Rasa or a web
framework.

DingTalk POSTs each message a person sends the robot (one-to-one, or in a group where the robot is
@-mentioned) as JSON, with two headers: ``timestamp`` (milliseconds) and ``sign``, which is
Base64(HMAC-SHA256(key=AppSecret, message=timestamp + "\\n" + AppSecret)). As DingTalk documents, a
request is genuine only when the sign matches and the timestamp is within one hour of our clock. The
sign covers the timestamp only, not the body: within that hour a captured pair could carry another
body, so the callback URL must be served over HTTPS only.

The body (fields as DingTalk sends them)::

    {"msgtype": "text", "text": {"content": " 什么是腰部客户"}, "msgId": "msgXYZ==",
     "conversationType": "1" | "2", "conversationId": "cid…", "senderStaffId": "manager4220",
     "isInAtList": true, "robotCode": "ding…", "createAt": 1700000000000, …}

A sender id in the tracker store is ``dingtalk:<staffId>`` for a one-to-one chat and
``dingtalk:<conversationId>:<staffId>`` for a person in a group: one conversation per person per group,
and the id says where replies go (``conversation_of``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Tuple

from bot.channels.checks import MAX_SENDER_CHARS
from bot.channels.inbound import EVENT, TEXT, CallbackRejected, Incoming, check_age, field_text, json_object
from bot.channels.text import strip_leading_mentions

MAX_CLOCK_SKEW = 3600  # seconds, as DingTalk documents
PREFIX = "dingtalk:"
ONE_TO_ONE, GROUP = "1", "2"


def sign(timestamp: str, app_secret: str) -> str:
    """The ``sign`` header DingTalk sends with ``timestamp`` for the robot with ``app_secret``."""
    secret = app_secret.encode("utf-8")
    digest = hmac.new(secret, f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def conversation_of(sender: str) -> Tuple[str, str]:
    """Where replies to ``sender`` go: ("user", staffId) or ("group", openConversationId)."""
    parts = sender.removeprefix(PREFIX).split(":")
    if len(parts) == 2:
        return "group", parts[0]
    return "user", parts[0]


@dataclass
class RobotCallback:
    """Checks and opens DingTalk robot callbacks: headers, timestamp, sign, JSON."""

    app_secret: str
    max_clock_skew: float = MAX_CLOCK_SKEW
    clock: Callable[[], float] = time.time

    def check(self, headers: Mapping[str, str]) -> None:
        """Raise ``CallbackRejected`` unless ``headers`` (lower-case names) carry a current, valid sign."""
        timestamp, signature = headers.get("timestamp", ""), headers.get("sign", "")
        missing = [name for name, value in (("timestamp", timestamp), ("sign", signature)) if not value]
        if missing:
            raise CallbackRejected(400, f"missing header(s): {', '.join(missing)}")
        if not timestamp.isdigit() or len(timestamp) > 16:
            raise CallbackRejected(400, "timestamp is not a number of milliseconds")
        check_age(self.clock() - int(timestamp) / 1000, self.max_clock_skew)
        if not hmac.compare_digest(signature.encode("utf-8"), sign(timestamp, self.app_secret).encode()):
            raise CallbackRejected(403, "bad sign")

    def open(self, headers: Mapping[str, str], body: bytes) -> Incoming:
        """The message of a genuine callback, for the channel core."""
        self.check(headers)
        message = json_object(body)
        msg_id, msg_type = field_text(message.get("msgId")), field_text(message.get("msgtype"))
        staff = field_text(message.get("senderStaffId"))
        if not msg_id or not msg_type:
            raise CallbackRejected(400, "no msgId or msgtype: not a robot message")
        if not staff or ":" in staff:
            raise CallbackRejected(400, "no senderStaffId: not a message from a member of the organisation")
        chat_type = field_text(message.get("conversationType")) or ONE_TO_ONE
        sender = f"{PREFIX}{staff}"
        if chat_type == GROUP:
            chat = field_text(message.get("conversationId"))
            if not chat or ":" in chat:
                raise CallbackRejected(400, "a group message without its conversationId")
            sender = f"{PREFIX}{chat}:{staff}"
        if len(sender) > MAX_SENDER_CHARS:
            raise CallbackRejected(400, "ids too long to be DingTalk's")
        key = f"msg:{msg_id}"
        if chat_type == GROUP and message.get("isInAtList") is False:
            return Incoming(key=key, sender=sender, kind=EVENT, message_id=msg_id)  # not addressed to us
        if msg_type != "text":
            return Incoming(key=key, sender=sender, kind=msg_type, message_id=msg_id)
        text = field_text(_get(message, "text", "content"))
        if chat_type == GROUP:
            text = strip_leading_mentions(text)
        return Incoming(key=key, sender=sender, kind=TEXT, text=text, message_id=msg_id)


def _get(message: Mapping[str, Any], *path: str) -> Any:
    value: Any = message
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value
