"""The files Rasa is started with: endpoints (the action server's port, the tracker store's file)
and credentials (the WeCom channel when all its WECOM_* variables are set), written per Rasa port
into build/ from the templates in bot/; and where the logbook lives when the endpoints keep
conversations in PostgreSQL."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict

import yaml
from sqlalchemy.engine import URL

from knowledge.paths import BUILD_DIR, REPO_ROOT

BOT_DIR = REPO_ROOT / "bot"

WECOM_CHANNEL = "bot.channels.wecom.WeComInput"
# credentials.yml key → environment variable; all five enable the WeCom channel.
WECOM_REQUIRED = {
    "corp_id": "WECOM_CORP_ID",
    "agent_id": "WECOM_AGENT_ID",
    "secret": "WECOM_SECRET",
    "token": "WECOM_TOKEN",
    "aes_key": "WECOM_AES_KEY",
}
WECOM_OPTIONAL = {"api_base": "WECOM_API_BASE"}


def wecom_credentials(env: Dict[str, str]) -> Dict[str, str] | None:
    """The WeCom channel's credentials.yml section when every WECOM_* variable is set, else None.

    Values stay ``${WECOM_…}`` references that Rasa resolves when it reads the file, so no secret is
    written to disk. Some but not all of them set is a mistake worth stopping for.
    """
    present = [name for name in WECOM_REQUIRED.values() if env.get(name)]
    if not present:
        return None
    missing = [name for name in WECOM_REQUIRED.values() if not env.get(name)]
    if missing:
        raise ValueError(f"WeCom is only partly configured: set {', '.join(missing)} too (or none of them)")
    names = {**WECOM_REQUIRED, **{key: name for key, name in WECOM_OPTIONAL.items() if env.get(name)}}
    return {key: f"${{{name}}}" for key, name in names.items()}


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
    """bot/credentials.yml, plus the WeCom channel when the WECOM_* variables of ``env`` are set."""
    credentials = yaml.safe_load((BOT_DIR / "credentials.yml").read_text(encoding="utf-8")) or {}
    wecom = wecom_credentials(env)
    if wecom:
        credentials[WECOM_CHANNEL] = wecom
    path = BUILD_DIR / f"credentials.{rasa_port}.yml"
    _replace(
        path,
        "# Written by bot/config.py from bot/credentials.yml and the WECOM_* variables.\n"
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
