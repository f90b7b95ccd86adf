"""The assistants with the messaging-app channels enabled, each talking to a local fake of its API.

One session fixture starts the fake WeCom API and a second assistant (its own ports and tracker store)
with the WECOM_* variables set, so the launcher adds the channel exactly as `make run` would; another
starts the fakes of DingTalk and Feishu and a third assistant with both their channels on. ``messenger``
drives each of the three connectors in turn for the tests they must all pass (``test_messengers.py``).
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.model import MODEL_PATH
from bot.processes import Assistant
from tests.bot.channels.fake_dingtalk import DingTalkPlatform, FakeDingTalkApi
from tests.bot.channels.fake_feishu import FakeFeishuApi, FeishuPlatform
from tests.bot.channels.fake_wecom import FakeWeComApi, WeComPlatform
from tests.bot.conftest import experts_file
from tests.bot.servers import running, scratch

CORP, SECRET, AGENT = "ww-test-corp", "app-secret-for-tests", 1000002
WEB_PUBLIC_URL = "https://sales.example.com"


@dataclass
class WeComSetup:
    assistant: Assistant
    api: FakeWeComApi
    platform: WeComPlatform

    @property
    def callback_url(self) -> str:
        return self.assistant.wecom_callback_url

    def request(
        self, query: str, body: bytes | None = None, content_type: str = "text/xml", method: str | None = None
    ) -> Tuple[int, str, float]:
        """Status, body and seconds of one HTTP call to the callback URL."""
        request = urllib.request.Request(f"{self.callback_url}?{query}", data=body, method=method)
        if body is not None and content_type:
            request.add_header("Content-Type", content_type)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8"), time.perf_counter() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), time.perf_counter() - started

    @property
    def portfolio_dir(self) -> Path:
        return Path(self.assistant.env["PORTFOLIO_DIR"])

    def send_file(self, user: str, media_id: str, file_name: str | None = None) -> Tuple[int, str, float]:
        query, body = self.platform.callback(self.platform.file_xml(user, media_id, file_name))
        return self.request(query, body)

    def send_text(self, user: str, text: str, msg_id: int | None = None) -> Tuple[int, str, float]:
        query, body = self.platform.callback(self.platform.text_xml(user, text, msg_id))
        return self.request(query, body)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.assistant.log_dir.glob("rasa.*.log"))


@pytest.fixture(scope="session")
def wecom(tmp_path_factory: pytest.TempPathFactory):
    if not MODEL_PATH.exists():
        pytest.fail(f"{MODEL_PATH} is missing: run the suite with `make test`, which trains it")
    tmp = tmp_path_factory.mktemp("wecom")
    api = FakeWeComApi(CORP, SECRET, AGENT)
    api.start()
    platform = WeComPlatform(CORP, AGENT)
    env = {
        "WECOM_CORP_ID": CORP,
        "WECOM_AGENT_ID": str(AGENT),
        "WECOM_SECRET": SECRET,
        "WECOM_TOKEN": platform.token,
        "WECOM_AES_KEY": platform.aes_key,
        "WECOM_API_BASE": api.url,
        # The experts the handoff notifies (WeCom ids ZhangWei, LiNa), at any hour; a logbook of its own.
        "HANDOFF_CONFIG": str(experts_file(tmp)),
        "KB_LOG_PATH": str(tmp / "logbook.db"),
        "KB_LOG_SALT": "test-salt",
        # Spreadsheets sent as files are kept where a web front would serve them, under this address.
        "PORTFOLIO_DIR": str(tmp / "portfolio"),
        "WEB_PUBLIC_URL": WEB_PUBLIC_URL,
    }
    try:
        with running(scratch(tmp, env=env)) as server:
            yield WeComSetup(server, api, platform)
    finally:
        api.stop()


# --- DingTalk and Feishu: one more assistant with both channels on, each talking to its local fake ---

DING_KEY, DING_SECRET = "dingtestappkey", "dingtalk-app-secret-for-tests"
FEISHU_APP, FEISHU_SECRET, FEISHU_TOKEN = (
    "cli_testapp",
    "feishu-app-secret-for-tests",
    "feishu-verification-token",
)
FEISHU_KEY = "feishu-encrypt-key-for-tests"
MESSENGER_SALT = "messenger-test-salt"


def messenger_env(dingtalk_api: FakeDingTalkApi, feishu_api: FakeFeishuApi) -> Dict[str, str]:
    """The variables that turn both channels on, pointed at the fakes (Feishu with an Encrypt Key)."""
    return {
        "DINGTALK_APP_KEY": DING_KEY,
        "DINGTALK_APP_SECRET": DING_SECRET,
        "DINGTALK_API_BASE": dingtalk_api.url,
        "FEISHU_APP_ID": FEISHU_APP,
        "FEISHU_APP_SECRET": FEISHU_SECRET,
        "FEISHU_VERIFICATION_TOKEN": FEISHU_TOKEN,
        "FEISHU_ENCRYPT_KEY": FEISHU_KEY,
        "FEISHU_API_BASE": feishu_api.url,
    }


@dataclass
class Request:
    """One HTTP request a platform (or a forger) makes to a callback URL."""

    query: str
    headers: Dict[str, str]
    body: bytes | None


def call(url: str, request: Request, method: str | None = None) -> Tuple[int, str, float]:
    """Status, body and seconds of one HTTP call."""
    target = f"{url}?{request.query}" if request.query else url
    http = urllib.request.Request(target, data=request.body, headers=request.headers, method=method)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            return response.status, response.read().decode("utf-8"), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), time.perf_counter() - started


class Messenger:
    """A connector in a running assistant, driven as its platform drives it: what the conversation,
    retry, forgery and bad-input tests of all three connectors need (``test_messengers.py``)."""

    name: str
    text_limit: int
    assistant: Assistant
    api: Any  # the platform API's fake: delivered(), wait_for(), calls_to()

    def url(self, server: Assistant | None = None) -> str:
        return (server or self.assistant).callback_url(self.name)

    def send(self, request: Request, server: Assistant | None = None) -> Tuple[int, str, float]:
        return call(self.url(server), request)

    def send_text(self, user: str, text: str, msg_id: str | None = None) -> Tuple[int, str, float]:
        return self.send(self.signed(user, text, msg_id))

    def user(self) -> str:
        raise NotImplementedError

    def conversation(self, user: str) -> str:
        """The user's sender id in the tracker store."""
        raise NotImplementedError

    def signed(self, user: str, text: str, msg_id: str | None = None) -> Request:
        raise NotImplementedError

    def picture(self, user: str) -> Request:
        raise NotImplementedError

    def forged(self, user: str, text: str) -> Request:
        raise NotImplementedError

    def stale(self, user: str, text: str, age: int) -> Request:
        raise NotImplementedError

    def without_each_parameter(self, user: str) -> List[Request]:
        raise NotImplementedError

    def malformed(self, body: bytes, content_type: str) -> Request:
        """A body that is not the platform's, with a current, valid signature where one can be made."""
        raise NotImplementedError


