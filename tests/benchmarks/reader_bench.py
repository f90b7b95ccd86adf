"""Understanding figures: the fact reader's training time, reading one description, answering
one question from the passages (target for reading: p95 ≤ 5 ms).

Run with `make bench` (or `python -m tests.benchmarks.reader_bench`). The texts are the studied
blind sets' (timing only; their scores come from tests.blind.evaluate). Every reading is
uncached: the reader's own cache serves the second read of one message in a turn.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml

from knowledge.customers.describe import describe
from knowledge.customers.reader import _read, model
from knowledge.customers.training import save, train
from knowledge.paths import BUILD_DIR, REPO_ROOT
from knowledge.search import KnowledgeBase
from tests.benchmarks.stats import summary

BLIND = REPO_ROOT / "tests" / "blind"
ROUNDS = 5


def _texts(name: str, key: str, field: str) -> list:
    return [case[field] for case in yaml.safe_load((BLIND / name).read_text(encoding="utf-8"))[key]]


def _timed(call, inputs) -> list:
    timings = []
    for _ in range(ROUNDS):
        for value in inputs:
            started = time.perf_counter()
            call(value)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    started = time.perf_counter()
    trained = train()
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        size = save(trained, Path(tmp) / "fact_reader.pkl").stat().st_size
    sizes = ", ".join(f"{n} {what}" for what, n in trained.sizes.items())
    print(f"fact reader training: {seconds:.1f} s ({sizes}), model {size / 1e6:.1f} MB")

    fm = model()
    descriptions = _texts("descriptions_studied.yml", "cases", "text")
    describe(descriptions[0], _read(descriptions[0], fm))  # frameworks, knowledge base loaded
    print(f"read facts, per description: {summary(_timed(lambda t: _read(t, fm), descriptions))}")
    print(
        "read and classify, per description: "
        f"{summary(_timed(lambda t: describe(t, _read(t, fm)), descriptions))}"
    )

    kb = KnowledgeBase(BUILD_DIR / "knowledge.db")
    questions = _texts("questions_studied.yml", "questions", "question")
    kb.answer(questions[0])  # passage index built
    print(f"answer from passages, per question: {summary(_timed(kb.answer, questions))}")


if __name__ == "__main__":
    main()
