"""The customer-list page in headless Chromium: upload a GBK csv, see the analysis at its private
link, download the export, delete it; the ECharts figures (their data read back from the chart
instances), a phone's screen, the printed page, and confirming an unsure column recognition first
(bot/web/static/portfolio.html, portfolio.js)."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
import requests

from bot.web.config import WebConfig
from bot.web.server import create_app
from tests.bot.web.conftest import SCREENSHOTS, screenshot
from tests.bot.web.servers import ThreadedApp
from tests.knowledge.portfolio_files import FOUR_QUADRANTS, write

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
    # A locator, not wait_for_function: polling a string expression is eval, which the CSP forbids.
    page.locator("#portfolio-status", has_text="已过期删除").wait_for()
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
    page.locator("#portfolio-status", has_text="名单.pdf").wait_for()
    assert "不是 .xlsx 或 .csv" in page.inner_text("#portfolio-status")


CHART_DATA = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  if (!chart) return null;
  const series = chart.getOption().series;
  return {
    series: series.map(s => ({name: s.name, points: s.data.length, first: s.data[0] || null})),
    svg: !!document.querySelector('#' + id + ' svg'),
    width: document.getElementById(id).getBoundingClientRect().width,
  };
}"""

LIST = FOUR_QUADRANTS


# What sticks out of a phone's screen (the table scrolls in its own box).
WIDER = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.portfolio-table-wrap'))
  .map(e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def analysed(page, server, path) -> None:
    page.goto(f"{server.url}/portfolio")
    page.set_input_files("#portfolio-file", str(path))
    page.click("#portfolio-form button[type=submit]")
    page.wait_for_selector("#portfolio-result:not([hidden])")
    page.wait_for_selector("#portfolio-matrix-chart svg")


def test_the_pareto_curve_and_the_value_matrix_are_drawn(server, page, page_errors, tmp_path):
    analysed(page, server, write(tmp_path, "xlsx", LIST))
    pareto = page.evaluate(CHART_DATA, "portfolio-pareto-chart")
    assert pareto["svg"]
    # (0, 0), then one point per customer; the last is everyone, everything.
    assert pareto["series"] == [{"name": "按“毛利（万元）”累计", "points": 5, "first": [0, 0]}]
    matrix = page.evaluate(CHART_DATA, "portfolio-matrix-chart")
    assert matrix["svg"]
    by_class = {s["name"]: (s["points"], s["first"]) for s in matrix["series"]}
    assert by_class == {
        "白金": (1, [800, 25, "甲公司", "白金"]),
        "黄金": (1, [600, 3, "乙公司", "黄金"]),
        "铁质": (1, [50, 30, "丙公司", "铁质"]),
        "铅质": (1, [40, 1, "丁公司", "铅质"]),
    }
    # The quadrants are labelled in the drawing itself.
    labels = page.locator("#portfolio-matrix-chart svg text").all_text_contents()
    assert {"白金", "黄金", "铁质", "铅质"} <= set(labels)
    assert "年采购额（万元） 500" in page.inner_text("#portfolio-matrix-note")
    page.locator("#portfolio-pareto-chart").scroll_into_view_if_needed()
    print(f"\nscreenshot: {screenshot(page, 'portfolio-charts')}")
    assert page_errors == []


def test_the_page_and_its_charts_fit_a_phone(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    context.set_default_timeout(20_000)
    phone = context.new_page()
    try:
        analysed(phone, server, write(tmp_path, "gbk_csv", LIST))
        for chart in ("portfolio-pareto-chart", "portfolio-matrix-chart"):
            assert 300 <= phone.evaluate(CHART_DATA, chart)["width"] <= 390
        # Nothing but the table (in its own scrolling box) is wider than the screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, phone.evaluate(WIDER)
        phone.locator("#portfolio-matrix-chart").scroll_into_view_if_needed()
        print(f"\nscreenshot: {screenshot(phone, 'portfolio-phone')}")
    finally:
        context.close()


def test_the_printed_page_has_the_table_and_figures_and_no_controls(server, page, page_errors, tmp_path):
    analysed(page, server, write(tmp_path, "xlsx", LIST))
    page.emulate_media(media="print")
    for control in ["#portfolio-form", "#portfolio-delete", "#portfolio-print", "#portfolio-csv",
                    "#portfolio-correct", "#portfolio-link", ".site-header"]:  # fmt: skip
        assert not page.is_visible(control), control
    assert page.locator("button:visible, select:visible, input:visible").count() == 0
    assert page.is_visible("#portfolio-table") and page.locator("#portfolio-table tbody tr").count() == 4
    assert page.is_visible("#portfolio-pareto-chart svg") and page.is_visible("#portfolio-matrix-chart svg")
    assert page.inner_text("#portfolio-file-name") == "客户名单：客户名单.xlsx"
    # Each class's strategy is printed open.
    assert page.locator("#portfolio-strategies details:not([open])").count() == 0
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.wait_for_timeout(200)
    path = SCREENSHOTS / "portfolio-print.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")
    page.emulate_media(media="screen")
    assert page.is_visible("#portfolio-delete")
    assert page_errors == []


def test_an_unsure_recognition_is_confirmed_before_the_analysis(server, page, page_errors, tmp_path):
    rows = [
        ["编号", "销售额（万元）", "营业额（万元）", "增长率"],
        ["A01", 800, 300, "25%"],
        ["A02", 80, 900, "1%"],
    ]
    page.goto(f"{server.url}/portfolio")
    page.set_input_files("#portfolio-file", str(write(tmp_path, "xlsx", rows)))
    page.click("#portfolio-form button[type=submit]")
    page.wait_for_selector("#portfolio-confirm:not([hidden])")
    assert not page.is_visible("#portfolio-result") and not page.is_visible("#portfolio-form")
    reasons = page.locator("#portfolio-unsure li").all_inner_texts()
    assert (
        reasons[0] == "“销售额（万元）”和“营业额（万元）”都像“年采购额（万元）”，用了“销售额（万元）”，请确认"
    )
    assert "没有找到客户名称列" in reasons[1]
    assert page.evaluate("location.pathname") == "/portfolio"  # nothing analysed yet
    columns = "#portfolio-confirm-columns select"
    assert page.input_value(f"{columns}[name=purchase_wan]") == "销售额（万元）"
    page.select_option(f"{columns}[name=name]", "编号")
    page.select_option(f"{columns}[name=purchase_wan]", "营业额（万元）")
    page.click("#portfolio-confirm-button")
    page.wait_for_selector("#portfolio-result:not([hidden])")
    assert not page.is_visible("#portfolio-confirm")
    first = page.locator("#portfolio-table tbody tr").first.locator("td").all_inner_texts()
    assert first[1] == "A01" and first[3] == "铁质客户"  # 300 万 and 25%: by the chosen column
    assert page.locator("#portfolio-mapping li").first.inner_text() == "客户名称 ← 编号"
    assert page_errors == []
