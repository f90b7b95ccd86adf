"""What every messaging-app connector (WeCom, DingTalk, Feishu) must do in the running assistant, each
driven as its platform drives it (``conftest.py``: ``messenger``) and answering through its API's fake:
a definition with its buttons, a follow-up picked by number, a description classified, feedback, a
retried callback answered once, forged and stale callbacks refused, and the shared bad inputs
(``tests/bad_inputs.py``), malformed bodies and missing parameters: no 5xx, nothing lost."""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from pathlib import Path

import pytest

from bot.api_token import api_token
from knowledge.logbook import Logbook
from tests.bad_inputs import BAD_TEXTS
from tests.bot.channels.conftest import Messenger

pytestmark = pytest.mark.server


def user_texts(messenger: Messenger, user: str):
    """The texts of the user's messages as the tracker store has them (payloads for picked buttons)."""
    conversation = urllib.request.quote(messenger.conversation(user), safe=":")
    url = f"{messenger.assistant.url}/conversations/{conversation}/tracker?token={api_token()}"
    with urllib.request.urlopen(url, timeout=30) as response:
        events = json.loads(response.read())["events"]
    return [event["text"] for event in events if event["event"] == "user"]


def test_a_definition_comes_with_its_buttons_as_numbered_choices(messenger, kb):
    user = messenger.user()
    status, _, seconds = messenger.send_text(user, "什么是腰部客户")
    assert status == 200 and seconds < 3  # acknowledged at once, answered in the background
    [reply] = messenger.api.wait_for(user)
    assert kb.get("腰部客户").short in reply
    assert "\n1. 查看全文\n2. 怎么维护这类客户" in reply


def test_a_follow_up_picked_by_number_and_by_title(messenger, kb):
    user, entry = messenger.user(), kb.get("腰部客户")
    messenger.send_text(user, "什么是腰部客户")
    messenger.api.wait_for(user, 1)
    messenger.send_text(user, "1")
    assert entry.answer.splitlines()[0] in messenger.api.wait_for(user, 2)[1]
    assert user_texts(messenger, user)[-1] == '/ask_detail{"term": "腰部客户"}'
    messenger.send_text(user, "那怎么维护这类客户")
    assert entry.strategy.strip().splitlines()[0] in messenger.api.wait_for(user, 3)[2]


def test_a_description_is_classified_with_its_details_as_numbered_choices(messenger, kb):
    user = messenger.user()
    messenger.send_text(user, "客户年采购额3000万，毛利率35%，预计明年翻番")
    verdict = messenger.api.wait_for(user, 1)[0]
    assert "属于【白金客户】" in verdict and "（“客户年采购额3000万”）" in verdict
    assert "\n1. 完整策略\n2. 其他分类角度\n3. 来源与说明" in verdict
    messenger.send_text(user, "第3个")
    assert kb.get("白金客户").sources[0] in messenger.api.wait_for(user, 2)[1]


def test_feedback_typed_after_an_answer_is_thanked_and_logged(messenger):
    user = messenger.user()
    messenger.send_text(user, "白金客户是什么")
    messenger.api.wait_for(user, 1)
    messenger.send_text(user, "有用")
    assert "谢谢反馈" in messenger.api.wait_for(user, 2)[1]
    env = messenger.assistant.env  # each assistant has its own logbook and salt
    logbook = Logbook(Path(env["KB_LOG_PATH"]), salt=env["KB_LOG_SALT"], retention=None)
    sender = logbook.sender_hash(messenger.conversation(user))
    [row] = [r for r in logbook.rows("feedback") if r["sender_hash"] == sender]
    assert (row["entry_id"], row["rating"], row["channel"]) == (
        "platinum_customer",
        "helpful",
        messenger.name,
    )


def test_a_retried_callback_is_answered_once(messenger):
    user = messenger.user()
    request = messenger.signed(user, "你好")
    assert [messenger.send(request)[0] for _ in range(4)] == [200] * 4  # the platforms retry
    time.sleep(2)
    assert len(messenger.api.wait_for(user, 1)) == 1
    assert user_texts(messenger, user) == ["你好"]


def test_the_same_message_id_in_a_new_callback_is_answered_once(messenger):
    user, msg_id = messenger.user(), str(7_000_000_000_000_000_000 + secrets.randbelow(10**15))
    assert messenger.send_text(user, "你好", msg_id)[0] == 200
    assert messenger.send_text(user, "你好", msg_id)[0] == 200  # new signature and time, same message id
    time.sleep(2)
    assert len(messenger.api.wait_for(user, 1)) == 1


