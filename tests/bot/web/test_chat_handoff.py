"""The handoff in the browser, against the real assistant: a salesperson in the widget asks for a
person, the operators' page shows it, the expert's reply appears in the widget, 结束人工 returns the
assistant. Screenshots go to build/screenshots/."""

from __future__ import annotations

import uuid

import pytest

from bot.api_token import api_token
from knowledge.search import KnowledgeBase
from tests.bot.web.conftest import screenshot
from tests.bot.web.test_chat_assistant import ask, open_chat

pytestmark = pytest.mark.server


def test_an_expert_answers_in_the_widget_from_the_operators_page(assistant, browser, page, page_errors):
    marker = uuid.uuid4().hex[:6]
    question = f"展会上认识的客户{marker}回款很慢，该怎么跟进"
    open_chat(page, assistant)
    ask(page, question, "")
    ask(page, "转人工", "已转给")

    operators = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-CN").new_page()
    operator_errors = []
    operators.on("pageerror", lambda error: operator_errors.append(str(error)))
    operators.goto(f"{assistant.web_url}/operators?token={api_token()}")
    card = operators.locator("article.handoff", has_text=marker)
    card.wait_for()
    assert question in card.inner_text()  # the question and the transcript
    hostile = f"<b>先</b>看回款周期{marker}，账期别超过90天"
    card.locator("textarea").fill(hostile)
    card.locator("button.handoff-send").click()
    card.locator(".handoff-result", has_text="已发送").wait_for()
    card.locator(".turn-expert", has_text=hostile).wait_for()  # shown as text, not markup
    assert card.locator("b").count() == 0
    print(f"screenshot: {screenshot(operators, 'operators')}")

    # the reply appears in the widget, as text
    reply = page.locator(".rw-response", has_text=hostile)
    reply.wait_for()
    assert reply.locator("b").count() == 0
    print(f"screenshot: {screenshot(page, 'chat-handoff')}")

    ask(page, "结束人工", "人工对话已结束")
    entry = KnowledgeBase().get("腰部客户")
    ask(page, "什么是腰部客户", "【腰部客户】")
    assert entry.short in page.locator(".rw-messages-container").inner_text()
    operators.reload()
    operators.locator("#operators-status").wait_for()
    assert operators.locator("article.handoff", has_text=marker).count() == 0
    assert page_errors == [] and operator_errors == []
    operators.context.close()
