"""The chat page in headless Chromium against a fake Rasa that sends what Rasa never should.

The fake speaks Rasa's socket.io protocol, so the widget behaves exactly as with the
real server; it lets the tests feed hostile bot messages (scripts, event handlers,
``javascript:`` links in markdown, buttons and cards) and see what the widget sent.
"""

from __future__ import annotations

import time
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from bot.web.config import STATIC_DIR, WebConfig
from bot.web.server import create_app
from tests.bot.web.conftest import screenshot
from tests.bot.web.servers import FakeRasa, Message, ThreadedApp
from tests.ports import free_port

STRATEGIC = '/ask_definition{"term": "战略客户"}'
HELP_REPLY: List[Message] = [
    {
        "text": "我可以帮您解释客户管理术语。",
        "quick_replies": [
            {
                "content_type": "text",
                "title": "什么是战略客户",
                "payload": '/ask_definition{"term": "战略客户"}',
            },
        ],
    }
]


def pwn(case: str) -> str:
    """Script that leaves a mark where the test can see it, in this window or another of the origin."""
    return f"void(localStorage.setItem('__pwned','{case}'),window.__pwned='{case}')"


HOSTILE_REPLY: List[Message] = [
    {"text": f"<script>{pwn('script')}</script>"},
    {"text": f'<img src=x onerror="{pwn("img")}">'},
    {"text": f'<a href="javascript:{pwn("raw-anchor")}">原始链接</a>'},
    {"text": f"[点我](javascript:{pwn('markdown')})"},
    {"text": f"[大小写](JaVaScRiPt:{pwn('case')})"},
    {"text": f"[实体](&#106;avascript:{pwn('entity')})"},
    {"text": f"[空白](<java\tscript:{pwn('tab')}>)"},
    {"text": "[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
    {"text": "[VB](vbscript:msgbox)"},
    {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "generic",
                "elements": [
                    {
                        "title": "卡片",
                        "subtitle": "卡片说明",
                        "default_action": {"type": "web_url", "url": f"javascript:{pwn('card')}"},
                        "buttons": [
                            {
                                "type": "web_url",
                                "title": "卡片按钮",
                                "url": f"javascript:{pwn('card-button')}",
                            }
                        ],
                    }
                ],
            },
        }
    },
    {"text": "安全链接：[官网](https://example.com/) [邮件](mailto:sales@example.com) [术语表](/faq)"},
    {
        "text": "按钮在下面，完毕",
        "quick_replies": [
            {"type": "web_url", "title": "脚本按钮", "url": f"javascript:{pwn('button')}"},
            {"content_type": "text", "title": "普通按钮", "payload": "/help"},
        ],
    },
]


def replies(text: str) -> List[Message]:
    if text == "/help":
        return HELP_REPLY
    if text == "hostile":
        return HOSTILE_REPLY
    if text == "删除我的聊天记录":  # as actions/privacy.py ends a confirmed deletion
        return [{"text": "已删除：这段对话的全部记录。"}, {"forgotten": True}]
    return [{"text": f"收到：{text}"}]


class Chat:
    def __init__(self, page_url: str, rasa_url: str, fake: FakeRasa) -> None:
        self.url = page_url
        self.rasa_url = rasa_url
        self.fake = fake


@pytest.fixture
def chat() -> Iterator[Chat]:
    page_port = free_port()
    fake = FakeRasa(allowed_origin=f"http://127.0.0.1:{page_port}", replies=replies)
    with ThreadedApp(fake.app) as rasa:
        app = create_app(WebConfig(rasa_url=rasa.url, forget_delay_ms=300))
        app.router.add_get("/test/unguarded", _unguarded_page)
        with ThreadedApp(app, port=page_port) as front:
            yield Chat(front.url + "/", rasa.url, fake)


def open_chat(page, chat: Chat, path: str = "") -> float:
    """Load the page and wait for the widget's first bot message (the answer to /help); seconds."""
    started = time.perf_counter()
    page.goto(chat.url + path)
    page.locator(".rw-response", has_text="我可以帮您").wait_for()
    return time.perf_counter() - started


