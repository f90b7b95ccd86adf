"""The WeCom API client against the local fake: token caching and refresh, sending, errors."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.wecom_api import WeComApi, WeComApiError
from tests.bot.channels.fake_wecom import FakeWeComApi

CORP, SECRET, AGENT = "ww-test-corp", "app-secret", 1000002
GETTOKEN, SEND = "/cgi-bin/gettoken", "/cgi-bin/message/send"


@pytest.fixture
def fake():
    server = FakeWeComApi(CORP, SECRET, AGENT)
    server.start()
    yield server
    server.stop()


def run(fake: FakeWeComApi, *steps, secret: str = SECRET):
    """Run coroutines made by ``steps(api)`` in order, on one client; return their results."""

    async def main():
        api = WeComApi(corp_id=CORP, secret=secret, agent_id=AGENT, api_base=fake.url)
        try:
            return [await step(api) for step in steps]
        finally:
            await api.close()

    return asyncio.run(main())


def test_sends_text_with_one_cached_token(fake):
    run(fake, lambda api: api.send_text("zhangsan", "你好"), lambda api: api.send_text("zhangsan", "再见"))
    assert len(fake.calls_to(GETTOKEN)) == 1
    assert fake.calls_to(GETTOKEN)[0].query == {"corpid": CORP, "corpsecret": SECRET}
    assert fake.delivered("zhangsan") == ["你好", "再见"]
    sent = fake.calls_to(SEND)[0]
    assert sent.json == {
        "agentid": AGENT,
        "touser": "zhangsan",
        "msgtype": "text",
        "text": {"content": "你好"},
    }
    assert "你好".encode() in sent.body  # UTF-8, not \u escapes


@pytest.mark.parametrize("errcode", [42001, 40014])
def test_a_rejected_token_is_fetched_again_and_the_message_sent(fake, errcode):
    run(fake, lambda api: api.send_text("lisi", "第一条"))
    if errcode == 42001:
        fake.expire_tokens()
    else:
        fake.tokens.clear()

    async def second(api):
        api._token, api._token_expires = fake.calls_to(GETTOKEN)[0].answer["access_token"], float("inf")
        return await api.send_text("lisi", "第二条")

    run(fake, second)
    answers = [call.answer["errcode"] for call in fake.calls_to(SEND)]
    assert answers == [0, errcode, 0]
    assert fake.delivered("lisi") == ["第一条", "第二条"]


def test_a_wecom_error_is_raised_with_its_code(fake):
    fake.fail_next(SEND, errcode=45009)
    with pytest.raises(WeComApiError) as error:
        run(fake, lambda api: api.send_text("wangwu", "你好"))
    assert error.value.errcode == 45009


def test_an_http_error_is_raised_not_crashed_on(fake):
    fake.fail_next(SEND, http_status=502)
    with pytest.raises(WeComApiError, match="HTTP 502"):
        run(fake, lambda api: api.send_text("wangwu", "你好"))


def test_a_wrong_secret_is_reported(fake):
    with pytest.raises(WeComApiError) as error:
        run(fake, lambda api: api.send_text("wangwu", "你好"), secret="wrong")
    assert error.value.errcode == 40001


def test_an_unreachable_api_is_reported():
    async def main():
        api = WeComApi(corp_id=CORP, secret=SECRET, agent_id=AGENT, api_base="http://127.0.0.1:9", timeout=2)
        try:
            await api.send_text("wangwu", "你好")
        finally:
            await api.close()

    with pytest.raises(WeComApiError, match="ClientConnectorError"):
        asyncio.run(main())


def test_the_fake_refuses_text_over_2048_bytes(fake):
    with pytest.raises(WeComApiError) as error:
        run(fake, lambda api: api.send_text("wangwu", "户" * 683))
    assert error.value.errcode == 45002