def test_a_forged_callback_is_refused_and_nothing_is_sent(messenger):
    user = messenger.user()
    assert messenger.send(messenger.forged(user, "什么是腰部客户"))[0] == 403
    assert messenger.api.wait_for(user, 1, timeout=2) == []


def test_a_stale_callback_is_refused_and_nothing_is_sent(messenger):
    user = messenger.user()
    age = 301 if messenger.name == "wecom" else 3601  # WeCom ±5 minutes; DingTalk (documented), Feishu 1 hour
    assert messenger.send(messenger.stale(user, "什么是腰部客户", age))[0] == 403
    assert messenger.api.wait_for(user, 1, timeout=2) == []


def test_a_picture_gets_a_polite_text_reply(messenger):
    user = messenger.user()
    assert messenger.send(messenger.picture(user))[0] == 200
    assert "文字" in messenger.api.wait_for(user, 1)[0]


def test_bad_inputs_get_a_reply_and_the_conversation_goes_on(messenger, kb):
    """Every hostile text, as the platform sends it, each from its own user at once; then each user
    asks a real question in the same conversation."""
    users = {case: messenger.user() for case, _ in BAD_TEXTS}
    statuses = {case: messenger.send_text(users[case], text)[0] for case, text in BAD_TEXTS}
    assert all(status == 200 or 400 <= status < 500 for status in statuses.values()), statuses
    unanswered = [
        case
        for case, status in statuses.items()
        if status == 200 and not messenger.api.wait_for(users[case], 1)
    ]
    assert not unanswered
    before = {case: len(messenger.api.delivered(user)) for case, user in users.items()}
    for user in users.values():
        assert messenger.send_text(user, "什么是腰部客户")[0] == 200
    short = kb.get("腰部客户").short
    broken = [
        case
        for case, user in users.items()
        if not any(short in text for text in messenger.api.wait_for(user, before[case] + 1)[before[case] :])
    ]
    assert not broken
    assert all(
        len(text.encode("utf-8")) <= messenger.text_limit
        for user in users.values()
        for text in messenger.api.delivered(user)
    )


MALFORMED = {
    "wecom": [
        (b"", "text/xml"),
        (b"not xml at all", "text/xml"),
        (b"<xml><Encrypt>", "text/xml"),
        (b'{"Encrypt": "x"}', "application/json"),
        (b"\xff\xfe<xml/>", "text/xml"),
        (b"<xml>" + b"a" * 100_000 + b"</xml>", "text/xml"),
    ],
    "dingtalk": [
        (b"", "application/json"),
        (b"not json", "application/json"),
        (b'{"msgtype": "text"', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"msgtype": "text", "text": {"content": "hi"}}', "application/json"),
        (b'{"msgId": "m", "msgtype": "text", "senderStaffId": {"a": 1}}', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"msgtype=text", "application/x-www-form-urlencoded"),
        (b"<xml/>", "text/xml"),
        (b'{"a": "' + b"x" * 100_000 + b'"}', "application/json"),
    ],
    "feishu": [
        (b"", "application/json"),
        (b"not json", "application/json"),
        (b'{"encrypt": "not base64!"}', "application/json"),
        (b'{"encrypt": "bm90IGNpcGhlcnRleHQ="}', "application/json"),
        (b'{"schema": "2.0", "header": {"token": "feishu-verification-token"}}', "application/json"),
        (b"[]", "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"encrypt=x", "application/x-www-form-urlencoded"),
        (b'{"encrypt": "' + b"A" * 100_000 + b'"}', "application/json"),
    ],
}


def test_malformed_bodies_are_4xx(messenger):
    statuses = [
        messenger.send(messenger.malformed(body, kind))[0] for body, kind in MALFORMED[messenger.name]
    ]
    assert all(400 <= status < 500 for status in statuses), statuses


def test_a_callback_without_a_parameter_is_400(messenger):
    user = messenger.user()
    assert [messenger.send(request)[0] for request in messenger.without_each_parameter(user)] == [400] * len(
        messenger.without_each_parameter(user)
    )
    assert messenger.api.wait_for(user, 1, timeout=2) == []


def test_a_long_message_is_declined_politely(messenger):
    user = messenger.user()
    assert messenger.send_text(user, "客户年采购额3000万。" * 300)[0] == 200
    assert "太长" in messenger.api.wait_for(user, 1)[0]
