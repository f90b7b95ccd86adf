"""Turning the DingTalk and Feishu channels on: the launcher's credentials sections (all variables or
none, the missing ones named) and the channels' own checks."""

from __future__ import annotations

import pytest
import yaml

from bot.config import CONNECTORS, DINGTALK, FEISHU, enabled_connectors
from bot.processes import Assistant
from tests.ports import free_port

ENV = {
    "DINGTALK_APP_KEY": "dingkey",
    "DINGTALK_APP_SECRET": "ding-s3cret",
    "FEISHU_APP_ID": "cli_x",
    "FEISHU_APP_SECRET": "feishu-s3cret",
    "FEISHU_VERIFICATION_TOKEN": "vtok",
}


def test_no_variables_no_channels():
    assert enabled_connectors({"PATH": "/usr/bin"}) == []


def test_all_variables_give_references_not_secrets():
    assert DINGTALK.credentials(ENV) == {
        "app_key": "${DINGTALK_APP_KEY}",
        "app_secret": "${DINGTALK_APP_SECRET}",
    }
    assert FEISHU.credentials({**ENV, "FEISHU_ENCRYPT_KEY": "k"}) == {
        "app_id": "${FEISHU_APP_ID}",
        "app_secret": "${FEISHU_APP_SECRET}",
        "verification_token": "${FEISHU_VERIFICATION_TOKEN}",
        "encrypt_key": "${FEISHU_ENCRYPT_KEY}",
    }
    assert [c.label for c in enabled_connectors(ENV)] == ["DingTalk", "Feishu"]


@pytest.mark.parametrize(
    "unset, named",
    [
        (["DINGTALK_APP_SECRET"], "DingTalk .*DINGTALK_APP_SECRET"),
        (["FEISHU_VERIFICATION_TOKEN"], "Feishu .*FEISHU_VERIFICATION_TOKEN"),
    ],
)
def test_some_variables_are_a_mistake_named_in_the_error(unset, named):
    with pytest.raises(ValueError, match=named):
        enabled_connectors({k: v for k, v in ENV.items() if k not in unset})


def test_an_optional_variable_alone_turns_nothing_on():
    assert enabled_connectors({"FEISHU_ENCRYPT_KEY": "k", "DINGTALK_API_BASE": "http://x"}) == []


def test_the_credentials_file_adds_the_channels_and_keeps_the_others(monkeypatch, tmp_path):
    monkeypatch.setattr("bot.config.BUILD_DIR", tmp_path)
    text = Assistant(rasa_port=free_port(), env=ENV)._credentials_file().read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert {"bot.channels.rest.RestInput", DINGTALK.channel, FEISHU.channel} <= set(yaml.safe_load(text))


def test_rasa_resolves_the_references_and_the_channels_load(monkeypatch, tmp_path):
    import rasa.shared.utils.io

    from bot.channels.dingtalk import DingTalkInput
    from bot.channels.feishu import FeishuInput

    monkeypatch.setattr("bot.config.BUILD_DIR", tmp_path)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    config = rasa.shared.utils.io.read_config_file(str(Assistant(rasa_port=free_port())._credentials_file()))
    dingtalk = DingTalkInput.from_credentials(config[DINGTALK.channel])
    assert (dingtalk.api.robot_code, dingtalk.api.api_base) == ("dingkey", "https://api.dingtalk.com")
    feishu = FeishuInput.from_credentials(config[FEISHU.channel])
    assert (feishu.callback.encrypt_key, feishu.api.api_base) == ("", "https://open.feishu.cn")


@pytest.mark.parametrize(
    "channel, credentials, message",
    [
        ("dingtalk", {"app_key": "k"}, "DingTalk channel: missing credential.*app_secret"),
        (
            "feishu",
            {"app_id": "a", "app_secret": "s"},
            "Feishu channel: missing credential.*verification_token",
        ),
    ],
)
def test_the_channels_name_what_is_missing(channel, credentials, message):
    from rasa.shared.exceptions import RasaException

    from bot.channels.dingtalk import DingTalkInput
    from bot.channels.feishu import FeishuInput

    with pytest.raises(RasaException, match=message):
        (DingTalkInput if channel == "dingtalk" else FeishuInput).from_credentials(credentials)


def test_every_connector_has_its_own_url_and_variables():
    names = [c.url_name for c in CONNECTORS]
    variables = [v for c in CONNECTORS for v in [*c.required.values(), *c.optional.values()]]
    assert len(set(names)) == len(names) and len(set(variables)) == len(variables)
