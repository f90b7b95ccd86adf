"""knowledge/seeds.py: the seeds cleaned into readable text, and cut into passages."""

from __future__ import annotations

import pytest

from knowledge import paths, seeds
from knowledge.loader import load_sources


def test_cleaning_keeps_the_text_and_drops_the_noise():
    raw = (
        "戰(zhàn)略客戶定義,?\n"
        "戰略客戶就是對己方長期發展至關重要,,對全局起決定性的客戶,。也包括經過市場調查,具有發展?jié)摿Γ瑫蔀楦偁帉κ值耐黄茖ο蟮目蜕簟?/p>\n"
        "相关文档\n"
        "戰(zhàn)略客戶定義,?\n"
    )
    text = seeds.clean(raw, "000_335af4e072a261b0.txt")
    assert "(zhàn)" not in text and "戰" not in text  # pinyin gone, simplified
    assert "战略客户就是对己方长期发展至关重要，对全局起决定性的客户。" in text  # doubled commas mended
    assert "瑫" not in text and "Γ" not in text  # mis-decoded bytes dropped with their sentence
    assert "相关文档" not in text  # page chrome
    assert text.count("战略客户定义") == 1  # a repeated line once


def test_a_list_run_into_one_line_gets_a_line_per_item():
    text = seeds.clean("具体目标: 1、幫助創立行業品牌形象; 2,、作為對外聯系的窗口,; 3、樹立統一企業形象,;")
    assert [line[:2] for line in text.splitlines()][-3:] == ["1、", "2、", "3、"]


def test_an_enumeration_also_becomes_an_outline_passage():
    text = "关键客户管理的五大要点\n" + "\n".join(
        f"{n}、{title}{title}是关键。说明文字。"
        for n, title in zip("一二三", ("深入了解需求", "建立沟通渠道", "提供客户体验"), strict=True)
    )
    found = seeds.passages(text, "003_b1be27832846c2f9.txt")
    outline = [p for p in found if p.outline]
    assert len(outline) == 1
    assert outline[0].text == "关键客户管理的五大要点：1. 深入了解需求；2. 建立沟通渠道；3. 提供客户体验。"
    assert all(p.heading == "关键客户管理的五大要点" for p in found)


def test_passages_fit_a_phone_screen():
    for file in load_sources():
        for passage in seeds.all_passages([file]):
            assert len(passage.text) <= seeds.MAX_PASSAGE + 40, (file, passage.position)


def test_every_source_is_cleaned_into_knowledge_sources():
    for file in load_sources():
        assert seeds.cleaned_path(file).exists(), f"run `python -m knowledge sources` ({file})"


@pytest.mark.skipif(not paths.SEEDS_DIR.exists(), reason="the seeds folder (../shared/seeds) is not here")
def test_the_cleaned_sources_are_current_with_the_seeds():
    for file in load_sources():
        raw = (paths.SEEDS_DIR / file).read_text(encoding="utf-8")
        assert seeds.cleaned_path(file).read_text(encoding="utf-8") == seeds.clean(raw, file), (
            f"{file}: knowledge/sources/ is stale: run `python -m knowledge sources`"
        )


def test_a_figures_labels_scraped_as_text_are_no_passage():
    residue = "客户金字塔 50% 贵宾 型 重要型普通型30%20%5%15%80%客 户 数 量 企 业 利 润"
    assert seeds.is_figure_residue(residue)
    assert not seeds.is_figure_residue("客户金字塔把客户分为 VIP 客户、主要客户、普通客户和小客户四层。")
    found = seeds.passages(f"客户金字塔\n{residue}\n普通客户占前15%。\n", "x.txt")
    assert [p.text for p in found] == ["普通客户占前15%。"]
