"""The FAQ page in headless Chromium: every term listed, search as you type, hostile queries."""

from __future__ import annotations

import time

import pytest

from knowledge.search import KnowledgeBase
from tests.bad_inputs import BAD_TEXTS
from tests.bot.web.conftest import screenshot


def open_faq(page, web_front, query: str = "") -> float:
    started = time.perf_counter()
    page.goto(f"{web_front.url}/faq" + (f"?q={query}" if query else ""))
    page.locator("body[data-ready=true]").wait_for()
    return time.perf_counter() - started


def visible_terms(page) -> list:
    return page.locator(".faq-entry:visible .faq-term a").all_inner_texts()


def type_query(page, text: str) -> None:
    box = page.locator("#faq-query")
    box.fill("")
    box.type(text, delay=20)


def test_every_term_with_short_answer_full_answer_and_sources(page, page_errors, web_front):
    seconds = open_faq(page, web_front)
    print(f"\nFAQ page: all terms shown {seconds * 1000:.0f} ms after navigation")
    entries = KnowledgeBase().entries()
    assert len(visible_terms(page)) == len(entries)
    assert page.locator("#faq-status").inner_text() == f"共 {len(entries)} 个术语。"
    waist = page.locator("article#waist_customer")
    entry = KnowledgeBase().get("腰部客户")
    assert waist.locator(".faq-short").inner_text() == entry.short
    assert "来源：" in waist.locator(".faq-sources").inner_text()
    assert waist.locator(".faq-sources cite").count() == len(entry.sources)
    # The full answer opens on demand.
    assert not waist.locator(".faq-full p").first.is_visible()
    waist.locator(".faq-full summary").click()
    assert entry.answer.split("\n")[0].strip() in waist.locator(".faq-full").inner_text()
    assert page_errors == []


def test_search_as_you_type(page, page_errors, web_front):
    open_faq(page, web_front)
    type_query(page, "要部客户")  # a typo: the search finds 腰部客户 first
    page.locator("#faq-status", has_text="找到").wait_for()
    page.wait_for_url("**/faq?q=*")
    assert visible_terms(page)[0] == "腰部客户"
    type_query(page, "腰部客戶是什麼意思")  # traditional script
    page.locator("#faq-status", has_text="找到").wait_for()
    assert visible_terms(page)[0] == "腰部客户"
    print(f"\nscreenshot: {screenshot(page, 'faq-search')}")
    type_query(page, "火星上的天气")
    page.locator("#faq-status", has_text="没有找到").wait_for()
    assert visible_terms(page) == []
    page.locator("#faq-query").fill("")
    page.locator("#faq-status", has_text="共").wait_for()
    assert len(visible_terms(page)) == len(KnowledgeBase().entries())
    assert page_errors == []


def test_a_search_link_opens_with_its_results(page, web_front):
    open_faq(page, web_front, "KAM")
    page.locator("#faq-status", has_text="找到").wait_for()
    assert page.locator("#faq-query").input_value() == "KAM"
    assert visible_terms(page)[0] == KnowledgeBase().get("KAM").term


BROWSER_BAD_TEXTS = [
    (case, text)
    for case, text in BAD_TEXTS
    if case
    in {"html-script", "html-img", "markdown-js-link", "sql-drop", "fts-syntax", "jinja", "emoji-only"}
]


@pytest.mark.parametrize("case,text", BROWSER_BAD_TEXTS, ids=[c for c, _ in BROWSER_BAD_TEXTS])
def test_hostile_searches_show_a_message_and_run_nothing(page, page_errors, web_front, case, text):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_faq(page, web_front)
    type_query(page, text)
    page.locator("#faq-status", has_text="找到").wait_for()  # 找到 … or 没有找到 …
    assert dialogs == [], "alert() ran"
    assert page.locator("main script, main img").count() == 0
    assert page_errors == []


def test_an_over_long_search_is_explained(page, web_front):
    open_faq(page, web_front)
    page.locator("#faq-query").evaluate("box => box.removeAttribute('maxlength')")
    page.locator("#faq-query").fill("腰部客户" * 60)
    page.locator("#faq-status", has_text="问题太长了").wait_for()
    assert visible_terms(page) == []