class WeComMessenger(Messenger):
    name, text_limit = "wecom", 2048

    def __init__(self, setup: WeComSetup) -> None:
        self.assistant, self.api, self.platform = setup.assistant, setup.api, setup.platform

    def user(self) -> str:
        return "u" + uuid.uuid4().hex[:12]

    def conversation(self, user: str) -> str:
        return user

    def signed(self, user: str, text: str, msg_id: str | None = None) -> Request:
        query, body = self.platform.callback(
            self.platform.text_xml(user, text, int(msg_id) if msg_id else None)
        )
        return Request(query, {"Content-Type": "text/xml"}, body)

    def picture(self, user: str) -> Request:
        xml = self.platform.message_xml(
            user, "image", {"PicUrl": "http://example.com/a.jpg", "MediaId": "m1"}
        )
        query, body = self.platform.callback(xml)
        return Request(query, {"Content-Type": "text/xml"}, body)

    def forged(self, user: str, text: str) -> Request:
        forger = WeComPlatform(self.platform.corp_id, self.platform.agent_id, token="guessed")
        query, body = forger.callback(forger.text_xml(user, text))
        return Request(query, {"Content-Type": "text/xml"}, body)

    def stale(self, user: str, text: str, age: int) -> Request:
        query, body = self.platform.callback(self.platform.text_xml(user, text), int(time.time()) - age)
        return Request(query, {"Content-Type": "text/xml"}, body)

    def without_each_parameter(self, user: str) -> List[Request]:
        request = self.signed(user, "你好")
        query = dict(parse_qsl(request.query))
        return [
            Request(urlencode({k: v for k, v in query.items() if k != name}), request.headers, request.body)
            for name in query
        ]

    def malformed(self, body: bytes, content_type: str) -> Request:
        query, _ = self.platform.callback(self.platform.text_xml(self.user(), "你好"))
        return Request(query, {"Content-Type": content_type}, body)


class DingTalkMessenger(Messenger):
    name, text_limit = "dingtalk", 4000

    def __init__(self, assistant: Assistant, api: FakeDingTalkApi) -> None:
        self.assistant, self.api = assistant, api
        self.platform = DingTalkPlatform(DING_SECRET, DING_KEY)

    def user(self) -> str:
        return "staff" + uuid.uuid4().hex[:10]

    def conversation(self, user: str) -> str:
        return f"dingtalk:{user}"

    def _request(self, message: Dict[str, Any], timestamp_ms: int | None = None) -> Request:
        headers, body = self.platform.callback(message, timestamp_ms)
        return Request("", headers, body)

    def signed(self, user: str, text: str, msg_id: str | None = None) -> Request:
        return self._request(self.platform.text_message(user, text, msg_id))

    def picture(self, user: str) -> Request:
        return self._request(self.platform.message(user, "picture", {"content": {"downloadCode": "d1"}}))

    def forged(self, user: str, text: str) -> Request:
        headers, body = DingTalkPlatform("guessed secret", DING_KEY).callback(
            self.platform.text_message(user, text)
        )
        return Request("", headers, body)

    def stale(self, user: str, text: str, age: int) -> Request:
        return self._request(self.platform.text_message(user, text), int((time.time() - age) * 1000))

    def without_each_parameter(self, user: str) -> List[Request]:
        request = self.signed(user, "你好")
        return [
            Request("", {k: v for k, v in request.headers.items() if k != name}, request.body)
            for name in ("timestamp", "sign")
        ]

    def malformed(self, body: bytes, content_type: str) -> Request:
        headers, _ = self.platform.callback({})
        return Request("", {**headers, "Content-Type": content_type}, body)


