"""The DingTalk channel in the running assistant, beyond what every connector does
(``test_messengers.py``): groups, the access token's expiry, API failures."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.bot.channels.conftest import Request
from tests.bot.channels.fake_dingtalk import GROUP, ONE_TO_ONE, TOKEN

pytestmark = pytest.mark.server


def test_a_question_in_a_group_is_answered_in_the_group(dingtalk, kb):
    group, staff = "cid" + uuid.uuid4().hex[:16], dingtalk.user()
    message = dingtalk.platform.text_message(staff, "@客户助手 什么是腰部客户", group=group)
    headers, body = dingtalk.platform.callback(message)
    assert dingtalk.send(Request("", headers, body))[0] == 200
    [reply] = dingtalk.api.wait_for(group)
    assert kb.get("腰部客户").short in reply
    assert dingtalk.api.calls_to(GROUP)[-1].json["robotCode"] == dingtalk.platform.robot_code


def test_a_group_message_for_someone_else_is_not_answered(dingtalk):
    group, staff = "cid" + uuid.uuid4().hex[:16], dingtalk.user()
    headers, body = dingtalk.platform.callback(
        dingtalk.platform.text_message(staff, "你好", group=group, at=False)
    )
    assert dingtalk.send(Request("", headers, body))[0] == 200
    assert dingtalk.api.wait_for(group, 1, timeout=2) == []


def test_an_expired_token_is_refreshed_and_the_reply_delivered(dingtalk):
    user = dingtalk.user()
    dingtalk.api.expire_tokens()
    tokens_before = len(dingtalk.api.calls_to(TOKEN))
    assert dingtalk.send_text(user, "你好")[0] == 200
    assert len(dingtalk.api.wait_for(user, 1)) == 1
    assert [call.status for call in dingtalk.api.calls_to(ONE_TO_ONE)][-2:] == [401, 200]
    assert len(dingtalk.api.calls_to(TOKEN)) == tokens_before + 1


def test_an_api_error_is_logged_and_the_next_message_still_answered(dingtalk):
    user = dingtalk.user()
    dingtalk.api.fail_next(
        ONE_TO_ONE, 403, {"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "限流"}
    )
    assert dingtalk.send_text(user, "你好")[0] == 200
    time.sleep(2)
    assert dingtalk.api.delivered(user) == []
    log = "\n".join(p.read_text(errors="replace") for p in dingtalk.assistant.log_dir.glob("rasa.*.log"))
    assert f"could not send a message to dingtalk:{user}" in log
    assert dingtalk.send_text(user, "谢谢")[0] == 200
    assert "不客气" in dingtalk.api.wait_for(user, 1)[0]
