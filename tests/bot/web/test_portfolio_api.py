"""The customer-list API over real HTTP (bot/web/portfolio.py): upload real files, read the
result at its link, download the exports, delete; bad files get a 4xx with a Chinese message,
the server keeps answering, and nothing it logs names a customer."""

from __future__ import annotations

import csv
import io
import logging
import time
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
import requests
from aiohttp import web
from openpyxl import load_workbook

from bot.web.config import WebConfig
from bot.web.server import HANDLER_ARGS, create_app
from knowledge import paths
from tests.bot.web.servers import ThreadedApp
from tests.knowledge.portfolio_files import write

ROWS = [
    ["客户名称", "年采购额（万元）", "毛利（万元）", "增长率", "合作年限"],
    ["机密甲公司", 800, 200, "25%", 5],
    ["机密乙公司", "约300万", 60, "3%", 2],
    ["机密丙公司", 50, 5, "30%", "=1+1"],
]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("portfolio")


@pytest.fixture(scope="module")
def server(store_dir) -> Iterator[ThreadedApp]:
    if not paths.db_path().exists():
        pytest.fail(f"{paths.db_path()} is missing: run `make kb`")
    config = WebConfig(rasa_port=1, portfolio_dir=store_dir, portfolio_max_bytes=2**20)
    with ThreadedApp(create_app(config)) as running:
        yield running


def upload(server: ThreadedApp, path: Path, name: str | None = None, **fields: str) -> requests.Response:
    with path.open("rb") as file:
        files = {"file": (name or path.name, file)}
        return requests.post(f"{server.url}/api/portfolio", files=files, data=fields, timeout=30)


