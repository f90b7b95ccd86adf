"""Hostile and malformed input through every entry point: a clear answer or a 4xx, never a
5xx or silence, and the conversation still works afterwards.

Each entry point is a fixture named ``<name>_entry_point`` returning ``send(sender, text) ->
Reply`` (tests/bot/clients.py); add a channel by writing that fixture and adding its name to
ENTRY_POINTS. Every case of tests/bad_inputs.py runs through each of them. Raw HTTP requests and
malformed socket.io events, which only make sense for one entry point, follow.
"""

from __future__ import annotations

import json
import socket
import uuid
from typing import Callable, Iterator

import pytest

from tests.bad_inputs import BAD_TEXTS
from tests.bot.clients import (
    Reply,
    RestClient,
    SocketIOChat,
    SocketIOClient,
    domain_response,
    http,
    message_limit,
    rest_reply,
)

pytestmark = pytest.mark.server

EntryPoint = Callable[[str, str], Reply]

ENTRY_POINTS = ["rest", "socketio"]

# Cases whose answer is known exactly: (response name, values). The others need a clear answer.
NOTHING_TO_READ = ("utter_default", {})
TOO_LONG = ("utter_message_too_long", {"limit": message_limit()})
EXPECTED = {
    "empty": NOTHING_TO_READ,
    "spaces": NOTHING_TO_READ,
    "ideographic-spaces": NOTHING_TO_READ,
    "newlines-tabs": NOTHING_TO_READ,
    "null-only": NOTHING_TO_READ,
    "emoji-only": NOTHING_TO_READ,
    "emoji-flags": NOTHING_TO_READ,
    "punctuation-only": NOTHING_TO_READ,
    "like-wildcards": NOTHING_TO_READ,
    "private-use": NOTHING_TO_READ,
    "ten-thousand-chars": TOO_LONG,
    "ten-thousand-ascii": TOO_LONG,
}

# What no reply may contain: a leaked error, markup or an evaluated template.
LEAKS = ("Traceback", "Exception", "<script", "javascript:", "onerror=", "<class ", "{{", "{%")

FOLLOW_UP = "什么是腰部客户"


@pytest.fixture
def rest_entry_point(assistant) -> EntryPoint:
    return RestClient(assistant.url)


@pytest.fixture
def socketio_entry_point(assistant) -> Iterator[EntryPoint]:
    client = SocketIOClient(assistant.url)
    yield client
    client.close()


@pytest.fixture(params=ENTRY_POINTS)
def entry_point(request) -> EntryPoint:
    return request.getfixturevalue(f"{request.param}_entry_point")


def new_sender(case: str) -> str:
    return f"bad-{case}-{uuid.uuid4().hex[:8]}"


def assert_clear(reply: Reply) -> None:
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.body.strip(), "a 4xx must say what was wrong"
        return
    assert reply.texts, f"no answer: {reply.body}"
    for text in reply.texts:
        assert text.strip()
        assert not any(leak in text for leak in LEAKS), text


def assert_still_answers(send: EntryPoint, sender: str, kb) -> None:
    reply = send(sender, FOLLOW_UP)
    assert reply.status == 200, reply.body
    assert kb.get("腰部客户").short in reply.text


@pytest.mark.parametrize("case, text", BAD_TEXTS, ids=[case for case, _ in BAD_TEXTS])
def test_bad_text_gets_a_clear_answer_and_the_conversation_goes_on(entry_point, case, text, kb):
    sender = new_sender(case)
    reply = entry_point(sender, text)
    assert_clear(reply)
    if case in EXPECTED and reply.status == 200:
        name, values = EXPECTED[case]
        assert domain_response(name, **values) in reply.texts
    assert_still_answers(entry_point, sender, kb)


def test_the_bad_input_table_is_big_enough():
    assert len(BAD_TEXTS) * len(ENTRY_POINTS) + len(RAW_REQUESTS) + 1 + len(SOCKETIO_EVENTS) >= 30


# -- REST: requests no well-behaved client sends ------------------------------------------------

JSON = "application/json"
S = "{sender}"  # replaced by the case's own sender id


def body(**fields) -> bytes:
    return json.dumps(fields).encode("utf-8")


NESTED = b'{"sender": "d", "message": "hi", "metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
MULTIPART = b"--b\r\nContent-Disposition: form-data; name=m\r\n\r\nhi\r\n--b--"

