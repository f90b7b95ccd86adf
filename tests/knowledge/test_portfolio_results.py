"""A list analysed and kept in one step, and the short Chinese summary a chat gives of it
(knowledge/portfolio/results.py): the figures against hand computation."""

from __future__ import annotations

from knowledge.portfolio.results import analyse_and_keep, summary
from knowledge.portfolio.store import ResultStore
from tests.knowledge.portfolio_files import WITH_UNDECIDED, write

ROWS = WITH_UNDECIDED


def test_the_result_is_kept_and_summarised(tmp_path, kb):
    store = ResultStore(tmp_path / "kept", keep_seconds=86400)
    analysis, result = analyse_and_keep(write(tmp_path, "gbk_csv", ROWS), "名单.csv", kb, store)
    assert store.load(result["id"])["customers"] == result["customers"]
    assert result["url"] == f"/portfolio/{result['id']}"
    # Profits 200, 90, 5, 3, 2 of 300: two make 96.7% ≥ 80%; the top one (20%) makes 66.7%.
    assert summary(analysis, "https://x/portfolio/abc", store.keep_seconds) == "\n".join(
        [
            "已分析“名单.csv”：共 5 家客户。",
            "价值矩阵：白金 1 家、黄金 1 家、铁质 1 家、铅质 1 家，另有 1 家缺少数据未能判断",
            "二八分析（按“毛利（万元）”）：40.0% 的客户（2 家）贡献了 80%；"
            "前 20% 的客户（1 家）贡献了 66.7%。",
            "每个客户的分类、图表和 Excel 导出（链接 1 天内有效，只有拿到链接的人能打开）：https://x/portfolio/abc",
        ]
    )


def test_an_unsure_mapping_is_mentioned_and_hours_are_said_as_hours(tmp_path, kb):
    rows = [["编号", "年采购额", "增长率"], ["A01", 800, "25%"]]
    store = ResultStore(tmp_path / "kept", keep_seconds=2 * 3600)
    analysis, _ = analyse_and_keep(write(tmp_path, "xlsx", rows), "名单.xlsx", kb, store)
    text = summary(analysis, "https://x/portfolio/abc", store.keep_seconds)
    assert "有几列识别得没有把握，请在页面上核对" in text and "链接 2 小时内有效" in text
