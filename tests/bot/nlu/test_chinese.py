"""bot/nlu/chinese.py: the tokenizer's user dictionary can be loaded again without changing jieba."""

from __future__ import annotations

import jieba
import pytest

from bot.nlu.chinese import ChineseTokenizer


@pytest.fixture(autouse=True)
def jieba_as_it_was():
    """jieba's dictionary is global: each test puts it back."""
    jieba.dt.check_initialized()
    frequency, total = dict(jieba.dt.FREQ), jieba.dt.total
    yield
    jieba.dt.FREQ, jieba.dt.total = frequency, total


def test_loading_the_user_dictionary_again_changes_nothing(tmp_path):
    (tmp_path / "userdict.txt").write_text("\ufeff腰部客户 200000 nz\n\n新造词语\n", encoding="utf-8")
    ChineseTokenizer._load_custom_dictionary(str(tmp_path))
    total, frequency = jieba.dt.total, dict(jieba.dt.FREQ)
    assert jieba.dt.FREQ["腰部客户"] == 200000 and jieba.dt.FREQ["新造词语"] > 0
    ChineseTokenizer._load_custom_dictionary(str(tmp_path))  # a model loaded a second time
    assert jieba.dt.total == total and dict(jieba.dt.FREQ) == frequency


def test_rasas_own_loading_would_have_changed_it(tmp_path):
    (tmp_path / "userdict.txt").write_text("腰部客户 200000 nz\n", encoding="utf-8")
    ChineseTokenizer._load_custom_dictionary(str(tmp_path))
    total = jieba.dt.total
    jieba.load_userdict(str(tmp_path / "userdict.txt"))  # what Rasa's JiebaTokenizer does
    assert jieba.dt.total == total + 200000


def test_a_changed_frequency_is_taken(tmp_path):
    (tmp_path / "userdict.txt").write_text("头部客户 300000 nz\n", encoding="utf-8")
    ChineseTokenizer._load_custom_dictionary(str(tmp_path))
    assert jieba.dt.FREQ["头部客户"] == 300000