def send(page, text: str) -> None:
    box = page.locator("textarea.rw-new-message")
    box.fill(text)
    box.press("Enter")


def wait_until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def marks(page) -> list:
    return page.evaluate("[window.__pwned, localStorage.getItem('__pwned')]")


def test_page_loads_offline_in_chinese_and_connects(page, page_errors, chat):
    requested: List[str] = []
    page.on("request", lambda request: requested.append(request.url))
    seconds = open_chat(page, chat)
    print(f"\nchat page: first bot message {seconds * 1000:.0f} ms after navigation (fake Rasa)")
    assert (
        page.locator("textarea.rw-new-message").get_attribute("placeholder")
        == "请输入问题，例如“什么是腰部客户”"
    )
    assert page.title().startswith("客户管理知识助手")
    assert chat.fake.texts() == ["/help"]
    # Nothing but the page's own server and Rasa: no CDN, no web font.
    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlsplit(chat.url).netloc, urlsplit(chat.rasa_url).netloc}, requested
    assert page_errors == []
    assert page.locator("#chat-status").is_hidden()


def test_an_unreachable_assistant_is_explained(page, web_front):
    """The FAQ fixture's front points at a port where nothing listens."""
    page.goto(f"{web_front.url}/")
    status = page.locator("#chat-status")
    status.wait_for()
    assert "暂时连不上助手" in status.inner_text()
    assert page.locator("#chat-status a, #chat-status script").count() == 0


def test_hostile_bot_messages_show_as_text_and_run_nothing(page, page_errors, chat):
    open_chat(page, chat)
    send(page, "hostile")
    page.locator(".rw-message", has_text="完毕").wait_for()
    page.locator(".rw-carousel-card").first.wait_for()

    # HTML arrives as text: visible literally, never parsed into elements.
    messages = page.locator(".rw-messages-container")
    assert f"<script>{pwn('script')}</script>" in messages.inner_text()
    assert '<img src=x onerror="' in messages.inner_text()
    assert messages.locator("script, img[onerror], iframe, object").count() == 0

    # Every remaining link is http, https or mailto (relative links resolve to http).
    anchors = page.evaluate(
        "Array.from(document.querySelectorAll('a[href]')).map(a => [a.getAttribute('href'), a.protocol])"
    )
    assert anchors, "the safe links must stay links"
    assert all(protocol in ("http:", "https:", "mailto:") for _, protocol in anchors), anchors
    hrefs = {href for href, _ in anchors}
    assert {"https://example.com/", "mailto:sales@example.com", "/faq"} <= hrefs

    # The script links were rendered as anchors and disarmed; clicking them does nothing.
    blocked = page.locator("a.link-blocked")
    # markdown: plain, upper case, entity, tab, data:, vbscript:; card: image, title, subtitle, button;
    # the quick-reply link button.
    assert blocked.count() == 11
    assert page.locator(".rw-reply.link-blocked", has_text="脚本按钮").count() == 1
    for i in range(blocked.count()):
        blocked.nth(i).click(force=True)
        click_in_this_window(blocked.nth(i))
    time.sleep(0.5)
    assert marks(page) == [None, None]
    assert page_errors == []
    print(f"\nscreenshot: {screenshot(page, 'chat-hostile-messages')}")


async def _unguarded_page(request: web.Request) -> web.Response:
    """The chat page without guard.js; with ``?csp=0`` also without the Content-Security-Policy."""
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    html = html.replace('<script src="/static/guard.js"></script>', "")
    headers = {}
    if request.query.get("csp") == "0":
        headers["Content-Security-Policy"] = "default-src * data: 'unsafe-inline' 'unsafe-eval'"
    return web.Response(text=html, content_type="text/html", headers=headers)


def click_in_this_window(link) -> None:
    """Follow a link in the page's own window, as a browser or widget setting without target=_blank would.

    The widget opens links in a new window with rel=noopener, where this Chromium does not
    run javascript: URLs; other browsers and the widget's link-target setting differ.
    """
    link.evaluate("a => { a.removeAttribute('target'); a.click(); }")


