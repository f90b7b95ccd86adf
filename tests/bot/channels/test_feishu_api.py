"""The Feishu API client against the local fake: tenant token caching and refresh, sends to a person
and a group, errors."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.channels.feishu_api import FeishuApi, FeishuApiError
from tests.bot.channels.fake_feishu import SEND, TOKEN, FakeFeishuApi

APP, SECRET = "cli_test", "app-secret"


@pytest.fixture
def fake():
    server = FakeFeishuApi(APP, SECRET)
    server.start()
    yield server
    server.stop()


def run(fake: FakeFeishuApi, *steps, secret: str = SECRET, api_base: str | None = None):
    async def main():
        api = FeishuApi(app_id=APP, app_secret=secret, api_base=api_base or fake.url, timeout=2)
        try:
            return [await step(api) for step in steps]
        finally:
            await api.close()

    return asyncio.run(main())


def test_sends_to_a_person_with_one_cached_token(fake):
    run(
        fake,
        lambda api: api.send_text(("open_id", "ou_a1"), "你好"),
        lambda api: api.send_text(("open_id", "ou_a1"), "再见"),
    )
    assert len(fake.calls_to(TOKEN)) == 1
    assert fake.calls_to(TOKEN)[0].json == {"app_id": APP, "app_secret": SECRET}
    assert fake.delivered("ou_a1") == ["你好", "再见"]
    sent = fake.calls_to(SEND)[0]
    assert sent.query == {"receive_id_type": "open_id"}
    assert sent.json == {"receive_id": "ou_a1", "msg_type": "text", "content": '{"text": "你好"}'}
    assert sent.headers["Authorization"] == "Bearer " + fake.calls_to(TOKEN)[0].answer["tenant_access_token"]


def test_sends_to_a_group_by_chat_id(fake):
    run(fake, lambda api: api.send_text(("chat_id", "oc_g1"), "大家好"))
    assert fake.calls_to(SEND)[0].query == {"receive_id_type": "chat_id"}
    assert fake.delivered("oc_g1") == ["大家好"]


@pytest.mark.parametrize("change", ["expire", "forget"])
def test_a_rejected_token_is_fetched_again_and_the_message_sent(fake, change):
    run(fake, lambda api: api.send_text(("open_id", "ou_b"), "第一条"))
    if change == "expire":
        fake.expire_tokens()
    else:
        fake.tokens.clear()

    async def second(api):
        api._token, api._token_expires = fake.calls_to(TOKEN)[0].answer["tenant_access_token"], float("inf")
        return await api.send_text(("open_id", "ou_b"), "第二条")

    run(fake, second)
    assert [call.answer["code"] for call in fake.calls_to(SEND)] == [0, 99991663, 0]
    assert fake.delivered("ou_b") == ["第一条", "第二条"]


def test_a_feishu_error_is_raised_with_its_code(fake):
    fake.fail_next(SEND, 400, {"code": 230002, "msg": "The bot can not be outside the group."})
    with pytest.raises(FeishuApiError) as error:
        run(fake, lambda api: api.send_text(("chat_id", "oc_g1"), "你好"))
    assert error.value.errcode == 230002


def test_an_http_error_without_json_is_raised_not_crashed_on(fake):
    fake.fail_next(SEND, 502, None)
    with pytest.raises(FeishuApiError, match="HTTP 502"):
        run(fake, lambda api: api.send_text(("open_id", "ou_c"), "你好"))


def test_a_wrong_secret_is_reported(fake):
    with pytest.raises(FeishuApiError) as error:
        run(fake, lambda api: api.send_text(("open_id", "ou_c"), "你好"), secret="wrong")
    assert error.value.errcode == 10014


def test_an_unreachable_api_is_reported(fake):
    with pytest.raises(FeishuApiError, match="ClientConnectorError"):
        run(fake, lambda api: api.send_text(("open_id", "ou_c"), "你好"), api_base="http://127.0.0.1:9")


def test_chinese_goes_as_utf8(fake):
    run(fake, lambda api: api.send_text(("open_id", "ou_d"), "腰部客户"))
    assert "腰部客户".encode() in fake.calls_to(SEND)[0].body
    assert json.loads(fake.calls_to(SEND)[0].json["content"]) == {"text": "腰部客户"}
