"""The assistant with the WeCom channel enabled, talking to a local fake of WeCom's API.

One session fixture starts the fake API and a second assistant (its own ports and tracker store)
with the WECOM_* variables set, so the launcher adds the channel exactly as `make run` would.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Tuple

import pytest

from bot.model import MODEL_PATH
from bot.processes import Assistant
from tests.bot.channels.fake_wecom import FakeWeComApi, WeComPlatform
from tests.bot.conftest import experts_file
from tests.bot.servers import running, scratch

CORP, SECRET, AGENT = "ww-test-corp", "app-secret-for-tests", 1000002


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
    }
    try:
        with running(scratch(tmp, env=env)) as server:
            yield WeComSetup(server, api, platform)
    finally:
        api.stop()
