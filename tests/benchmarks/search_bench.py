"""Knowledge-base figures: build time, and search latency over every term and alias.

Run with `make bench` (or `python -m tests.benchmarks.search_bench`).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from knowledge.build import build
from knowledge.search import KnowledgeBase
from tests.benchmarks.stats import summary

TYPOS = ["要部客户是啥", "站略客户", "关建客户是什么", "白金客服", "黄今客户", "铅值客户", "客户终生价植"]
QUESTIONS = ["什么是{}？", "{}是什么意思", "請問{}的定義", "{}怎么维护"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "knowledge.db"
        started = time.perf_counter()
        report = build(path, nlu_artefacts=False)
        print(
            f"build: {report.entries} entries, {report.names} names in {time.perf_counter() - started:.2f} s"
        )

        kb = KnowledgeBase(path)
        started = time.perf_counter()
        kb.search("腰部客户")  # loads the database, jieba and pinyin tables
        print(f"start-up (first search): {(time.perf_counter() - started) * 1000:.0f} ms")

        names = [name for entry in kb.entries() for name in entry.names]
        groups = {
            "terms and aliases": names,
            "questions around them": [q.format(n) for n in names for q in QUESTIONS],
            "typos (fuzzy)": TYPOS,
            "no match": ["今天天气怎么样", "区块链是什么", "帮我订一张机票"],
        }
        for label, queries in groups.items():
            timings = []
            for _ in range(5):
                for query in queries:
                    t = time.perf_counter()
                    kb.search(query)
                    timings.append((time.perf_counter() - t) * 1000)
            print(f"search, {label}: {summary(timings)}")


if __name__ == "__main__":
    main()
