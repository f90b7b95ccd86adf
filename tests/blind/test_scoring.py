"""tests/blind/scoring.py: how a reply is scored against a blind description's expected class."""

from __future__ import annotations

from tests.blind.scoring import class_shown

VERDICT = "按【客户价值矩阵（当前价值 × 增值潜力）】，这个客户属于【白金客户】。"
OUTSIDE = "按【头部 / 腰部客户】，这个客户不在这一分法里（资料只定义了头部和腰部客户）。"
ASKS = "它未来的增长潜力如何？可以给数字，也可以说“很大”“一般”。"


def test_a_verdict_is_right_when_it_is_the_expected_class():
    assert class_shown(VERDICT, "白金客户") and not class_shown(VERDICT, "黄金客户")


def test_an_expected_null_with_something_missing_wants_the_question_for_it():
    assert class_shown(ASKS, None, ["growth_potential"]) and not class_shown(OUTSIDE, None, ["current_value"])


def test_an_expected_null_with_nothing_missing_wants_outside_the_framework():
    assert class_shown(OUTSIDE, None, []) and not class_shown(ASKS, None, [])
    assert not class_shown(VERDICT, None, [])
