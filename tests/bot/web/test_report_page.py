"""The curators' report on the web front: only with the operators' token, over the live logbook."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.web.config import WebConfig
from bot.web.server import create_app
from knowledge.logbook import Logbook, utc_now
from tests.bot.web.servers import ThreadedApp
from tests.bot.web.test_faq_api import get
from tests.knowledge.test_report import START, fill

TOKEN = "operators-token-for-tests"  # pragma: allowlist secret


@pytest.fixture
def report_front(tmp_path, monkeypatch, kb_path):
    log_path = tmp_path / "logbook.db"
    monkeypatch.setenv("KB_LOG_PATH", str(log_path))
    monkeypatch.setenv("KB_DB_PATH", str(kb_path))
    book = Logbook(log_path, salt="s", retention=None)
    fill(book, shift=utc_now() - START - timedelta(days=7))  # the fixture week ends now
    book.close()
    with ThreadedApp(create_app(WebConfig(rasa_port=1, db_path=kb_path, report_token=TOKEN))) as server:
        yield server


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/report", {}),
        ("/report?token=wrong", {}),
        ("/report", {"Authorization": "Bearer wrong"}),
        ("/report", {"Authorization": f"Basic {TOKEN}"}),
        ("/report?token=", {}),
    ],
    ids=["no-token", "wrong-query-token", "wrong-bearer", "not-bearer", "empty-token"],
)
def test_the_report_needs_the_token(report_front, path, headers):
    status, _, body = get(report_front.url + path, headers)
    assert status == 401
    assert "令牌" in body["error"] and body["code"] == "report_token"


@pytest.mark.parametrize(
    "path, headers",
    [("/report?days=7", {"Authorization": f"Bearer {TOKEN}"}), (f"/report?days=7&token={TOKEN}", {})],
    ids=["bearer", "query"],
)
def test_the_report_with_the_token_shows_the_figures(report_front, path, headers):
    status, head, body = get(report_front.url + path, headers)
    assert status == 200 and head.get_content_type() == "text/html"
    assert head["Cache-Control"] == "no-store"
    page = body.decode("utf-8")
    assert "18 (11 answered, 7 not answered)" in page and "腰部客户" in page


@pytest.mark.parametrize("days", ["0", "-1", "abc", "99999", ""])
def test_a_bad_period_is_a_400(report_front, days):
    status, _, body = get(f"{report_front.url}/report?days={days}&token={TOKEN}")
    assert status == 400 and body["code"] == "bad_days"


def test_without_a_configured_token_the_report_is_closed(kb_path):
    with ThreadedApp(create_app(WebConfig(rasa_port=1, db_path=kb_path))) as server:
        assert get(f"{server.url}/report?token=")[0] == 401
        assert get(f"{server.url}/report?token=None")[0] == 401
