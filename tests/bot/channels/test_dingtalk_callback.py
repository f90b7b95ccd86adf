"""Opening DingTalk robot callbacks built as the platform builds them: sign, timestamp, JSON, groups."""

from __future__ import annotations

import json
import time

import pytest

from bot.channels.dingtalk_callback import RobotCallback, conversation_of, sign
from bot.channels.inbound import EVENT, TEXT, CallbackRejected
from tests.bot.channels.fake_dingtalk import DingTalkPlatform, dingtalk_sign

SECRET, ROBOT = "app-secret-for-tests", "dingrobot"


@pytest.fixture
def platform():
    return DingTalkPlatform(SECRET, ROBOT)


@pytest.fixture
def callback():
    return RobotCallback(SECRET)


def lower(headers: dict) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def rejected(call) -> CallbackRejected:
    with pytest.raises(CallbackRejected) as error:
        call()
    return error.value


def test_the_sign_is_the_documented_hmac_of_timestamp_and_secret():
    # DingTalk's documented recipe (its example secret and header timestamp) computed by the fake and,
    # independently of Python, by `printf '1577262236757\nthis is secret' | openssl dgst -sha256
    # -hmac 'this is secret' -binary | base64`.
    assert sign("1577262236757", "this is secret") == dingtalk_sign("1577262236757", "this is secret")
    assert sign("1577262236757", "this is secret") == "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="


def test_a_one_to_one_text_is_opened(platform, callback):
    headers, body = platform.callback(
        platform.text_message("manager4220", " 什么是腰部客户", msg_id="msgA==")
    )
    message = callback.open(lower(headers), body)
    assert (message.kind, message.sender, message.text, message.key) == (
        TEXT,
        "dingtalk:manager4220",
        " 什么是腰部客户",
        "msg:msgA==",
    )
    assert conversation_of(message.sender) == ("user", "manager4220")


def test_a_group_message_is_the_persons_own_conversation_in_that_group_without_the_mention(
    platform, callback
):
    headers, body = platform.callback(
        platform.text_message("lisi", "@客户助手 什么是腰部客户", group="cidGROUP1")
    )
    message = callback.open(lower(headers), body)
    assert (message.sender, message.text) == ("dingtalk:cidGROUP1:lisi", "什么是腰部客户")
    assert conversation_of(message.sender) == ("group", "cidGROUP1")


def test_a_group_message_not_addressed_to_the_robot_is_only_an_event(platform, callback):
    headers, body = platform.callback(platform.text_message("lisi", "大家好", group="cidGROUP1", at=False))
    assert callback.open(lower(headers), body).kind == EVENT


def test_a_picture_is_a_message_we_cannot_read(platform, callback):
    message = platform.message(
        "lisi", "picture", {"content": {"downloadCode": "xyz", "pictureDownloadCode": "abc"}}
    )
    assert callback.open(*_split(platform.callback(message))).kind == "picture"


def _split(call):
    headers, body = call
    return lower(headers), body


def test_a_bad_sign_is_refused(platform, callback):
    headers, body = platform.callback(platform.text_message("lisi", "你好"))
    headers["sign"] = dingtalk_sign(headers["timestamp"], "another secret")
    assert rejected(lambda: callback.open(lower(headers), body)).status == 403


@pytest.mark.parametrize("skew", [-3601, 3601, -86400])
def test_a_timestamp_more_than_an_hour_off_is_refused(platform, callback, skew):
    message = platform.text_message("lisi", "你好")
    headers, body = platform.callback(message, timestamp_ms=int((time.time() + skew) * 1000))
    error = rejected(lambda: callback.open(lower(headers), body))
    assert (error.status, error.reason) == (403, "stale timestamp")


def test_a_timestamp_within_the_hour_is_accepted(platform, callback):
    headers, body = platform.callback(
        platform.text_message("lisi", "你好"), timestamp_ms=int((time.time() - 3500) * 1000)
    )
    assert callback.open(lower(headers), body).kind == TEXT


@pytest.mark.parametrize("missing", ["timestamp", "sign"])
def test_a_missing_header_is_400(platform, callback, missing):
    headers, body = platform.callback(platform.text_message("lisi", "你好"))
    del headers[missing]
    assert rejected(lambda: callback.open(lower(headers), body)).status == 400


def test_a_timestamp_in_seconds_or_words_is_refused(platform, callback):
    headers, body = platform.callback(platform.text_message("lisi", "你好"))
    for timestamp in ("yesterday", str(int(time.time())), "1" * 30):
        headers = {**headers, "timestamp": timestamp, "sign": dingtalk_sign(timestamp, SECRET)}
        assert 400 <= rejected(lambda headers=headers: callback.open(lower(headers), body)).status < 500


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe{}",
        json.dumps({"msgtype": "text", "text": {"content": "你好"}}).encode(),
        json.dumps({"msgId": "m1", "msgtype": "text", "text": {"content": "你好"}}).encode(),
        json.dumps({"msgId": "m1", "msgtype": "text", "senderStaffId": "a:b"}).encode(),
        json.dumps({"msgId": ["m1"], "msgtype": "text", "senderStaffId": "lisi"}).encode(),
        json.dumps(
            {"msgId": "m1", "msgtype": "text", "senderStaffId": "lisi", "conversationType": "2"}
        ).encode(),
        json.dumps({"msgId": "m1", "msgtype": "text", "senderStaffId": "x" * 200}).encode(),
    ],
)
def test_malformed_bodies_are_400(platform, callback, body):
    headers, _ = platform.callback(platform.text_message("lisi", "你好"))
    assert rejected(lambda: callback.open(lower(headers), body)).status == 400


@pytest.mark.parametrize("content", [{"text": None}, {"text": {"content": 5}}, {"text": "你好"}, {}])
def test_a_text_message_without_a_text_is_empty_not_an_error(platform, callback, content):
    message = {**platform.text_message("lisi", ""), **content}
    if not content:
        del message["text"]
    message = callback.open(*_split(platform.callback(message)))
    assert (message.kind, message.text) == (TEXT, "")
