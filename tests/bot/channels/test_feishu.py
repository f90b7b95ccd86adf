"""The Feishu channel in the running assistant, beyond what every connector does
(``test_messengers.py``): the URL check, groups, the tenant token's expiry, API failures."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.bot.channels.conftest import Request
from tests.bot.channels.fake_feishu import SEND, TOKEN, FeishuPlatform

pytestmark = pytest.mark.server


def test_the_url_check_is_answered_with_its_challenge(feishu):
    headers, body = feishu.platform.callback(feishu.platform.url_verification("ajls384kdjx98XX"))
    status, answer, _ = feishu.send(Request("", headers, body))
    assert (status, json.loads(answer)) == (200, {"challenge": "ajls384kdjx98XX"})


def test_a_url_check_with_another_token_is_refused(feishu):
    forger = FeishuPlatform(feishu.platform.app_id, "guessed-token", feishu.platform.encrypt_key)
    headers, body = forger.callback(forger.url_verification("c"))
    assert feishu.send(Request("", headers, body))[0] == 403


def test_an_event_is_acknowledged_with_an_empty_object(feishu):
    event = feishu.platform.event("im.chat.member.bot.added_v1", {"chat_id": "oc_x"})
    status, answer, _ = feishu.send(Request("", *feishu.platform.callback(event)))
    assert (status, json.loads(answer)) == (200, {})


def test_a_question_in_a_group_is_answered_in_the_group(feishu, kb):
    chat, user = "oc_" + uuid.uuid4().hex, feishu.user()
    headers, body = feishu.platform.callback(feishu.platform.text_event(user, "什么是腰部客户", chat=chat))
    assert feishu.send(Request("", headers, body))[0] == 200
    [reply] = feishu.api.wait_for(chat)
    assert kb.get("腰部客户").short in reply
    assert feishu.api.calls_to(SEND)[-1].query == {"receive_id_type": "chat_id"}


def test_an_expired_token_is_refreshed_and_the_reply_delivered(feishu):
    user = feishu.user()
    feishu.api.expire_tokens()
    tokens_before = len(feishu.api.calls_to(TOKEN))
    assert feishu.send_text(user, "你好")[0] == 200
    assert len(feishu.api.wait_for(user, 1)) == 1
    assert [call.answer["code"] for call in feishu.api.calls_to(SEND)][-2:] == [99991663, 0]
    assert len(feishu.api.calls_to(TOKEN)) == tokens_before + 1


def test_an_api_error_is_logged_and_the_next_message_still_answered(feishu):
    user = feishu.user()
    feishu.api.fail_next(SEND, 400, {"code": 230020, "msg": "This message triggered frequency limit."})
    assert feishu.send_text(user, "你好")[0] == 200
    time.sleep(2)
    assert feishu.api.delivered(user) == []
    log = "\n".join(p.read_text(errors="replace") for p in feishu.assistant.log_dir.glob("rasa.*.log"))
    assert f"could not send a message to feishu:{user}" in log
    assert feishu.send_text(user, "谢谢")[0] == 200
    assert "不客气" in feishu.api.wait_for(user, 1)[0]
