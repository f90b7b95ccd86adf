"""The customer-list page in headless Chromium: upload a GBK csv, see the analysis at its private
link, download the export, delete it (bot/web/static/portfolio.html, portfolio.js)."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
import requests

from bot.web.config import WebConfig
from bot.web.server import create_app
from tests.bot.web.conftest import screenshot
from tests.bot.web.servers import ThreadedApp
from tests.knowledge.portfolio_files import write

ROWS = [
    ["客户名称", "年采购额（万元）", "毛利（万元）", "增长率"],
    ["甲公司", 800, 200, "25%"],
    ['<img src=x onerror="window.hacked=1">', 600, 90, "10%"],
    ["丙公司", 50, 5, "30%"],
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ThreadedApp]:
    config = WebConfig(rasa_port=1, portfolio_dir=tmp_path_factory.mktemp("portfolio"))
    with ThreadedApp(create_app(config)) as running:
        yield running


def test_upload_see_download_delete(server, page, page_errors, tmp_path):
    page.goto(f"{server.url}/portfolio")
    page.set_input_files("#portfolio-file", str(write(tmp_path, "gbk_csv", ROWS)))
    page.click("button[type=submit]")
    page.wait_for_selector("#portfolio-result:not([hidden])")
    assert not page.is_visible("#portfolio-form")  # the result replaces the form
    assert re.fullmatch(r"/portfolio/[A-Za-z0-9_-]{32}", page.evaluate("location.pathname"))
    cells = page.locator("#portfolio-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[:4] == ["2", "甲公司", "1", "白金客户"]
    assert page.locator("#portfolio-table tbody tr").nth(1).locator("td").nth(1).inner_text() == ROWS[2][0]
    assert page.evaluate("window.hacked") is None  # the name was shown as text
    assert "80%" in page.inner_text("#portfolio-pareto")
    assert "黄金客户" in page.inner_text("#portfolio-strategies")
    print(f"\nscreenshot: {screenshot(page, 'portfolio-result')}")

    link = page.evaluate("location.href")
    with page.expect_download() as download:
        page.click("#portfolio-csv")
    assert download.value.path().read_bytes().startswith(b"\xef\xbb\xbf")

    page.click("#portfolio-delete")
    page.wait_for_selector("#portfolio-form", state="visible")
    assert page.inner_text("#portfolio-status") == "分析结果已删除。"
    page.goto(link)
    page.wait_for_function("document.getElementById('portfolio-status').textContent.includes('已过期删除')")
    assert page_errors == []


def test_the_columns_can_be_corrected_and_the_list_analysed_again(server, page, page_errors, tmp_path):
    rows = [["客户名称", "年采购额（万元）", "增长率", "Trend"], ["甲公司", 800, "1%", "25%"]]
    page.goto(f"{server.url}/portfolio")
    page.set_input_files("#portfolio-file", str(write(tmp_path, "xlsx", rows)))
    page.click("button[type=submit]")
    page.wait_for_selector("#portfolio-result:not([hidden])")
    first = page.evaluate("location.pathname")
    cell = "#portfolio-table tbody tr >> nth=0 >> td >> nth=3"
    assert page.inner_text(cell) == "黄金客户"  # 增长率 1%
    page.click("#portfolio-correct summary")
    page.select_option("#portfolio-columns select[name=growth_pct]", "Trend")
    page.click("#portfolio-reanalyse")
    page.wait_for_url(lambda url: not url.endswith(first))
    page.wait_for_selector("#portfolio-table tbody td:nth-child(4):text-is('白金客户')")
    assert page.input_value("#portfolio-columns select[name=growth_pct]") == "Trend"
    page.wait_for_timeout(300)
    assert requests.get(f"{server.url}/api{first}", timeout=10).status_code == 404  # the old one is gone
    assert page_errors == []


def test_a_bad_file_shows_its_message(server, page, tmp_path):
    path = tmp_path / "名单.pdf"
    path.write_bytes(b"%PDF-1.4")
    page.goto(f"{server.url}/portfolio")
    page.set_input_files("#portfolio-file", str(path))
    page.click("button[type=submit]")
    page.wait_for_function("document.getElementById('portfolio-status').textContent.includes('名单.pdf')")
    assert "不是 .xlsx 或 .csv" in page.inner_text("#portfolio-status")
