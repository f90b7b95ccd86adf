"""The WeCom channel in the running assistant: callbacks in as WeCom sends them, replies out through
a local fake of WeCom's message API."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from statistics import median
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.api_token import api_token
from knowledge.paths import BUILD_DIR
from tests.bad_inputs import BAD_TEXTS

pytestmark = pytest.mark.server

SEND, GETTOKEN = "/cgi-bin/message/send", "/cgi-bin/gettoken"


def user() -> str:
    return "u" + uuid.uuid4().hex[:12]


def user_texts(wecom, sender: str):
    """The texts of the user's messages as the tracker store has them (payloads for picked buttons)."""
    url = f"{wecom.assistant.url}/conversations/{sender}/tracker?token={api_token()}"
    with urllib.request.urlopen(url, timeout=30) as response:
        events = json.loads(response.read())["events"]
    return [event["text"] for event in events if event["event"] == "user"]


def test_url_verification_returns_the_decrypted_echo(wecom):
    status, body, _ = wecom.request(wecom.platform.verification("7466431519581210711"))
    assert (status, body) == (200, "7466431519581210711")


def test_url_verification_with_a_bad_signature_is_refused(wecom):
    query = dict(parse_qsl(wecom.platform.verification("echo")))
    query["msg_signature"] = "f" * 40
    status, body, _ = wecom.request(urlencode(query))
    assert status == 403 and "echo" not in body


def test_a_question_is_acknowledged_at_once_and_answered_through_the_api(wecom, kb):
    sender = user()
    status, body, _ = wecom.send_text(sender, "什么是腰部客户")
    assert (status, body) == (200, "")
    replies = wecom.api.wait_for(sender)
    assert len(replies) == 1
    assert kb.get("腰部客户").short in replies[0]
    assert "\n1. 查看全文\n2. 怎么维护这类客户" in replies[0]


def test_a_number_picks_the_button_it_names(wecom, kb):
    sender, entry = user(), kb.get("腰部客户")
    wecom.send_text(sender, "什么是腰部客户")
    wecom.api.wait_for(sender, 1)
    wecom.send_text(sender, "1")
    replies = wecom.api.wait_for(sender, 2)
    assert entry.answer.splitlines()[0] in replies[1]
    assert user_texts(wecom, sender)[-1] == '/ask_detail{"term": "腰部客户"}'


def test_typing_a_button_title_picks_it(wecom, kb):
    sender, entry = user(), kb.get("腰部客户")
    wecom.send_text(sender, "什么是腰部客户")
    wecom.api.wait_for(sender, 1)
    wecom.send_text(sender, "怎么维护这类客户")
    replies = wecom.api.wait_for(sender, 2)
    assert entry.strategy.strip().splitlines()[0] in replies[1]
    assert user_texts(wecom, sender)[-1] == '/ask_strategy{"term": "腰部客户"}'


def test_a_number_without_buttons_is_just_text(wecom):
    sender = user()
    wecom.send_text(sender, "你好")
    wecom.api.wait_for(sender, 1)
    wecom.send_text(sender, "7")
    wecom.api.wait_for(sender, 2)
    assert user_texts(wecom, sender)[-1] == "7"


def test_a_bad_signature_is_refused_and_nothing_is_sent(wecom):
    sender = user()
    query, body = wecom.platform.callback(wecom.platform.text_xml(sender, "什么是腰部客户"))
    query = dict(parse_qsl(query))
    query["msg_signature"] = query["msg_signature"][:-1] + ("0" if query["msg_signature"][-1] != "0" else "1")
    status, _, _ = wecom.request(urlencode(query), body)
    assert status == 403
    assert wecom.api.wait_for(sender, 1, timeout=2) == []


@pytest.mark.parametrize("age", [301, 3600])
def test_a_stale_callback_is_refused(wecom, age):
    sender = user()
    xml = wecom.platform.text_xml(sender, "什么是腰部客户")
    status, _, _ = wecom.request(*wecom.platform.callback(xml, timestamp=int(time.time()) - age))
    assert status == 403
    assert wecom.api.wait_for(sender, 1, timeout=2) == []


