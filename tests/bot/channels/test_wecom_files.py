"""A spreadsheet sent as a file in WeCom (issue #15): downloaded through the media API of the local
fake (media/get, as WeCom serves it), analysed, answered with a short Chinese summary and the link
to its result, which the web front then serves; any other file, an expired one or a refused one
gets its Chinese message, and the conversation goes on."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from bot.web.config import WebConfig
from bot.web.server import create_app
from tests.bot.channels.conftest import WEB_PUBLIC_URL
from tests.bot.web.servers import ThreadedApp
from tests.knowledge.portfolio_files import WITH_UNDECIDED, write

pytestmark = pytest.mark.server

MEDIA_GET = "/cgi-bin/media/get"
ROWS = WITH_UNDECIDED
LINK = re.compile(re.escape(WEB_PUBLIC_URL) + r"/portfolio/([A-Za-z0-9_-]{32})")


def user() -> str:
    return "u" + uuid.uuid4().hex[:12]


@pytest.mark.parametrize("kind, named", [("gbk_csv", True), ("xlsx", False)], ids=["gbk csv", "xlsx unnamed"])
def test_a_spreadsheet_is_downloaded_analysed_and_summarised_with_its_link(wecom, tmp_path, kind, named):
    path = write(tmp_path, kind, ROWS)
    media_id = wecom.api.add_media(path.name, path.read_bytes())
    sender = user()
    status, body, _ = wecom.send_file(sender, media_id, path.name if named else None)
    assert (status, body) == (200, "")
    [reply] = wecom.api.wait_for(sender)
    # Without the file's name in the callback, the name WeCom's download gives stands in.
    shown = path.name if named else f"{media_id}{path.suffix}"
    assert reply.startswith(
        f"已分析“{shown}”：共 5 家客户。\n价值矩阵：白金 1 家、黄金 1 家、铁质 1 家、铅质 1 家，另有 1 家"
    )
    # Profits 200, 90, 5, 3, 2 of 300: the top two make 96.7%.
    assert (
        "二八分析（按“毛利（万元）”）：40.0% 的客户（2 家）贡献了 80%；前 20% 的客户（1 家）贡献了 66.7%。"
        in reply
    )
    [download] = [c for c in wecom.api.calls_to(MEDIA_GET) if c.query["media_id"] == media_id]
    assert download.query["access_token"] in wecom.api.tokens
    # The link opens the result in the web front that shares the folder.
    result_id = LINK.search(reply)[1]
    config = WebConfig(rasa_port=1, portfolio_dir=wecom.portfolio_dir)
    with ThreadedApp(create_app(config)) as web:
        result = requests.get(f"{web.url}/api/portfolio/{result_id}", timeout=10).json()
    assert [c["classes"]["value_matrix"] for c in result["customers"]][:4] == [
        "白金客户",
        "黄金客户",
        "铁质客户",
        "铅质客户",
    ]
    assert not list((wecom.portfolio_dir / "uploads").iterdir())  # the file itself is not kept


def test_a_file_that_is_no_spreadsheet_gets_its_message_without_a_download(wecom):
    media_id = wecom.api.add_media("报价单.pdf", b"%PDF-1.4 ...")
    sender = user()
    wecom.send_file(sender, media_id, "报价单.pdf")
    [reply] = wecom.api.wait_for(sender)
    assert reply.startswith("文件“报价单.pdf”不是 .xlsx 或 .csv 表格。")
    assert not [c for c in wecom.api.calls_to(MEDIA_GET) if c.query.get("media_id") == media_id]


def test_an_unnamed_file_that_is_no_spreadsheet_is_refused_after_the_download(wecom):
    media_id = wecom.api.add_media("scan.pdf", b"%PDF-1.4 ...")
    sender = user()
    wecom.send_file(sender, media_id)
    [reply] = wecom.api.wait_for(sender)
    assert reply.startswith(f"文件“{media_id}.pdf”不是 .xlsx 或 .csv 表格。")


def test_a_refused_spreadsheet_gets_the_reason_and_the_chat_goes_on(wecom, kb):
    media_id = wecom.api.add_media("名单.xlsx", b"PK\x03\x04 not really a workbook")
    sender = user()
    wecom.send_file(sender, media_id, "名单.xlsx")
    [reply] = wecom.api.wait_for(sender)
    assert reply.startswith("文件“名单.xlsx”已损坏或不是有效的 .xlsx")
    wecom.send_text(sender, "什么是腰部客户")
    assert kb.get("腰部客户").short in wecom.api.wait_for(sender, 2)[1]


def test_an_expired_file_says_it_could_not_be_fetched(wecom):
    media_id = wecom.api.add_media("名单.csv", b"x")
    wecom.api.forget_media(media_id)  # after three days WeCom answers 40007
    sender = user()
    wecom.send_file(sender, media_id, "名单.csv")
    [reply] = wecom.api.wait_for(sender)
    assert reply.startswith("抱歉，没能从企业微信取到这个文件")
    [call] = [c for c in wecom.api.calls_to(MEDIA_GET) if c.query.get("media_id") == media_id]
    assert call.answer == {"errcode": 40007, "errmsg": "invalid media_id"}


def test_an_expired_token_is_fetched_again_for_the_download(wecom, tmp_path):
    path = write(tmp_path, "utf8_csv", ROWS)
    media_id = wecom.api.add_media(path.name, path.read_bytes())
    wecom.api.expire_tokens()
    sender = user()
    wecom.send_file(sender, media_id, path.name)
    [reply] = wecom.api.wait_for(sender)
    assert reply.startswith(f"已分析“{path.name}”")
    downloads = [c for c in wecom.api.calls_to(MEDIA_GET) if c.query.get("media_id") == media_id]
    assert [c.answer.get("errcode", 0) for c in downloads] == [42001, 0]
