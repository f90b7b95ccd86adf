"""A messaging platform's callback once its protocol module has checked it: plain data, no Rasa, no web
framework.

Each platform's protocol module (``wecom_callback.py``, ``dingtalk_callback.py``, ``feishu_callback.py``)
checks a callback's signature, timestamp and body, and either raises ``CallbackRejected`` with the HTTP
status the request deserves or returns an ``Incoming``: what the shared channel core
(``messenger.py``) needs to answer it, whatever the platform.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict

# FILE: a file the user sent (a spreadsheet to analyse); a connector that cannot fetch files says so.
TEXT, EVENT, FILE = "text", "event", "file"


class CallbackRejected(Exception):
    """A callback that is not (or no longer) a valid platform request; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Incoming:
    """One message or event from a platform, ready for the channel core."""

    key: str  # the platform's id of the message, the same in every retry of its callback
    sender: str  # the conversation id in the tracker store (and where replies go, for the output channel)
    kind: str  # TEXT; EVENT is acknowledged, never answered; FILE; anything else a message we cannot read
    text: str = ""
    message_id: str = ""
    media_id: str = ""  # FILE: the platform's id to download it with
    file_name: str = ""  # FILE: the name the user's file had, when the callback says it
    metadata: Dict[str, Any] = field(default_factory=dict)


def json_object(body: bytes) -> Dict[str, Any]:
    """The body as a JSON object, or a 400 saying what it is instead."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise CallbackRejected(400, "body is not UTF-8 JSON") from error
    if not isinstance(value, dict):
        raise CallbackRejected(400, "body is not a JSON object")
    return value


def field_text(value: Any) -> str:
    """A string field of a platform's JSON ('' for anything that is not a string)."""
    return value if isinstance(value, str) else ""


def check_age(age_seconds: float, max_skew: float) -> None:
    """A 403 for a callback whose timestamp is further than ``max_skew`` from our clock, either way."""
    if abs(age_seconds) > max_skew:
        raise CallbackRejected(403, "stale timestamp")
