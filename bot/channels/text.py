"""Rich bot messages as plain text for text-only messaging apps, and the user's answer back.

Buttons become a numbered list the user answers by number ("1", "１", "第1个") or by typing the
title; ``choose`` maps that answer back to the button's payload. ``split_text`` cuts a reply into
parts that fit a byte limit (WeCom: 2048 bytes of UTF-8 per text message). No Rasa in here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Sequence

Button = Dict[str, Any]

_CHOICE_NUMBER = re.compile(r"^(?:第|选|选择)?(\d{1,3})(?:个|项|号)?$")
_LEADING_MENTIONS = re.compile(r"^(?:\s*[@＠]\S+(?:\s+|$))+")


def render_choices(text: str, buttons: Sequence[Button], header: str, first_number: int = 1) -> str:
    """The message text, then the header and the button titles as a numbered list."""
    if not buttons:
        return text or ""
    choices = [
        f"{first_number + i}. {button.get('title') or button.get('payload', '')}"
        for i, button in enumerate(buttons)
    ]
    listing = "\n".join([header, *choices] if header else choices)
    return f"{text.strip()}\n\n{listing}" if text and text.strip() else listing


def _key(text: str) -> str:
    """Width-, case- and punctuation-insensitive form of an answer or a title."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


def choose(answer: str, buttons: Sequence[Button]) -> str | None:
    """The payload of the button the answer picks (by its number or its title), or None."""
    if not buttons:
        return None
    key = _key(answer)
    if not key:
        return None
    number = _CHOICE_NUMBER.match(key)
    if number:
        index = int(number.group(1)) - 1
        return buttons[index].get("payload") if 0 <= index < len(buttons) else None
    for button in buttons:
        if _key(str(button.get("title", ""))) == key:
            return button.get("payload")
    return None


def _cut(text: str, limit: int) -> int:
    """The largest prefix length of ``text`` that fits ``limit`` bytes, ending at a line break if one is
    in the second half."""
    size, end = 0, 0
    for end, char in enumerate(text):  # noqa: B007 - end is used after the loop
        size += len(char.encode("utf-8"))
        if size > limit:
            break
    else:
        return len(text)
    newline = text.rfind("\n", 0, end)
    return newline + 1 if newline >= end // 2 else end


def split_text(text: str, limit: int, max_parts: int, truncated_note: str) -> List[str]:
    """Parts of at most ``limit`` UTF-8 bytes, preferring line breaks; past ``max_parts`` the last part
    ends with ``truncated_note``."""
    if max_parts < 1 or limit <= len(truncated_note.encode("utf-8")) + 4:
        raise ValueError("need at least one part, and room for the truncation note")
    parts: List[str] = []
    rest = text
    while rest and len(parts) < max_parts:
        cut = _cut(rest, limit)
        part, rest = rest[:cut].rstrip("\n"), rest[cut:]
        if part:
            parts.append(part)
    if rest.strip():
        room = limit - len(truncated_note.encode("utf-8"))
        last = parts[-1]
        parts[-1] = last[: _cut(last, room)] + truncated_note
    return parts


def offered_buttons(events: Iterable[Mapping[str, Any]]) -> List[Button]:
    """The buttons of the bot messages after the user's last message, in the order they were shown.

    ``events`` are tracker events as dicts (``{"event": "bot", "data": {"buttons": […]}}``), oldest first.
    """
    buttons: List[Button] = []
    for event in events:
        if event.get("event") == "user":
            buttons = []
        elif event.get("event") == "bot":
            buttons.extend((event.get("data") or {}).get("buttons") or [])
    return buttons


def has_visible_text(text: str) -> bool:
    """False for text made only of spaces, control and invisible formatting characters."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


def strip_leading_mentions(text: str) -> str:
    """The text of a group message without the @-mentions it starts with (``@客户助手 什么是腰部客户``)."""
    return _LEADING_MENTIONS.sub("", text).strip()
