"""The chat page against the real assistant: a Chinese question, the curated answer, quick replies.

Uses the session's ``assistant`` (action server, Rasa and the web front on free ports)
and opens the page as a person would, at the URL the launcher prints.
"""

from __future__ import annotations

import time

import pytest

from knowledge.search import KnowledgeBase
from tests.bot.web.conftest import screenshot

pytestmark = pytest.mark.server


def open_chat(page, assistant) -> float:
    started = time.perf_counter()
    page.goto(f"{assistant.web_url}/")
    page.locator(".rw-response", has_text="我可以帮您").wait_for()  # the greeting (/help) of a new session
    return time.perf_counter() - started


def ask(page, text: str, expected: str) -> float:
    """Type a question, press Enter and wait for a bot message containing ``expected``; seconds."""
    box = page.locator("textarea.rw-new-message")
    box.press_sequentially(text)
    started = time.perf_counter()
    box.press("Enter")
    page.locator(".rw-response", has_text=expected).last.wait_for()
    return time.perf_counter() - started


def test_question_in_chinese_gets_the_curated_answer_and_a_quick_reply_works(assistant, page, page_errors):
    loaded = open_chat(page, assistant)
    entry = KnowledgeBase().get("腰部客户")
    answered = ask(page, "什么是腰部客户", "【腰部客户】")
    print(f"\nchat page: greeting after {loaded * 1000:.0f} ms, answer {answered * 1000:.0f} ms after Enter")
    # Rasa sends each paragraph as a message: the source and the buttons come with the second.
    page.locator(".rw-response", has_text="来源：").wait_for()
    assert entry.short in page.locator(".rw-messages-container").inner_text()
    print(f"screenshot: {screenshot(page, 'chat-answer')}")

    # The answer's buttons are quick replies; one shows the full text.
    page.locator(".rw-reply", has_text="查看全文").click()
    first_paragraph = entry.answer.strip().split("\n")[0][:30]
    page.locator(".rw-response", has_text=first_paragraph).wait_for()
    assert page.locator(".rw-client", has_text="查看全文").count() == 1
    page.locator(".rw-response", has_text="来源：").nth(1).wait_for()  # the full text's last message
    print(f"screenshot: {screenshot(page, 'chat')}")
    assert page_errors == []


def test_did_you_mean_choices_are_buttons(assistant, page):
    open_chat(page, assistant)
    ask(page, "价值是什么", "您想问的是哪一个")
    choices = page.locator(".rw-replies").last.locator(".rw-reply")
    assert choices.count() >= 2
    term = choices.first.inner_text()
    choices.first.click()
    page.locator(".rw-response", has_text=f"【{term}】").wait_for()


def test_the_conversation_with_rasa_survives_a_reload(assistant, page):
    open_chat(page, assistant)
    ask(page, "KAM是什么", "【")
    page.locator(".rw-response", has_text="来源：").wait_for()  # the answer's last message
    before = page.locator(".rw-message").count()
    page.reload()
    page.locator(".rw-response", has_text="来源：").wait_for()
    assert page.locator(".rw-message").count() == before
    # Rasa still knows the conversation: a follow-up is about the same term.
    ask(page, "详细说说", "【" + KnowledgeBase().get("KAM").term + "】")
