"""Turning the WeCom channel on: the launcher's credentials section and the channel's own checks."""

from __future__ import annotations

import pytest
import yaml

from bot.config import WECOM_CHANNEL, wecom_credentials
from bot.processes import Assistant
from tests.bot.channels.fake_wecom import new_aes_key
from tests.ports import free_port

ENV = {
    "WECOM_CORP_ID": "ww-corp",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "s3cret",
    "WECOM_TOKEN": "tok",
    "WECOM_AES_KEY": new_aes_key(),
}


def test_no_wecom_variables_no_channel():
    assert wecom_credentials({"PATH": "/usr/bin"}) is None


def test_all_variables_give_references_not_secrets():
    section = wecom_credentials(ENV)
    assert section == {
        "corp_id": "${WECOM_CORP_ID}",
        "agent_id": "${WECOM_AGENT_ID}",
        "secret": "${WECOM_SECRET}",
        "token": "${WECOM_TOKEN}",
        "aes_key": "${WECOM_AES_KEY}",
    }
    assert (
        wecom_credentials({**ENV, "WECOM_API_BASE": "http://127.0.0.1:1"})["api_base"] == "${WECOM_API_BASE}"
    )


def test_some_variables_are_a_mistake_named_in_the_error():
    with pytest.raises(ValueError, match="WECOM_SECRET, WECOM_TOKEN"):
        wecom_credentials({k: v for k, v in ENV.items() if k not in ("WECOM_SECRET", "WECOM_TOKEN")})


def test_the_credentials_file_adds_the_channel_and_keeps_the_others(monkeypatch, tmp_path):
    monkeypatch.setattr("bot.config.BUILD_DIR", tmp_path)
    path = Assistant(rasa_port=free_port(), env=ENV)._credentials_file()
    text = path.read_text(encoding="utf-8")
    assert ENV["WECOM_SECRET"] not in text and ENV["WECOM_AES_KEY"] not in text
    credentials = yaml.safe_load(text)
    assert {"bot.channels.rest.RestInput", "bot.channels.socketio.SocketIOInput", WECOM_CHANNEL} <= set(
        credentials
    )


def test_rasa_resolves_the_references_and_the_channel_loads(monkeypatch, tmp_path):
    import rasa.shared.utils.io

    from bot.channels.wecom import WeComInput

    monkeypatch.setattr("bot.config.BUILD_DIR", tmp_path)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    path = Assistant(rasa_port=free_port())._credentials_file()
    section = rasa.shared.utils.io.read_config_file(str(path))[WECOM_CHANNEL]
    assert section["secret"] == ENV["WECOM_SECRET"]
    channel = WeComInput.from_credentials(section)
    assert channel.api.agent_id == 1000002 and channel.api.api_base == "https://qyapi.weixin.qq.com"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"secret": ""}, "missing credential.*secret"),
        ({"agent_id": "app-1"}, "numeric AgentId"),
        ({"aes_key": "short"}, "43 characters"),
    ],
)
def test_the_channel_names_what_is_wrong(change, message):
    from rasa.shared.exceptions import RasaException

    from bot.channels.wecom import WeComInput

    credentials = {
        "corp_id": "c",
        "agent_id": "1",
        "secret": "s",
        "token": "t",
        "aes_key": new_aes_key(),
        **change,
    }
    with pytest.raises(RasaException, match=message):
        WeComInput.from_credentials(credentials)