def test_upload_read_download_delete(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    response = upload(server, write(tmp_path, "gbk_csv", ROWS), rank_by="profit")
    assert response.status_code == 201, response.text
    result = response.json()
    assert len(result["id"]) == 32 and result["url"] == f"/portfolio/{result['id']}"
    assert [c["classes"]["value_matrix"] for c in result["customers"]] == ["白金客户", "铅质客户", "铁质客户"]
    assert result["rank_column"] == "毛利（万元）"
    assert result["pareto"]["customers"] == 3

    again = requests.get(f"{server.url}/api/portfolio/{result['id']}", timeout=10)
    assert again.status_code == 200 and again.json()["customers"] == result["customers"]
    page = requests.get(f"{server.url}{result['url']}", timeout=10)
    assert page.status_code == 200 and "客户名单分析" in page.content.decode("utf-8")
    assert page.headers["Cache-Control"] == "no-store"

    exported = requests.get(f"{server.url}/api/portfolio/{result['id']}/export.csv", timeout=10)
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[3][4] == "'=1+1"
    assert "attachment" in exported.headers["Content-Disposition"]
    workbook = requests.get(f"{server.url}/api/portfolio/{result['id']}/export.xlsx", timeout=10)
    assert load_workbook(io.BytesIO(workbook.content)).worksheets[0]["A2"].value == "机密甲公司"

    deleted = requests.delete(f"{server.url}/api/portfolio/{result['id']}", timeout=10)
    assert deleted.status_code == 200
    gone = requests.get(f"{server.url}/api/portfolio/{result['id']}", timeout=10)
    assert gone.status_code == 404 and "已过期删除" in gone.json()["error"]
    assert (
        requests.get(f"{server.url}/api/portfolio/{result['id']}/export.csv", timeout=10).status_code == 404
    )
    assert not any("机密" in record.getMessage() for record in caplog.records)


def test_a_correction_of_the_columns_is_applied(server, tmp_path):
    rows = [["客户", "去年进货（万元）", "Trend"], ["甲公司", 800, "25%"]]
    response = upload(
        server,
        write(tmp_path, "xlsx", rows),
        columns='{"purchase_wan": "去年进货（万元）", "growth_pct": "Trend"}',
    )
    assert response.status_code == 201, response.text
    assert response.json()["customers"][0]["classes"]["value_matrix"] == "白金客户"
    assert upload(server, write(tmp_path, "xlsx", rows)).json()["code"] == "no_amount"


def test_the_uploaded_file_is_not_kept(server, store_dir, tmp_path):
    response = upload(server, write(tmp_path, "xlsx", ROWS))
    assert response.status_code == 201, response.text
    uploads = store_dir / "uploads"
    assert list(uploads.iterdir()) == []
    kept = [p for p in store_dir.rglob("*") if p.is_file()]
    assert {p.name for p in kept} <= {"result.json", "export.csv", "export.xlsx"}


def test_an_unsure_mapping_is_proposed_for_confirmation_and_nothing_is_kept(server, store_dir, tmp_path):
    rows = [["编号", "销售额（万元）", "营业额（万元）", "增长率"], ["A01", 800, 700, "25%"]]
    before = {p.name for p in store_dir.iterdir()}
    response = upload(server, write(tmp_path, "xlsx", rows), confirm="unsure")
    assert response.status_code == 200, response.text
    proposal = response.json()
    assert proposal["confirm"] is True and "id" not in proposal
    assert proposal["mapping"]["mapped"]["purchase_wan"] == "销售额（万元）"
    assert proposal["mapping"]["unsure"] == [
        "“销售额（万元）”和“营业额（万元）”都像“年采购额（万元）”，用了“销售额（万元）”，请确认",
        "没有找到客户名称列，客户将按行号称呼；如有名称列请选出来",
    ]
    assert {p.name for p in store_dir.iterdir()} == before  # nothing analysed, nothing kept
    # The user confirms (the columns they chose): analysed.
    confirmed = upload(
        server,
        write(tmp_path, "xlsx", rows),
        confirm="unsure",
        columns='{"name": "编号", "purchase_wan": "营业额（万元）", "growth_pct": "增长率"}',
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["customers"][0]["name"] == "A01"
    assert confirmed.json()["mapping"]["unsure"] == []


def test_a_sure_mapping_is_analysed_at_once_and_a_bad_confirm_is_a_400(server, tmp_path):
    response = upload(server, write(tmp_path, "gbk_csv", ROWS), confirm="unsure")
    assert response.status_code == 201, response.text
    bad = upload(server, write(tmp_path, "gbk_csv", ROWS), confirm="yes")
    assert bad.status_code == 400 and "confirm" in bad.json()["error"]


def test_a_refused_list_gets_its_message_even_when_confirmation_is_asked(server, tmp_path):
    response = upload(server, write(tmp_path, "xlsx", [["编号", "地区"], ["A01", "华东"]]), confirm="unsure")
    assert response.status_code == 400 and response.json()["code"] == "no_columns"


def test_the_result_carries_the_figures_data(server, tmp_path):
    result = upload(server, write(tmp_path, "gbk_csv", ROWS)).json()
    # Profits 200, 60, 5 of 265: the curve from (0, 0) through each customer.
    assert result["charts"]["pareto"]["points"] == [
        [0.0, 0.0],
        [33.33, 75.47],
        [66.67, 98.11],
        [100.0, 100.0],
    ]
    matrix = result["charts"]["matrix"]
    assert (matrix["x_split"], matrix["y_split"], matrix["x_field"]) == (500, 20, "purchase_wan")
    assert matrix["points"] == [
        [800.0, 25.0, "机密甲公司", "白金"],
        [300.0, 3.0, "机密乙公司", "铅质"],
        [50.0, 30.0, "机密丙公司", "铁质"],
    ]


def test_the_charts_library_is_served_locally(server):
    response = requests.get(
        f"{server.url}/vendor/echarts.js", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert b"echarts" in response.content[:2000] and len(response.content) > 500_000
    again = requests.get(
        f"{server.url}/vendor/echarts.js", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (300 * 1024 * 1024))
    return path


def _file(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


@pytest.mark.parametrize(
    "make, name, status, words",
    [
        (_file("a.pdf", b"%PDF-1.4"), "名单.pdf", 400, "不是 .xlsx 或 .csv"),
        (_file("b.xlsx", b"PK\x03\x04junk"), "坏.xlsx", 400, "已损坏"),
        (lambda p: _zip_bomb(p / "c.xlsx"), "炸弹.xlsx", 400, "解压后超过"),
        (_file("d.csv", b"a,b\n" * 400_000), "大.csv", 413, "超过了 1 MB 的上限"),
        (_file("e.csv", b"foo,bar\n1,2\n"), "名单.csv", 400, "没有找到"),
        (_file("f.csv", b""), "空.csv", 400, "没有数据"),
        (_file("g.csv", b"a,b\n"), "../../etc/名单.exe", 400, "不是 .xlsx 或 .csv"),
    ],
    ids=["pdf", "corrupt xlsx", "zip bomb", "too large", "no column", "empty", "hostile name"],
)
def test_a_bad_file_is_a_4xx_with_its_message(server, tmp_path, make, name, status, words):
    response = upload(server, make(tmp_path), name=name)
    assert response.status_code == status, response.text
    assert words in response.json()["error"] and f"“{name}”" in response.json()["error"]
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200


BROKEN_FORM = {"Content-Type": "multipart/form-data; boundary=x"}
A_CSV = {"file": ("a.csv", b"a,b\n1,2\n")}


@pytest.mark.parametrize(
    "send",
    [
        lambda url: requests.post(url, data="客户名称,金额".encode(), timeout=10),
        lambda url: requests.post(url, files={"other": ("a.csv", b"x")}, timeout=10),
        lambda url: requests.post(url, data=b"--x\r\nbroken", headers=BROKEN_FORM, timeout=10),
        lambda url: requests.post(url, files=A_CSV, data={"rank_by": "x"}, timeout=10),
        lambda url: requests.post(url, files=A_CSV, data={"columns": "{"}, timeout=10),
        lambda url: requests.post(url, files=A_CSV, data={"columns": '{"name": 3}'}, timeout=10),
        lambda url: requests.post(url, files=A_CSV, data={"columns": '{"name": "没有"}'}, timeout=10),
    ],
    ids=[
        "not a form",
        "no file field",
        "broken form",
        "bad rank_by",
        "columns not JSON",
        "columns not text",
        "no such header",
    ],
)
def test_a_request_without_a_usable_file_is_a_400(server, send):
    response = send(f"{server.url}/api/portfolio")
    assert response.status_code == 400, response.text
    assert response.json()["error"]


@pytest.mark.parametrize("result_id", ["nope", "a" * 32, "..%2F..%2Fetc"])
def test_an_unknown_link_is_a_404(server, result_id):
    assert requests.get(f"{server.url}/api/portfolio/{result_id}", timeout=10).status_code == 404
    assert requests.delete(f"{server.url}/api/portfolio/{result_id}", timeout=10).status_code == 404


def test_the_access_log_leaves_out_the_result_id(tmp_path, caplog):
    config = WebConfig(rasa_port=1, portfolio_dir=tmp_path / "store")
    logger = logging.getLogger("test.portfolio.access")
    app = create_app(config)
    # The access log as `python -m bot.web` writes it (the tests' servers switch it off).
    with AccessLoggedApp(app, logger) as running, caplog.at_level(logging.INFO, logger=logger.name):
        created = upload(running, write(tmp_path, "gbk_csv", ROWS)).json()
        requests.get(f"{running.url}/portfolio/{created['id']}", timeout=10)
        requests.get(f"{running.url}/api/portfolio/{created['id']}/export.csv", timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == logger.name]
    assert any("GET /portfolio/<id> HTTP/1.1" in line and " 200 " in line for line in lines), lines
    assert any("/api/portfolio/<id>/export.csv" in line for line in lines)
    assert not any(created["id"] in line or "机密" in line for line in lines)


class AccessLoggedApp(ThreadedApp):
    def __init__(self, app, logger: logging.Logger) -> None:
        super().__init__(app)
        self.logger = logger

    def _runner(self) -> web.AppRunner:
        return web.AppRunner(self.app, access_log=self.logger, shutdown_timeout=1, **HANDLER_ARGS)


def test_a_result_expires(tmp_path):
    config = WebConfig(rasa_port=1, portfolio_dir=tmp_path / "store", portfolio_keep_seconds=1)
    with ThreadedApp(create_app(config)) as running:
        created = upload(running, write(tmp_path, "bom_csv", ROWS)).json()
        assert (tmp_path / "store" / created["id"]).is_dir()
        time.sleep(2.5)  # the background purge runs every second here: no request needed
        assert not (tmp_path / "store" / created["id"]).exists()
        assert requests.get(f"{running.url}/api/portfolio/{created['id']}", timeout=10).status_code == 404
