"""The DingTalk robot API client against the local fake: token caching and refresh, one-to-one and
group sends, errors."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.channels.dingtalk_api import DingTalkApi, DingTalkApiError
from tests.bot.channels.fake_dingtalk import GROUP, ONE_TO_ONE, TOKEN, FakeDingTalkApi

KEY, SECRET, ROBOT = "dingappkey", "app-secret", "dingappkey"


@pytest.fixture
def fake():
    server = FakeDingTalkApi(KEY, SECRET, ROBOT)
    server.start()
    yield server
    server.stop()


def run(fake: FakeDingTalkApi, *steps, secret: str = SECRET, api_base: str | None = None):
    """Run coroutines made by ``steps(api)`` in order, on one client; return their results."""

    async def main():
        api = DingTalkApi(
            app_key=KEY, app_secret=secret, robot_code=ROBOT, api_base=api_base or fake.url, timeout=2
        )
        try:
            return [await step(api) for step in steps]
        finally:
            await api.close()

    return asyncio.run(main())


def test_sends_to_a_person_with_one_cached_token(fake):
    run(
        fake,
        lambda api: api.send_text(("user", "zhangsan"), "你好"),
        lambda api: api.send_text(("user", "zhangsan"), "再见"),
    )
    assert len(fake.calls_to(TOKEN)) == 1
    assert fake.calls_to(TOKEN)[0].json == {"appKey": KEY, "appSecret": SECRET}
    assert fake.delivered("zhangsan") == ["你好", "再见"]
    sent = fake.calls_to(ONE_TO_ONE)[0]
    assert sent.json == {
        "robotCode": ROBOT,
        "userIds": ["zhangsan"],
        "msgKey": "sampleText",
        "msgParam": json.dumps({"content": "你好"}, ensure_ascii=False),
    }
    assert sent.headers["x-acs-dingtalk-access-token"] == fake.calls_to(TOKEN)[0].answer["accessToken"]


def test_sends_to_a_group(fake):
    run(fake, lambda api: api.send_text(("group", "cidGROUP1"), "大家好"))
    assert fake.calls_to(GROUP)[0].json["openConversationId"] == "cidGROUP1"
    assert fake.delivered("cidGROUP1") == ["大家好"]


@pytest.mark.parametrize("change", ["expire", "forget"])
def test_a_rejected_token_is_fetched_again_and_the_message_sent(fake, change):
    run(fake, lambda api: api.send_text(("user", "lisi"), "第一条"))
    if change == "expire":
        fake.expire_tokens()
    else:
        fake.tokens.clear()

    async def second(api):
        api._token, api._token_expires = fake.calls_to(TOKEN)[0].answer["accessToken"], float("inf")
        return await api.send_text(("user", "lisi"), "第二条")

    run(fake, second)
    assert [call.status for call in fake.calls_to(ONE_TO_ONE)] == [200, 401, 200]
    assert fake.delivered("lisi") == ["第一条", "第二条"]


def test_a_dingtalk_error_is_raised_with_its_code(fake):
    fake.fail_next(ONE_TO_ONE, 403, {"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "限流"})
    with pytest.raises(DingTalkApiError) as error:
        run(fake, lambda api: api.send_text(("user", "wangwu"), "你好"))
    assert error.value.errcode == "Forbidden.AccessDenied.QpsLimitForApi"


def test_an_unknown_staff_id_in_a_200_answer_is_an_error(fake):
    with pytest.raises(DingTalkApiError, match="not delivered to ghost"):
        run(fake, lambda api: api.send_text(("user", "ghost"), "你好"))


def test_an_http_error_without_json_is_raised_not_crashed_on(fake):
    fake.fail_next(ONE_TO_ONE, 502, None)
    with pytest.raises(DingTalkApiError, match="HTTP 502"):
        run(fake, lambda api: api.send_text(("user", "wangwu"), "你好"))


def test_a_wrong_secret_is_reported(fake):
    with pytest.raises(DingTalkApiError) as error:
        run(fake, lambda api: api.send_text(("user", "wangwu"), "你好"), secret="wrong")
    assert error.value.errcode == "invalidClientIdOrSecret"


def test_an_unreachable_api_is_reported(fake):
    with pytest.raises(DingTalkApiError, match="ClientConnectorError"):
        run(fake, lambda api: api.send_text(("user", "wangwu"), "你好"), api_base="http://127.0.0.1:9")
