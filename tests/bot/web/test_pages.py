"""The pages over HTTP: configuration from the server, security headers, the offline widget bundle."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from bot.web.config import WIDGET_BUNDLE, WebConfig
from bot.web.server import create_app
from tests.bot.web.servers import ThreadedApp
from tests.bot.web.test_faq_api import get


def page_config(url: str, host: str | None = None) -> dict:
    status, headers, body = get(f"{url}/config.js", {"Host": host} if host else None)
    assert status == 200
    assert headers.get_content_type() == "application/javascript"
    prefix, suffix = "window.ASSISTANT_CONFIG = ", ";\n"
    text = body.decode("utf-8")
    assert text.startswith(prefix) and text.endswith(suffix)
    return json.loads(text[len(prefix) : -len(suffix)])


def test_socket_url_follows_the_host_the_page_was_loaded_from():
    with ThreadedApp(create_app(WebConfig(rasa_port=5123))) as server:
        assert page_config(server.url)["socketUrl"] == "http://127.0.0.1:5123"
        assert page_config(server.url, "localhost:8080")["socketUrl"] == "http://localhost:5123"
        assert page_config(server.url, "[::1]:8080")["socketUrl"] == "http://[::1]:5123"
        # A forged Host header never puts anything but a host name into the page.
        for forged in ('evil"};alert(1);//', "a b", "x/y", "<script>", "[::1", "h:1:2:x"):
            assert re.fullmatch(r"http://[A-Za-z0-9.\-]+:5123", page_config(server.url, forged)["socketUrl"])


def test_a_configured_rasa_url_is_used_as_given():
    with ThreadedApp(create_app(WebConfig(rasa_url="https://bot.example.com:443/"))) as server:
        config = page_config(server.url)
        _, headers, _ = get(f"{server.url}/")
    assert config["socketUrl"] == "https://bot.example.com:443"
    assert (
        "connect-src 'self' https://bot.example.com:443 wss://bot.example.com:443"
        in headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize("url", ["ftp://x:1", "localhost:5005", "http://", "http://h:1/path", "javascript:x"])
def test_a_bad_rasa_url_is_refused_at_start(url):
    with pytest.raises(ValueError):
        WebConfig(rasa_url=url)


def test_widget_texts_are_chinese(web_front):
    texts = page_config(web_front.url)["texts"]
    assert texts["input_hint"].startswith("请输入") and texts["title"] == "客户管理知识助手"


PATHS = ["/", "/faq", "/portfolio", "/config.js", "/static/site.css", "/static/portfolio.js", "/api/glossary"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(web_front, path):
    status, headers, _ = get(web_front.url + path)
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_chinese_and_load_only_local_scripts(web_front):
    for path in ("/", "/faq", "/portfolio"):
        _, _, html = get(web_front.url + path)
        html = html.decode("utf-8")
        assert '<html lang="zh-CN">' in html
        assert "http://" not in html and "https://" not in html, "the page must not load anything remote"


def test_the_widget_bundle_is_served_without_its_remote_font(web_front):
    status, headers, body = get(f"{web_front.url}/vendor/rasa-webchat.js")
    assert status == 200
    assert headers.get_content_type() == "application/javascript"
    assert b"fonts.googleapis.com" not in body
    assert b"fonts.googleapis.com" in WIDGET_BUNDLE.read_bytes()
    assert len(body) > 500_000  # the whole UMD bundle
    assert get(f"{web_front.url}/vendor/rasa-webchat.js", {"If-None-Match": headers["ETag"]})[0] == 304
    _, zipped_headers, zipped = get(f"{web_front.url}/vendor/rasa-webchat.js", {"Accept-Encoding": "gzip"})
    assert zipped_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped) == body and len(zipped) < len(body) / 2


@pytest.mark.parametrize(
    "path", ["/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fconfig.py", "/node_modules/"]
)
def test_nothing_outside_the_static_folder_is_served(web_front, path):
    status, _, body = get(web_front.url + path)
    assert status in (403, 404)
    assert b"import" not in (body if isinstance(body, bytes) else b"")


def test_health(web_front):
    assert get(f"{web_front.url}/healthz")[2] == {"status": "ok"}
