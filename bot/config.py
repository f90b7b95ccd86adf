"""The files Rasa is started with: endpoints (the action server's port, the tracker store's file)
and credentials (each messaging-app channel when all its variables are set: WECOM_*, DINGTALK_*,
FEISHU_*), written per Rasa port into build/ from the templates in bot/; and where the logbook lives
when the endpoints keep conversations in PostgreSQL."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import yaml
from sqlalchemy.engine import URL

from knowledge.paths import BUILD_DIR, REPO_ROOT

BOT_DIR = REPO_ROOT / "bot"


@dataclass(frozen=True)
class Connector:
    """A messaging-app channel the launcher adds to credentials.yml when its variables are set."""

    label: str  # as people call the platform, for messages
    channel: str  # the input channel's class, as credentials.yml names it
    url_name: str  # its webhook path: /webhooks/<url_name>/callback
    required: Dict[str, str]  # credentials.yml key → environment variable; all of them turn it on
    optional: Dict[str, str]

    def credentials(self, env: Dict[str, str]) -> Dict[str, str] | None:
        """The channel's credentials.yml section when every required variable is set, else None.

        Values stay ``${NAME}`` references that Rasa resolves when it reads the file, so no secret is
        written to disk. Some but not all of them set is a mistake worth stopping for.
        """
        present = [name for name in self.required.values() if env.get(name)]
        if not present:
            return None
        missing = [name for name in self.required.values() if not env.get(name)]
        if missing:
            raise ValueError(
                f"{self.label} is only partly configured: set {', '.join(missing)} too (or none of them)"
            )
        names = {**self.required, **{key: name for key, name in self.optional.items() if env.get(name)}}
        return {key: f"${{{name}}}" for key, name in names.items()}


WECOM = Connector(
    label="WeCom",
    channel="bot.channels.wecom.WeComInput",
    url_name="wecom",
    required={
        "corp_id": "WECOM_CORP_ID",
        "agent_id": "WECOM_AGENT_ID",
        "secret": "WECOM_SECRET",
        "token": "WECOM_TOKEN",
        "aes_key": "WECOM_AES_KEY",
    },
    optional={"api_base": "WECOM_API_BASE"},
)
DINGTALK = Connector(
    label="DingTalk",
    channel="bot.channels.dingtalk.DingTalkInput",
    url_name="dingtalk",
    required={"app_key": "DINGTALK_APP_KEY", "app_secret": "DINGTALK_APP_SECRET"},
    optional={"robot_code": "DINGTALK_ROBOT_CODE", "api_base": "DINGTALK_API_BASE"},
)
FEISHU = Connector(
    label="Feishu",
    channel="bot.channels.feishu.FeishuInput",
    url_name="feishu",
    required={
        "app_id": "FEISHU_APP_ID",
        "app_secret": "FEISHU_APP_SECRET",
        "verification_token": "FEISHU_VERIFICATION_TOKEN",
    },
    optional={"encrypt_key": "FEISHU_ENCRYPT_KEY", "api_base": "FEISHU_API_BASE"},
)
CONNECTORS = (WECOM, DINGTALK, FEISHU)

WECOM_CHANNEL, WECOM_REQUIRED, WECOM_OPTIONAL = WECOM.channel, WECOM.required, WECOM.optional


def wecom_credentials(env: Dict[str, str]) -> Dict[str, str] | None:
    """The WeCom channel's credentials.yml section when every WECOM_* variable is set, else None."""
    return WECOM.credentials(env)


def enabled_connectors(env: Dict[str, str]) -> List[Connector]:
    """The messaging-app channels whose variables are all set in ``env`` (ValueError if partly)."""
    return [connector for connector in CONNECTORS if connector.credentials(env) is not None]


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole in one step (a new file renamed over the old one): Rasa never reads half
    of it, and whoever wrote the file before can tell it is no longer theirs (another inode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def endpoints_file(template: Path, rasa_port: int, actions_port: int, tracker_db: Path) -> Path:
    """``template`` with the action server's URL and, for the SQLite tracker store, its file."""
    endpoints = yaml.safe_load(template.read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    if endpoints.get("tracker_store", {}).get("type") == "bot.stores.SQLiteTrackerStore":
        endpoints["tracker_store"]["db"] = str(tracker_db)
    path = BUILD_DIR / f"endpoints.{rasa_port}.yml"
    _replace(path, yaml.safe_dump(endpoints, allow_unicode=True))
    return path


def credentials_file(rasa_port: int, env: Dict[str, str]) -> Path:
    """bot/credentials.yml, plus each messaging-app channel whose variables of ``env`` are all set."""
    credentials = yaml.safe_load((BOT_DIR / "credentials.yml").read_text(encoding="utf-8")) or {}
    for connector in CONNECTORS:
        section = connector.credentials(env)
        if section:
            credentials[connector.channel] = section
    path = BUILD_DIR / f"credentials.{rasa_port}.yml"
    _replace(
        path,
        "# Written by bot/config.py from bot/credentials.yml and the messaging apps' variables.\n"
        + yaml.safe_dump(credentials, allow_unicode=True),
    )
    return path


_REFERENCE = re.compile(r"\$\{(\w+)\}")


def logbook_url(template: Path, env: Dict[str, str]) -> str | None:
    """The logbook's database when ``template`` keeps conversations in PostgreSQL (the production
    endpoints): the same database, its tables beside Rasa's, so that every action server writes to
    one logbook. Built from the tracker store's values with their ``${NAME}`` taken from ``env``;
    None for another store or when a value is missing."""
    store = (yaml.safe_load(template.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
    if store.get("dialect") != "postgresql":
        return None
    values = {}
    for key in ("url", "port", "db", "username", "password"):
        values[key] = _REFERENCE.sub(lambda m: env.get(m.group(1), ""), str(store.get(key) or "")).strip()
    if not all(values[key] for key in ("url", "db", "username")):
        return None
    url = URL.create(
        "postgresql",
        username=values["username"],
        password=values["password"] or None,
        host=values["url"],
        port=int(values["port"]) if values["port"] else None,
        database=values["db"],
    )
    return url.render_as_string(hide_password=False)


# Where people open the web front (the customer-list page's link in the chat and in WeCom); the
# launcher sets it to its own web front unless it is set (behind a proxy: https://sales.example.com).
WEB_PUBLIC_URL_VARIABLE = "WEB_PUBLIC_URL"


def customer_list_url(env: Dict[str, str] | None = None) -> str:
    """The address of the customer-list page, /portfolio on the public web front."""
    env = os.environ if env is None else env
    base = (env.get(WEB_PUBLIC_URL_VARIABLE) or "http://localhost:8080").rstrip("/")
    return f"{base}/portfolio"
