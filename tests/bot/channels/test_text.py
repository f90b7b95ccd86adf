"""Buttons as numbered text and back, reply splitting, visible text: plain functions, no Rasa."""

from __future__ import annotations

import pytest

from bot.channels.text import choose, has_visible_text, offered_buttons, render_choices, split_text

BUTTONS = [
    {"title": "查看全文", "payload": '/ask_detail{"term": "腰部客户"}'},
    {"title": "怎么维护这类客户", "payload": '/ask_strategy{"term": "腰部客户"}'},
]


def test_buttons_become_a_numbered_list_under_the_text():
    assert (
        render_choices("【腰部客户】…", BUTTONS, "回复数字：")
        == "【腰部客户】…\n\n回复数字：\n1. 查看全文\n2. 怎么维护这类客户"
    )


def test_numbering_continues_across_the_messages_of_a_turn():
    assert render_choices("", BUTTONS, "", first_number=3) == "3. 查看全文\n4. 怎么维护这类客户"


def test_no_buttons_leaves_the_text_alone():
    assert render_choices("你好", [], "回复数字：") == "你好"


@pytest.mark.parametrize(
    "answer, index",
    [
        ("1", 0),
        ("2", 1),
        (" 2 ", 1),
        ("１", 0),
        ("2。", 1),
        ("第2个", 1),
        ("选1", 0),
        ("查看全文", 0),
        ("查看 全文！", 0),
        ("怎么维护这类客户", 1),
    ],
)
def test_an_answer_picks_a_button_by_number_or_title(answer, index):
    assert choose(answer, BUTTONS) == BUTTONS[index]["payload"]


@pytest.mark.parametrize("answer", ["0", "3", "12", "", "？", "什么是腰部客户", "1和2", "3000万"])
def test_other_answers_pick_nothing(answer):
    assert choose(answer, BUTTONS) is None


def test_nothing_to_pick_without_buttons():
    assert choose("1", []) is None


def test_buttons_of_the_last_bot_turn_only():
    events = [
        {"event": "user", "text": "什么是腰部客户"},
        {"event": "bot", "data": {"buttons": BUTTONS}},
        {"event": "user", "text": "你好"},
        {"event": "bot", "data": {"buttons": None}},
        {"event": "bot", "data": {"buttons": BUTTONS[:1]}},
        {"event": "bot", "data": {"buttons": BUTTONS[1:]}},
        {"event": "action", "name": "action_listen"},
    ]
    assert offered_buttons(events) == BUTTONS
    assert offered_buttons(events + [{"event": "user", "text": "1"}]) == []


def test_short_text_is_one_part():
    assert split_text("腰部客户", 2048, 4, "…") == ["腰部客户"]


def test_long_text_is_cut_at_line_breaks_within_the_byte_limit():
    paragraph = "腰部客户是中间层的客户。" * 20  # 720 bytes
    text = "\n".join([paragraph] * 6)
    parts = split_text(text, 2048, 4, "…")
    assert all(len(part.encode("utf-8")) <= 2048 for part in parts)
    assert "\n".join(parts) == text
    assert len(parts) == 3


def test_a_line_longer_than_the_limit_is_cut_between_characters():
    text = "户" * 1000  # 3000 bytes, no line break
    parts = split_text(text, 2048, 4, "…")
    assert [len(p.encode("utf-8")) for p in parts] == [2046, 954]
    assert "".join(parts) == text


def test_too_long_text_is_truncated_with_a_note():
    parts = split_text("腰部客户" * 2500, 2048, 4, "（已省略）")
    assert len(parts) == 4
    assert parts[-1].endswith("（已省略）")
    assert all(len(part.encode("utf-8")) <= 2048 for part in parts)


@pytest.mark.parametrize(
    "text, visible",
    [
        ("腰部客户", True),
        ("a", True),
        ("", False),
        ("  \n\t", False),
        ("\u3000", False),
        ("\u200b\ufeff", False),
    ],
)
def test_visible_text(text, visible):
    assert has_visible_text(text) is visible
