"""Hostile and malformed messages every entry point must survive (REST, socket.io, FAQ API, WeCom,
DingTalk, Feishu: tests/bot/channels/test_messengers.py).

Each case is text a user or a broken client could send. An entry point must answer each one with a
clear reply or a 4xx, never a 5xx or a crash, and the conversation must still work afterwards.
"""

from __future__ import annotations

from typing import List, Tuple

# (case id, text)
BAD_TEXTS: List[Tuple[str, str]] = [
    ("empty", ""),
    ("spaces", "   "),
    ("ideographic-spaces", "\u3000\u3000"),
    ("newlines-tabs", "\n\t\r\n"),
    ("ten-thousand-chars", "腰部客户" * 2500),
    ("ten-thousand-ascii", "a" * 10_000),
    ("control-chars", "什么是\x00腰部\x07客户\x1b[31m"),
    ("null-only", "\x00"),
    ("zero-width", "腰\u200b部\u200d客\ufeff户"),
    ("rtl-override", "\u202e户客部腰"),
    ("emoji-only", "😀🤔👍"),
    ("emoji-flags", "🇨🇳🇺🇸"),
    ("lone-surrogate-escape", "\\ud800"),
    ("html-script", "<script>alert('x')</script>"),
    ("html-img", '<img src=x onerror="alert(1)">'),
    ("markdown-js-link", "[点我](javascript:alert(1))"),
    ("sql-drop", "'; DROP TABLE entries; --"),
    ("sql-union", "腰部客户' UNION SELECT * FROM sqlite_master --"),
    ("fts-syntax", 'NEAR(腰部 客户) OR "* AND -'),
    ("like-wildcards", "%_%_%"),
    ("jinja", "{{ 7*7 }} {% for x in y %}"),
    ("python-format", "{0.__class__} %s %d"),
    ("shell", "$(rm -rf /) `id`"),
    ("rasa-payload-unknown", "/no_such_intent"),
    ("rasa-payload-bad-json", '/ask_definition{"term": '),
    ("rasa-payload-entity", '/ask_definition{"term":"腰部客户"}'),
    ("path-traversal", "../../etc/passwd"),
    ("url", "http://example.com/?q=<x>"),
    ("punctuation-only", "？？？！！！。。。"),
    ("mixed-scripts", "什麼是Yāo部 клиент 客戶"),
    ("private-use", "\ue000\uf8ff"),
    ("combining-marks", "腰\u0301\u0301部客户"),
]