def test_a_retried_callback_is_answered_once(wecom):
    sender = user()
    query, body = wecom.platform.callback(wecom.platform.text_xml(sender, "你好"))
    statuses = [wecom.request(query, body)[0] for _ in range(4)]  # WeCom retries up to three times
    assert statuses == [200] * 4
    time.sleep(2)
    assert len(wecom.api.wait_for(sender, 1)) == 1
    assert user_texts(wecom, sender) == ["你好"]


def test_the_same_message_id_from_a_new_callback_is_answered_once(wecom):
    sender, msg_id = user(), 7_000_000_000_000_000_001
    assert wecom.send_text(sender, "你好", msg_id=msg_id)[0] == 200
    assert wecom.send_text(sender, "你好", msg_id=msg_id)[0] == 200  # new nonce and signature, same MsgId
    time.sleep(2)
    assert len(wecom.api.wait_for(sender, 1)) == 1


@pytest.mark.parametrize("failure", [{"errcode": 45009}, {"http_status": 500}])
def test_an_api_error_is_logged_and_the_next_message_still_answered(wecom, failure):
    sender = user()
    wecom.api.fail_next(SEND, **failure)
    assert wecom.send_text(sender, "你好")[0] == 200
    time.sleep(2)
    assert wecom.api.delivered(sender) == []
    assert f"could not send a message to {sender}" in wecom.log()
    assert wecom.send_text(sender, "谢谢")[0] == 200
    assert "不客气" in wecom.api.wait_for(sender, 1)[0]


def test_an_expired_token_is_refreshed_and_the_reply_delivered(wecom):
    sender = user()
    wecom.api.expire_tokens()
    tokens_before = len(wecom.api.calls_to(GETTOKEN))
    assert wecom.send_text(sender, "你好")[0] == 200
    assert len(wecom.api.wait_for(sender, 1)) == 1
    answers = [call.answer["errcode"] for call in wecom.api.calls_to(SEND) if call.answer][-2:]
    assert answers == [42001, 0]
    assert len(wecom.api.calls_to(GETTOKEN)) == tokens_before + 1


def test_a_picture_gets_a_polite_text_reply(wecom):
    sender = user()
    xml = wecom.platform.message_xml(sender, "image", {"PicUrl": "http://example.com/a.jpg", "MediaId": "m1"})
    assert wecom.request(*wecom.platform.callback(xml))[0] == 200
    assert "文字" in wecom.api.wait_for(sender, 1)[0]


def test_an_event_is_acknowledged_without_a_reply(wecom):
    sender = user()
    assert wecom.request(*wecom.platform.callback(wecom.platform.event_xml(sender, "enter_agent")))[0] == 200
    assert wecom.api.wait_for(sender, 1, timeout=2) == []


def test_bad_inputs_get_a_reply_and_the_conversation_goes_on(wecom, kb):
    """Every hostile text, encrypted as WeCom would, each from its own user at once; then each user asks
    a real question in the same conversation."""
    senders = {case: user() for case, _ in BAD_TEXTS}
    statuses = {case: wecom.send_text(senders[case], text)[0] for case, text in BAD_TEXTS}
    assert all(status == 200 or 400 <= status < 500 for status in statuses.values()), statuses
    unanswered = [
        case
        for case, status in statuses.items()
        if status == 200 and not wecom.api.wait_for(senders[case], 1)
    ]
    assert not unanswered
    replies_before = {case: len(wecom.api.delivered(sender)) for case, sender in senders.items()}
    for sender in senders.values():
        assert wecom.send_text(sender, "什么是腰部客户")[0] == 200
    short = kb.get("腰部客户").short
    broken = [
        case
        for case, sender in senders.items()
        if not any(
            short in text
            for text in wecom.api.wait_for(sender, replies_before[case] + 1)[replies_before[case] :]
        )
    ]
    assert not broken
    assert all(
        len(text.encode("utf-8")) <= 2048
        for sender in senders.values()
        for text in wecom.api.delivered(sender)
    )


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"", "text/xml"),
        (b"not xml at all", "text/xml"),
        (b"<xml><Encrypt>", "text/xml"),
        (b"<xml><ToUserName>x</ToUserName></xml>", "text/xml"),
        (b'<!DOCTYPE x [<!ENTITY e "e">]><xml><Encrypt>&e;</Encrypt></xml>', "text/xml"),
        (b"<xml><Encrypt>bm90IGNpcGhlcg==</Encrypt></xml>", "text/xml"),
        (b'{"Encrypt": "x"}', "application/json"),
        (b"Encrypt=x", "application/x-www-form-urlencoded"),
        (b"\xff\xfe<xml/>", "text/xml"),
        (b"<xml>" + b"a" * 100_000 + b"</xml>", "text/xml"),
    ],
    ids=[
        "empty",
        "not-xml",
        "truncated",
        "no-encrypt",
        "entity",
        "bad-signature",
        "json",
        "form",
        "bad-utf8",
        "too-big",
    ],
)
def test_malformed_callbacks_are_4xx(wecom, body, content_type):
    query, _ = wecom.platform.callback(wecom.platform.text_xml(user(), "你好"))
    status, _, _ = wecom.request(query, body, content_type)
    assert 400 <= status < 500


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce", "echostr"])
def test_url_verification_without_a_parameter_is_400(wecom, missing):
    query = dict(parse_qsl(wecom.platform.verification("echo")))
    del query[missing]
    assert wecom.request(urlencode(query))[0] == 400


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce"])
def test_a_callback_without_a_parameter_is_400(wecom, missing):
    query, body = wecom.platform.callback(wecom.platform.text_xml(user(), "你好"))
    query = dict(parse_qsl(query))
    del query[missing]
    assert wecom.request(urlencode(query), body)[0] == 400


