"""Analysed lists kept under an unguessable id and removed on time or on request
(knowledge/portfolio/store.py), in a real temporary folder."""

from __future__ import annotations

from knowledge.portfolio import ResultStore

DAY = 24 * 3600


def test_a_result_is_kept_until_it_expires(tmp_path):
    store = ResultStore(tmp_path / "results", keep_seconds=DAY)
    result_id = store.save({"customers": [{"name": "甲公司"}]}, {"csv": b"a", "xlsx": b"b"}, now=1000.0)
    assert len(result_id) == 32
    assert store.load(result_id, now=1000.0 + DAY - 1)["customers"] == [{"name": "甲公司"}]
    assert store.export(result_id, "csv", now=1000.0) == b"a"
    assert store.load(result_id, now=1000.0 + DAY) is None
    assert not (tmp_path / "results" / result_id).exists()  # read after expiry: deleted


def test_ids_differ_and_a_guess_or_a_path_finds_nothing(tmp_path):
    store = ResultStore(tmp_path)
    ids = {store.save({}, {}) for _ in range(20)}
    assert len(ids) == 20
    for guess in ["", "1", "../../etc/passwd", "a" * 32, "../" + next(iter(ids))[:29]]:
        assert store.load(guess) is None
        assert store.delete(guess) is False
    assert store.export(next(iter(ids)), "../result.json") is None


def test_delete_removes_the_result_and_its_exports(tmp_path):
    store = ResultStore(tmp_path)
    result_id = store.save({}, {"csv": b"a"})
    assert store.delete(result_id) is True
    assert store.load(result_id) is None
    assert list(tmp_path.iterdir()) == []
    assert store.delete(result_id) is False


def test_purge_removes_only_what_expired(tmp_path):
    store = ResultStore(tmp_path, keep_seconds=100)
    old = store.save({}, {}, now=0.0)
    new = store.save({}, {}, now=500.0)
    assert store.purge(now=550.0) == 1
    assert store.load(old, now=550.0) is None
    assert store.load(new, now=550.0) == {"id": new, "expires": 600.0}


def test_an_id_that_climbs_out_of_the_folder_reaches_nothing(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "result.json").write_text('{"expires": 1e12}', encoding="utf-8")
    store = ResultStore(tmp_path / "results")
    store.save({}, {})
    assert store.load("../outside") is None
    assert store.delete("../outside") is False
    assert (outside / "result.json").exists()