def test_without_the_guard_the_widget_renders_script_links_that_run(page, chat):
    """The hole the guard closes is real: rasa-webchat alone keeps javascript: hrefs, and they run."""
    open_chat(page, chat, "test/unguarded?csp=0")
    send(page, "hostile")
    page.locator(".rw-message", has_text="完毕").wait_for()
    link = page.locator(".rw-markdown a", has_text="点我")
    assert link.get_attribute("href").startswith("javascript:")
    click_in_this_window(link)
    assert wait_until(lambda: marks(page) == ["markdown", "markdown"]), marks(page)


def test_the_content_security_policy_alone_stops_script_links(page, chat):
    """Second line: even if the guard missed a link, the page's CSP does not let it run."""
    open_chat(page, chat, "test/unguarded")
    send(page, "hostile")
    page.locator(".rw-message", has_text="完毕").wait_for()
    link = page.locator(".rw-markdown a", has_text="点我")
    assert link.get_attribute("href").startswith("javascript:")
    click_in_this_window(link)
    time.sleep(1)
    assert marks(page) == [None, None]


COMPOSING_ENTER = """([composing, keyCode]) => {
  const box = document.querySelector('textarea.rw-new-message');
  box.focus();
  box.dispatchEvent(new KeyboardEvent('keydown', {
    key: 'Enter', code: 'Enter', keyCode, which: keyCode, isComposing: composing,
    bubbles: true, cancelable: true,
  }));
}"""


@pytest.mark.parametrize("composing,key_code", [(True, 13), (True, 229), (False, 229)])
def test_enter_that_confirms_an_input_method_candidate_does_not_send(page, chat, composing, key_code):
    open_chat(page, chat)
    box = page.locator("textarea.rw-new-message")
    box.fill("什么是腰部")
    page.evaluate(COMPOSING_ENTER, [composing, key_code])
    time.sleep(0.8)
    assert chat.fake.texts() == ["/help"]
    assert box.input_value() == "什么是腰部"
    # The same keydown outside a composition sends: the test above could have failed.
    page.evaluate(COMPOSING_ENTER, [False, 13])
    assert wait_until(lambda: chat.fake.texts() == ["/help", "什么是腰部"]), chat.fake.texts()
    assert box.input_value() == ""


def test_quick_reply_sends_its_payload(page, chat):
    open_chat(page, chat)
    page.locator(".rw-reply", has_text="什么是战略客户").click()
    assert wait_until(lambda: chat.fake.texts()[-1:] == ['/ask_definition{"term": "战略客户"}']), (
        chat.fake.texts()
    )
    page.locator(".rw-client", has_text="什么是战略客户").wait_for()


def test_the_conversation_survives_a_reload(page, chat):
    open_chat(page, chat)
    send(page, "第一条消息")
    page.locator(".rw-response", has_text="收到：第一条消息").wait_for()
    page.reload()
    page.locator(".rw-response", has_text="收到：第一条消息").wait_for()
    assert page.locator(".rw-client", has_text="第一条消息").count() == 1
    assert wait_until(lambda: len(chat.fake.sessions) == 2)
    assert chat.fake.sessions[0] == chat.fake.sessions[1], "the same session is asked for again"
    assert chat.fake.texts() == ["/help", "第一条消息"], "no second greeting"


def test_after_a_deletion_the_browsers_copy_goes_too(page, page_errors, chat):
    open_chat(page, chat)
    send(page, "第一条消息")
    page.locator(".rw-response", has_text="收到：第一条消息").wait_for()
    assert "第一条消息" in page.evaluate("localStorage.getItem('chat_session')")
    send(page, "删除我的聊天记录")
    page.locator("#chat-status", has_text="聊天记录已删除").wait_for(timeout=10_000)
    assert wait_until(lambda: len(set(chat.fake.sessions)) == 2), "a new session, not the deleted one"
    assert page.locator(".rw-client", has_text="第一条消息").count() == 0
    assert page.locator(".rw-response", has_text="收到：第一条消息").count() == 0
    assert "第一条消息" not in (page.evaluate("localStorage.getItem('chat_session')") or "")
    send(page, "第二条消息")  # the new conversation goes on
    page.locator(".rw-response", has_text="收到：第二条消息").wait_for()
    assert page_errors == []
