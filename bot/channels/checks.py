"""What every channel checks in a request before Rasa handles it: plain functions, no Rasa."""

from __future__ import annotations

from typing import Any

MAX_SENDER_CHARS = 128
"""Longer sender ids are not ids but abuse (they are stored with every event)."""


class InvalidRequest(ValueError):
    """The request is malformed; the message says what to send instead (in English, for developers)."""


def sender_id(value: Any, field: str = "sender") -> str:
    """A conversation id: a non-empty string (or an integer) of at most MAX_SENDER_CHARS characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidRequest(f"'{field}' is required: a non-empty string identifying the conversation")
    text = str(value)
    if not text.strip() or len(text) > MAX_SENDER_CHARS or not text.isprintable():
        raise InvalidRequest(f"'{field}' must be 1–{MAX_SENDER_CHARS} printable characters")
    return text


def message_text(value: Any, field: str = "message") -> str:
    """The user's text: any string, empty included (the assistant answers it); nothing else."""
    if not isinstance(value, str):
        raise InvalidRequest(f"'{field}' is required and must be a string")
    return value


def metadata(value: Any, field: str = "metadata") -> dict | None:
    """Optional channel metadata: a JSON object or nothing."""
    if value is None or isinstance(value, dict):
        return value
    raise InvalidRequest(f"'{field}' must be a JSON object")
