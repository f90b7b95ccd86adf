"""Opening WeCom callbacks built as the platform builds them: signature, timestamp, AES, XML."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

import pytest

from bot.channels.wecom_callback import CallbackCrypto, CallbackRejected, dedupe_key
from tests.bot.channels.fake_wecom import WeComPlatform, new_aes_key

CORP, AGENT = "ww-test-corp", 1000002


@pytest.fixture
def platform():
    return WeComPlatform(CORP, AGENT)


@pytest.fixture
def crypto(platform):
    return CallbackCrypto(platform.token, platform.aes_key, CORP)


def query(text: str) -> dict:
    return dict(parse_qsl(text))


def rejected(call) -> CallbackRejected:
    with pytest.raises(CallbackRejected) as error:
        call()
    return error.value


def test_url_verification_answers_the_decrypted_echo(platform, crypto):
    assert crypto.verify_url(query(platform.verification("1616140317555161061"))) == "1616140317555161061"


def test_url_verification_with_a_bad_signature_is_refused(platform, crypto):
    args = query(platform.verification("echo"))
    args["msg_signature"] = "0" * 40
    assert rejected(lambda: crypto.verify_url(args)).status == 403


def test_a_text_message_is_opened(platform, crypto):
    args, body = platform.callback(platform.text_xml("zhangsan", "什么是腰部客户", msg_id=42))
    message = crypto.open(query(args), body)
    assert (message.type, message.source, message.content, message.id) == (
        "text",
        "zhangsan",
        "什么是腰部客户",
        42,
    )
    assert dedupe_key(message) == "msg:42"


def test_an_event_has_a_key_without_msgid(platform, crypto):
    args, body = platform.callback(platform.event_xml("zhangsan", "enter_agent"))
    message = crypto.open(query(args), body)
    assert message.type == "event"
    assert dedupe_key(message).startswith("event:zhangsan:")


def test_control_characters_in_a_message_are_dropped_not_fatal(platform, crypto):
    args, body = platform.callback(platform.text_xml("zhangsan", "什么是\x00腰部\x07客户"))
    assert crypto.open(query(args), body).content == "什么是腰部客户"


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_stale_or_future_timestamps_are_refused(platform, crypto, skew):
    args, body = platform.callback(platform.text_xml("zhangsan", "你好"), timestamp=int(time.time()) + skew)
    error = rejected(lambda: crypto.open(query(args), body))
    assert (error.status, error.reason) == (403, "stale timestamp")


def test_a_bad_signature_is_refused(platform, crypto):
    args, body = platform.callback(platform.text_xml("zhangsan", "你好"))
    args = query(args)
    args["msg_signature"] = args["msg_signature"][::-1]
    assert rejected(lambda: crypto.open(args, body)).status == 403


def test_a_message_for_another_corp_is_refused(crypto, platform):
    other = WeComPlatform("another-corp", AGENT, token=platform.token, aes_key=platform.aes_key)
    args, body = other.callback(other.text_xml("zhangsan", "你好"))
    assert rejected(lambda: crypto.open(query(args), body)).status == 403


def test_a_message_under_another_key_is_refused(crypto, platform):
    other = WeComPlatform(CORP, AGENT, token=platform.token, aes_key=new_aes_key())
    args, body = other.callback(other.text_xml("zhangsan", "你好"))
    assert rejected(lambda: crypto.open(query(args), body)).status in (400, 403)


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce"])
def test_missing_query_parameters_are_400(platform, crypto, missing):
    args, body = platform.callback(platform.text_xml("zhangsan", "你好"))
    args = query(args)
    del args[missing]
    assert rejected(lambda: crypto.open(args, body)).status == 400


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<xml><Encrypt>",
        b"<other/>",
        b"<xml></xml>",
        b"<xml><Encrypt><a>b</a></Encrypt></xml>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>',
        "<xml>\udcff</xml>".encode("utf-8", "surrogatepass"),
    ],
)
def test_malformed_bodies_are_400(platform, crypto, body):
    args, _ = platform.callback(platform.text_xml("zhangsan", "你好"))
    assert rejected(lambda: crypto.open(query(args), body)).status == 400


def test_a_signed_but_undecryptable_body_is_400(platform, crypto):
    from wechatpy.crypto import _get_signature

    timestamp, nonce, garbage = str(int(time.time())), "n1", "bm90IGEgY2lwaGVydGV4dA=="
    args = {
        "msg_signature": _get_signature(platform.token, timestamp, nonce, garbage),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    body = f"<xml><Encrypt>{garbage}</Encrypt></xml>".encode()
    assert rejected(lambda: crypto.open(args, body)).status == 400


def test_a_bad_aes_key_is_a_clear_configuration_error():
    with pytest.raises(ValueError, match="43 characters"):
        CallbackCrypto("token", "too-short", CORP)
