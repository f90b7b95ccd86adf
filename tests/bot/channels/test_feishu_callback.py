"""Opening Feishu events built as the platform builds them: both schemes (Verification Token alone, and
Encrypt Key with AES and signature), the URL check, timestamps, mentions, malformed bodies."""

from __future__ import annotations

import json
import time

import pytest

from bot.channels.feishu_callback import Challenge, EventCallback, conversation_of, decrypt, signature
from bot.channels.inbound import EVENT, TEXT, CallbackRejected
from tests.bot.channels.fake_feishu import FeishuPlatform, feishu_encrypt

APP, TOKEN, KEY = "cli_test", "verification-token", "encrypt-key-for-tests"


@pytest.fixture(params=["token", "encrypted"])
def scheme(request):
    key = KEY if request.param == "encrypted" else ""
    return FeishuPlatform(APP, TOKEN, key), EventCallback(TOKEN, key)


def lower(headers: dict) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def opened(callback, call):
    headers, body = call
    return callback.open(lower(headers), body)


def rejected(call) -> CallbackRejected:
    with pytest.raises(CallbackRejected) as error:
        call()
    return error.value


def test_the_documented_example_decrypts():
    # Feishu's documentation: Encrypt Key "test key", this ciphertext, plain text "hello world".
    assert decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == "hello world"


def test_what_the_fake_encrypts_decrypts():
    assert decrypt(KEY, feishu_encrypt(KEY, '{"a": "腰部客户"}')) == '{"a": "腰部客户"}'


def test_the_signature_is_sha256_of_timestamp_nonce_key_and_body():
    # Independently of Python: printf '%s' '1700000000n1k{"encrypt":"x"}' | sha256sum
    assert signature("1700000000", "n1", "k", b'{"encrypt":"x"}') == (
        "acb135bd07343a4ff17b23ea8bbbcbb925b6034945192fe7285b4522973abe0e"
    )


def test_the_url_check_answers_its_challenge(scheme):
    platform, callback = scheme
    assert opened(callback, platform.callback(platform.url_verification("ajls384kdjx98XX"))) == Challenge(
        "ajls384kdjx98XX"
    )


def test_a_url_check_with_another_token_is_refused(scheme):
    platform, callback = scheme
    other = FeishuPlatform(APP, "another-token", platform.encrypt_key)
    assert rejected(lambda: opened(callback, other.callback(other.url_verification("c")))).status == 403


def test_a_one_to_one_text_is_opened(scheme):
    platform, callback = scheme
    message = opened(callback, platform.callback(platform.text_event("ou_a1", "什么是腰部客户", "om_1")))
    assert (message.kind, message.sender, message.text, message.key) == (
        TEXT,
        "feishu:ou_a1",
        "什么是腰部客户",
        "msg:om_1",
    )
    assert conversation_of(message.sender) == ("open_id", "ou_a1")


def test_a_group_message_without_the_mention_is_the_persons_own_conversation(scheme):
    platform, callback = scheme
    message = opened(
        callback, platform.callback(platform.text_event("ou_a1", "什么是腰部客户", chat="oc_g1"))
    )
    assert (message.sender, message.text) == ("feishu:oc_g1:ou_a1", "什么是腰部客户")
    assert conversation_of(message.sender) == ("chat_id", "oc_g1")


def test_a_later_mention_keeps_the_persons_name(scheme):
    platform, callback = scheme
    mentions = [
        {"key": "@_user_1", "name": "客户助手", "id": {"open_id": "ou_bot"}},
        {"key": "@_user_2", "name": "王经理", "id": {"open_id": "ou_w"}},
    ]
    content = json.dumps({"text": "@_user_1 刚才@_user_2 说的腰部客户是什么"}, ensure_ascii=False)
    event = platform.message_event("ou_a1", "text", content, chat="oc_g1", mentions=mentions)
    assert opened(callback, platform.callback(event)).text == "刚才@王经理 说的腰部客户是什么"


def test_a_group_message_without_mentions_is_only_an_event(scheme):
    platform, callback = scheme
    event = platform.text_event("ou_a1", "大家好", chat="oc_g1", mention=False)
    assert opened(callback, platform.callback(event)).kind == EVENT


def test_a_picture_is_a_message_we_cannot_read(scheme):
    platform, callback = scheme
    event = platform.message_event("ou_a1", "image", '{"image_key": "img_v2_1"}')
    assert opened(callback, platform.callback(event)).kind == "image"