RAW_REQUESTS = [
    # (case, method, body, content type, expected status)
    ("malformed-json", "POST", b'{"sender": "x", "message": ', JSON, 400),
    ("json-array", "POST", b'["x", "hi"]', JSON, 400),
    ("json-string", "POST", b'"hi"', JSON, 400),
    ("json-number", "POST", b"42", JSON, 400),
    ("json-null", "POST", b"null", JSON, 400),
    ("empty-body", "POST", b"", JSON, 400),
    ("no-body-no-type", "POST", None, None, 400),
    ("form-urlencoded", "POST", b"sender=x&message=hi", "application/x-www-form-urlencoded", 400),
    ("plain-text", "POST", "什么是腰部客户".encode(), "text/plain", 400),
    ("multipart", "POST", MULTIPART, "multipart/form-data; boundary=b", 400),
    ("xml", "POST", b"<message>hi</message>", "application/xml", 400),
    ("gbk-bytes", "POST", '{"sender": "g", "message": "客户"}'.encode("gbk"), JSON, 400),
    ("deeply-nested", "POST", NESTED, JSON, 400),
    ("no-sender", "POST", body(message="你好"), JSON, 400),
    ("empty-sender", "POST", body(sender="", message="你好"), JSON, 400),
    ("blank-sender", "POST", body(sender="  ", message="你好"), JSON, 400),
    ("object-sender", "POST", body(sender={"id": 1}, message="你好"), JSON, 400),
    ("bool-sender", "POST", body(sender=True, message="你好"), JSON, 400),
    ("huge-sender", "POST", body(sender="s" * 10_000, message="你好"), JSON, 400),
    ("control-sender", "POST", body(sender="a\x00b", message="你好"), JSON, 400),
    ("no-message", "POST", body(sender=S), JSON, 400),
    ("null-message", "POST", body(sender=S, message=None), JSON, 400),
    ("number-message", "POST", body(sender=S, message=5), JSON, 400),
    ("list-message", "POST", body(sender=S, message=["你好"]), JSON, 400),
    ("object-message", "POST", body(sender=S, message={"text": "你好"}), JSON, 400),
    ("string-metadata", "POST", body(sender=S, message="你好", metadata="x"), JSON, 400),
    ("list-metadata", "POST", body(sender=S, message="你好", metadata=[1]), JSON, 400),
    ("get", "GET", None, None, 405),
    ("put", "PUT", body(sender=S, message="你好"), JSON, 405),
    ("delete", "DELETE", None, None, 405),
    # Well-formed enough to answer: JSON under a wrong content type, a lone surrogate, a spoofed channel.
    ("json-as-plain-text", "POST", body(sender=S, message="你好"), "text/plain", 200),
    ("lone-surrogate", "POST", b'{"sender": "{sender}", "message": "\\ud800\\u4f60\\u597d"}', JSON, 200),
    ("spoofed-input-channel", "POST", body(sender=S, message="你好", input_channel="wecom"), JSON, 200),
]


@pytest.mark.parametrize(
    "case, method, body, content_type, expected", RAW_REQUESTS, ids=[r[0] for r in RAW_REQUESTS]
)
def test_malformed_rest_request_gets_a_4xx(assistant, kb, case, method, body, content_type, expected):
    sender = new_sender(case)
    if body is not None:
        body = body.replace(b"{sender}", sender.encode())
    status, _, text = http(f"{assistant.url}/webhooks/rest/webhook", body, method, content_type)
    assert status == expected, text[:300]
    if status == 200:
        assert_clear(rest_reply(status, text))
    else:
        assert text.strip()
    assert_still_answers(RestClient(assistant.url), sender, kb)


def test_a_body_over_a_megabyte_gets_413_before_it_is_read(assistant, kb):
    # Raw socket: the server answers as soon as it reads the headers, and a client still busy
    # sending the body may see the connection close before it reads the answer.
    head = (
        "POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 5000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", assistant.rasa_port), timeout=30) as connection:
        connection.sendall(head.encode() + b'{"sender": "huge", "message": "' + b"a" * 1000)
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line
    assert_still_answers(RestClient(assistant.url), new_sender("huge"), kb)


def test_a_4xx_says_what_to_send(assistant):
    status, _, text = http(f"{assistant.url}/webhooks/rest/webhook", b'["hi"]')
    assert status == 400
    assert '"sender"' in json.loads(text)["message"] and '"message"' in json.loads(text)["message"]


# -- socket.io: events the widget never sends ----------------------------------------------------

SOCKETIO_EVENTS = [
    ("string-data", "什么是腰部客户"),
    ("list-data", ["什么是腰部客户"]),
    ("null-data", None),
    ("no-message", {"session_id": "{session}"}),
    ("number-message", {"message": 5, "session_id": "{session}"}),
    ("object-message", {"message": {"text": "hi"}, "session_id": "{session}"}),
    ("no-session", {"message": "你好"}),
    ("object-session", {"message": "你好", "session_id": {"id": 1}}),
    ("list-metadata", {"message": "你好", "session_id": "{session}", "customData": [1]}),
    ("bad-json-metadata", {"message": "你好", "session_id": "{session}", "customData": "{not json"}),
]


def _fill(data, session: str):
    if isinstance(data, dict):
        return {k: session if v == "{session}" else v for k, v in data.items()}
    return data


@pytest.mark.parametrize("case, data", SOCKETIO_EVENTS, ids=[c for c, _ in SOCKETIO_EVENTS])
def test_malformed_socketio_event_is_answered_and_the_connection_goes_on(assistant, kb, case, data):
    chat = SocketIOChat(assistant.url, new_sender(case))
    try:
        events = chat.emit(_fill(data, chat.session_id), timeout=15)
        assert [name for name, _ in events] == ["invalid_message"], events
        assert events[0][1]["error"]
        assert kb.get("腰部客户").short in chat.say(FOLLOW_UP).text
    finally:
        chat.close()
