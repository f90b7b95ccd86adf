"""Web front figures: chat and FAQ page load, time from Enter to the answer in the widget,
and FAQ API latency.

Run with `make bench` (or `python -m tests.benchmarks.web_bench`); it starts its own
assistant with the web front on free ports, drives Debian's Chromium headless, and
stops everything afterwards.
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import List

from playwright.sync_api import sync_playwright

from knowledge.search import KnowledgeBase
from tests.benchmarks.stats import summary
from tests.bot.servers import running, scratch
from tests.bot.web.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.ports import free_port

QUESTIONS = ["什么是{}", "{}是什么意思", "請問{}的定義", "{}怎么维护"]
ODD = ["要部客户是啥", "站略客户", "黄今客户", "今天天气怎么样", "区块链是什么", "<script>x</script>", "价值"]
CHAT = [
    ("什么是腰部客户", "【腰部客户】"),
    ("那怎么维护这类客户", "【腰部客户】"),
    ("KAM是什么", "【"),
    ("战略客户是什么意思", "【战略客户】"),
    ("要部客户是啥", "【腰部客户】"),
    ("白金客户", "【白金客户】"),
]


def faq_queries(count: int) -> List[str]:
    names = [name for entry in KnowledgeBase().entries() for name in entry.names]
    pool = [q.format(n) for n in names for q in QUESTIONS] + ODD
    return [pool[(i * 7919) % len(pool)] for i in range(count)]


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        json.loads(response.read())
    return (time.perf_counter() - started) * 1000


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, running(scratch(Path(tmp), web_port=free_port())) as assistant:
        print(f"start-up until the three servers answer: {time.perf_counter() - started:.1f} s")
        base = assistant.web_url
        queries = faq_queries(200)
        timed_get(f"{base}/api/faq?q=warm")
        faq = [timed_get(f"{base}/api/faq?" + urllib.parse.urlencode({"q": q})) for q in queries]
        print(f"FAQ API, {len(queries)} queries: {summary(faq)}")
        glossary = [timed_get(f"{base}/api/glossary") for _ in range(20)]
        print(f"glossary API (every entry): {summary(glossary)}")
        browser_figures(base)


def browser_figures(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        loads, greetings, faq_pages, answers = [], [], [], []
        for _ in range(5):
            context = browser.new_context()  # empty storage: a first visit
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/", wait_until="load")
            loads.append((time.perf_counter() - started) * 1000)
            page.locator(".rw-response", has_text="我可以帮您").wait_for(timeout=30_000)
            greetings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            page.goto(f"{base}/faq")
            page.locator("body[data-ready=true]").wait_for(timeout=30_000)
            faq_pages.append((time.perf_counter() - started) * 1000)
            context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/")
        page.locator(".rw-response", has_text="我可以帮您").wait_for(timeout=30_000)
        box = page.locator("textarea.rw-new-message")
        for _ in range(2):
            for question, expected in CHAT:
                before = page.locator(".rw-response").count()
                box.fill(question)
                started = time.perf_counter()
                box.press("Enter")
                page.locator(".rw-response").nth(before).wait_for(timeout=30_000)
                answers.append((time.perf_counter() - started) * 1000)
                page.locator(".rw-response", has_text=expected).last.wait_for(timeout=30_000)
                time.sleep(0.5)  # let the rest of the reply arrive before the next question
        context.close()
        browser.close()
    print(f"chat page load (load event): {summary(loads)}")
    print(f"chat page until the greeting is shown (socket.io + Rasa): {summary(greetings)}")
    print(f"FAQ page until every term is listed: {summary(faq_pages)}")
    print(f"widget, Enter to the first answer message shown: {summary(answers)}")


if __name__ == "__main__":
    main()