def test_another_event_is_only_acknowledged(scheme):
    platform, callback = scheme
    event = platform.event("im.chat.member.bot.added_v1", {"chat_id": "oc_g1"})
    assert opened(callback, platform.callback(event)).kind == EVENT


def test_a_forged_token_is_refused(scheme):
    platform, callback = scheme
    forger = FeishuPlatform(APP, "guessed-token", platform.encrypt_key)
    assert (
        rejected(lambda: opened(callback, forger.callback(forger.text_event("ou_a1", "你好")))).status == 403
    )


@pytest.mark.parametrize("age", [3601, -3601, 86400])
def test_an_event_created_more_than_an_hour_ago_is_refused(scheme, age):
    platform, callback = scheme
    event = platform.text_event("ou_a1", "你好")
    event["header"]["create_time"] = str(int((time.time() - age) * 1000))
    error = rejected(lambda: opened(callback, platform.callback(event)))
    assert (error.status, error.reason) == (403, "stale timestamp")


def test_an_encrypted_event_with_a_bad_signature_or_stale_timestamp_is_refused():
    platform, callback = FeishuPlatform(APP, TOKEN, KEY), EventCallback(TOKEN, KEY)
    headers, body = platform.callback(platform.text_event("ou_a1", "你好"))
    forged = {**headers, "X-Lark-Signature": "0" * 64}
    assert rejected(lambda: callback.open(lower(forged), body)).status == 403
    stale_headers, stale_body = platform.callback(
        platform.text_event("ou_a1", "你好"), timestamp=int(time.time()) - 3601
    )
    assert rejected(lambda: callback.open(lower(stale_headers), stale_body)).status == 403


@pytest.mark.parametrize("missing", ["X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"])
def test_an_encrypted_event_without_a_signature_header_is_400(missing):
    platform, callback = FeishuPlatform(APP, TOKEN, KEY), EventCallback(TOKEN, KEY)
    headers, body = platform.callback(platform.text_event("ou_a1", "你好"))
    del headers[missing]
    assert rejected(lambda: callback.open(lower(headers), body)).status == 400


def test_plain_events_are_refused_when_a_key_is_set_and_encrypted_ones_when_none_is():
    plain, encrypted = FeishuPlatform(APP, TOKEN), FeishuPlatform(APP, TOKEN, KEY)
    with_key, without_key = EventCallback(TOKEN, KEY), EventCallback(TOKEN)
    assert rejected(lambda: opened(with_key, plain.callback(plain.text_event("ou_a1", "你好")))).status == 400
    event = encrypted.text_event("ou_a1", "你好")
    assert rejected(lambda: opened(without_key, encrypted.callback(event))).status == 400


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b"\xff\xfe{}",
        b'{"encrypt": "not base64!"}',
        b'{"encrypt": "bm90IGNpcGhlcnRleHQ="}',
        b'{"encrypt": 5}',
    ],
)
def test_malformed_encrypted_bodies_are_400(body):
    headers, _ = FeishuPlatform(APP, TOKEN, KEY).callback({"schema": "2.0"})
    assert rejected(lambda: EventCallback(TOKEN, KEY).open(lower(headers), body)).status == 400


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.pop("schema"),
        lambda e: e.pop("header"),
        lambda e: e["header"].pop("event_id"),
        lambda e: e["header"].update(create_time="yesterday"),
        lambda e: e["event"]["sender"]["sender_id"].pop("open_id"),
        lambda e: e["event"]["message"].pop("message_id"),
        lambda e: e["event"]["sender"]["sender_id"].update(open_id="ou:x"),
        lambda e: e["event"]["message"].update(chat_type="group", chat_id=""),
        lambda e: e["event"]["sender"]["sender_id"].update(open_id="x" * 200),
        lambda e: e.update(event="not an object"),
    ],
)
def test_malformed_events_are_400(scheme, change):
    platform, callback = scheme
    event = platform.text_event("ou_a1", "你好")
    change(event)
    assert rejected(lambda: opened(callback, platform.callback(event))).status == 400


@pytest.mark.parametrize("content", ["not json", '{"text": 5}', "[]", ""])
def test_a_text_message_without_a_text_is_empty_not_an_error(scheme, content):
    platform, callback = scheme
    message = opened(callback, platform.callback(platform.message_event("ou_a1", "text", content)))
    assert (message.kind, message.text) == (TEXT, "")
