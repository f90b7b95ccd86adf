"""Where the action servers and the web front keep the logbook: with the production endpoints, in
their PostgreSQL (one logbook for every server); otherwise in the SQLite file."""

from __future__ import annotations

import pytest

from bot.config import BOT_DIR, logbook_url
from bot.processes import Assistant

PRODUCTION = BOT_DIR / "endpoints.production.yml"
DB = {"DB_HOST": "10.0.0.5", "DB_PORT": "5432", "DB_NAME": "rasa", "DB_USER": "rasa"}
DB["DB_PASSWORD"] = "p@ss:w/rd"


def test_the_production_endpoints_put_the_logbook_in_their_database():
    url = logbook_url(PRODUCTION, DB)
    assert url == "postgresql://rasa:p%40ss%3Aw%2Frd@10.0.0.5:5432/rasa"


@pytest.mark.parametrize("missing", ["DB_HOST", "DB_NAME", "DB_USER"])
def test_a_missing_value_leaves_the_logbook_where_it_was(missing):
    assert logbook_url(PRODUCTION, {k: v for k, v in DB.items() if k != missing}) is None


def test_the_default_endpoints_keep_the_sqlite_logbook():
    assert logbook_url(BOT_DIR / "endpoints.yml", DB) is None


def test_the_processes_get_it_unless_kb_log_url_says_otherwise(monkeypatch):
    monkeypatch.delenv("KB_LOG_URL", raising=False)
    production = Assistant(rasa_port=1, actions_port=2, endpoints=PRODUCTION, env=DB)
    assert production._environment()["KB_LOG_URL"] == logbook_url(PRODUCTION, DB)
    chosen = Assistant(rasa_port=1, actions_port=2, endpoints=PRODUCTION, env={**DB, "KB_LOG_URL": "x://y"})
    assert chosen._environment()["KB_LOG_URL"] == "x://y"
    assert "KB_LOG_URL" not in Assistant(rasa_port=1, actions_port=2, env=DB)._environment()