class FeishuMessenger(Messenger):
    name, text_limit = "feishu", 16 * 1024

    def __init__(self, assistant: Assistant, api: FakeFeishuApi) -> None:
        self.assistant, self.api = assistant, api
        self.platform = FeishuPlatform(FEISHU_APP, FEISHU_TOKEN, FEISHU_KEY)

    def user(self) -> str:
        return "ou_" + uuid.uuid4().hex

    def conversation(self, user: str) -> str:
        return f"feishu:{user}"

    def _request(self, payload: Dict[str, Any], timestamp: int | None = None) -> Request:
        headers, body = self.platform.callback(payload, timestamp)
        return Request("", headers, body)

    def signed(self, user: str, text: str, msg_id: str | None = None) -> Request:
        return self._request(self.platform.text_event(user, text, msg_id))

    def picture(self, user: str) -> Request:
        return self._request(self.platform.message_event(user, "image", '{"image_key": "img_v2_1"}'))

    def forged(self, user: str, text: str) -> Request:
        """A body as Feishu encrypts it, signed by someone who does not know the Encrypt Key."""
        headers, body = self.platform.callback(self.platform.text_event(user, text))
        stamp, nonce = headers["X-Lark-Request-Timestamp"], headers["X-Lark-Request-Nonce"]
        guessed = hashlib.sha256((stamp + nonce + "guessed-key").encode("utf-8") + body).hexdigest()
        return Request("", {**headers, "X-Lark-Signature": guessed}, body)

    def stale(self, user: str, text: str, age: int) -> Request:
        event = self.platform.text_event(user, text)
        event["header"]["create_time"] = str(int((time.time() - age) * 1000))
        return self._request(event, int(time.time()) - age)

    def without_each_parameter(self, user: str) -> List[Request]:
        request = self.signed(user, "你好")
        names = ("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature")
        return [
            Request("", {k: v for k, v in request.headers.items() if k != name}, request.body)
            for name in names
        ]

    def malformed(self, body: bytes, content_type: str) -> Request:
        headers, _ = self.platform.callback(self.platform.text_event(self.user(), "你好"))
        stamp, nonce = headers["X-Lark-Request-Timestamp"], headers["X-Lark-Request-Nonce"]
        signature = hashlib.sha256((stamp + nonce + FEISHU_KEY).encode("utf-8") + body).hexdigest()
        return Request("", {**headers, "X-Lark-Signature": signature, "Content-Type": content_type}, body)


@pytest.fixture(scope="session")
def messenger_fakes():
    dingtalk_api, feishu_api = (
        FakeDingTalkApi(DING_KEY, DING_SECRET, DING_KEY),
        FakeFeishuApi(FEISHU_APP, FEISHU_SECRET),
    )
    dingtalk_api.start()
    feishu_api.start()
    try:
        yield dingtalk_api, feishu_api
    finally:
        feishu_api.stop()
        dingtalk_api.stop()


@pytest.fixture(scope="session")
def messengers(messenger_fakes, tmp_path_factory: pytest.TempPathFactory):
    """A second assistant with the DingTalk and Feishu channels on (the launcher's way), its own logbook."""
    if not MODEL_PATH.exists():
        pytest.fail(f"{MODEL_PATH} is missing: run the suite with `make test`, which trains it")
    tmp = tmp_path_factory.mktemp("messengers")
    env = {
        **messenger_env(*messenger_fakes),
        "KB_LOG_PATH": str(tmp / "logbook.db"),
        "KB_LOG_SALT": MESSENGER_SALT,
    }
    with running(scratch(tmp, env=env)) as server:
        yield server


@pytest.fixture(scope="session")
def dingtalk(messengers, messenger_fakes) -> DingTalkMessenger:
    return DingTalkMessenger(messengers, messenger_fakes[0])


@pytest.fixture(scope="session")
def feishu(messengers, messenger_fakes) -> FeishuMessenger:
    return FeishuMessenger(messengers, messenger_fakes[1])


@pytest.fixture(params=["wecom", "dingtalk", "feishu"])
def messenger(request) -> Messenger:
    """Each connector in turn, for the tests all three must pass."""
    if request.param == "wecom":
        return WeComMessenger(request.getfixturevalue("wecom"))
    return request.getfixturevalue(request.param)