def test_a_callback_with_a_non_numeric_timestamp_is_400(wecom):
    query, body = wecom.platform.callback(wecom.platform.text_xml(user(), "你好"))
    query = dict(parse_qsl(query), timestamp="yesterday")
    assert wecom.request(urlencode(query), body)[0] == 400


def test_a_long_message_is_declined_politely(wecom, kb):
    sender = user()
    assert wecom.send_text(sender, "客户年采购额3000万。" * 300)[0] == 200
    assert "太长" in wecom.api.wait_for(sender, 1)[0]


def test_latency_figures(wecom):
    """Callback acknowledgement and time to the first reply through the fake API, one user at a time.

    Printed and written to build/wecom_latency.json; the only assertion is WeCom's 5 s deadline.
    """
    questions = ["什么是腰部客户", "KAM是什么", "战略客户是什么意思", "白金客户怎么维护", "你好"] * 4
    acks, replies = [], []
    for question in questions:
        sender = user()
        started = time.perf_counter()
        status, _, ack = wecom.send_text(sender, question)
        assert status == 200
        while not wecom.api.delivered(sender) and time.perf_counter() - started < 30:
            time.sleep(0.002)
        replies.append(time.perf_counter() - started)
        acks.append(ack)
        time.sleep(0.5)  # let the turn finish (tracker saved) before the next callback
    figures = {
        "messages": len(questions),
        "ack_ms": {"p50": round(median(acks) * 1000, 1), "max": round(max(acks) * 1000, 1)},
        "first_reply_ms": {"p50": round(median(replies) * 1000, 1), "max": round(max(replies) * 1000, 1)},
    }
    print(f"\nWeCom channel: {json.dumps(figures)}")
    (BUILD_DIR / "wecom_latency.json").write_text(json.dumps(figures, indent=2))
    assert max(acks) < 5


def test_a_classification_fits_a_phone_with_its_details_as_numbered_choices(wecom, kb):
    # The verdict first (class, the facts with their words, the first step); the full strategy,
    # the other frameworks and the sources as numbered choices, one of which is picked by number.
    sender = user()
    wecom.send_text(sender, "客户年采购额3000万，毛利率35%，预计明年翻番")
    verdict = wecom.api.wait_for(sender, 1)[0]
    assert "属于【白金客户】" in verdict and "（“客户年采购额3000万”）" in verdict
    assert "\n1. 完整策略\n2. 其他分类角度\n3. 来源与说明" in verdict
    assert len(verdict.encode("utf-8")) <= 2048  # one WeCom message
    wecom.send_text(sender, "3")
    sources = wecom.api.wait_for(sender, 2)[1]
    assert kb.get("白金客户").sources[0] in sources and "value_levels.yml" in sources


def test_a_question_about_one_part_of_an_entry_gets_that_part(wecom):
    sender = user()
    wecom.send_text(sender, "客户服务的发展经历了哪些阶段")
    reply = wecom.api.wait_for(sender, 1)[0]
    assert "业主服务阶段" in reply and "全面客户服务阶段" in reply
