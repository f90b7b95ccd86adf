"""Customer-list figures (issue #15): a list of 10,000 and of 100,000 rows, as .csv and .xlsx,
read and analysed, then exported (.csv and .xlsx) separately; seconds and peak memory of each,
against the issue's goals (read + analyse 10,000 rows ≤ 2 s, 100,000 rows ≤ 15 s).

Run with `make bench` (or `python -m tests.benchmarks.portfolio_bench [rows …]`). Each size and
format runs in a fresh process, so its peak resident memory (ru_maxrss) is its own; the list is
written first, in varied cells (约300万, 三百万, 15%, 按时, -, N/A) as salespeople type them.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.knowledge.portfolio_files import write_csv, write_xlsx

GOALS = {10_000: 2.0, 100_000: 15.0}
HEADER = [
    "客户名称",
    "年采购额（万元）",
    "毛利（万元）",
    "增长率",
    "合作年限",
    "回款情况",
    "订单数",
    "市场份额",
    "备注",
]


def rows(count: int, seed: int = 15) -> list:
    chance = random.Random(seed)
    purchase = [lambda v: v, lambda v: f"约{v}万", lambda v: f"{v}万", lambda v: "三百万", lambda v: "-"]
    growth = [lambda v: f"{v}%", lambda v: v, lambda v: "N/A", lambda v: f"-{v}%"]
    payments = ["按时", "拖欠", "按时回款", "", "偶尔延期"]
    body = []
    for index in range(count):
        value = chance.randint(5, 3000)
        body.append(
            [
                f"客户{index:06d}有限公司",
                chance.choice(purchase)(value),
                round(value * chance.uniform(0.02, 0.4), 1),
                chance.choice(growth)(chance.randint(0, 60)),
                chance.choice([chance.randint(0, 12), f"{chance.randint(1, 9)}年", 2018]),
                chance.choice(payments),
                chance.randint(0, 40),
                chance.choice([f"{chance.randint(0, 40)}%", "高", "低", ""]),
                chance.choice(["", "重点跟进", "=1+1"]),
            ]
        )
    return [HEADER, *body]


def measure(path: Path) -> dict:
    """Run in the child: read + analyse, then export, timed; the process's peak memory."""
    from knowledge.portfolio import analyse, export_csv, export_xlsx, read_table
    from knowledge.search import KnowledgeBase

    kb = KnowledgeBase()
    analyse(read_table(Path(__file__).parents[2] / "knowledge" / "portfolio" / "sample.csv"), kb)  # warm
    started = time.perf_counter()
    analysis = analyse(read_table(path), kb)
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    export_csv(analysis)
    export_xlsx(analysis)
    exported = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "customers": len(analysis.customers),
        "analyse_s": analysed,
        "export_s": exported,
        "peak_mb": peak_mb,
    }


def main(sizes: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            table = rows(count)
            for suffix, writer in ((".csv", lambda p, r: write_csv(p, r, "gbk")), (".xlsx", write_xlsx)):
                path = writer(Path(folder) / f"名单{count}{suffix}", table)
                child = subprocess.run(
                    [sys.executable, "-m", "tests.benchmarks.portfolio_bench", "--measure", str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                goal = GOALS.get(count)
                verdict = (
                    ""
                    if goal is None
                    else f" (goal ≤ {goal:g} s: {'met' if figures['analyse_s'] <= goal else 'MISSED'})"
                )
                print(
                    f"customer list, {count:,} rows {suffix} ({path.stat().st_size / 2**20:.1f} MB): "
                    f"read + analyse {figures['analyse_s']:.2f} s{verdict}, "
                    f"export .csv + .xlsx {figures['export_s']:.2f} s, "
                    f"peak memory {figures['peak_mb']:.0f} MB"
                )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        main([int(n) for n in sys.argv[1:]] or sorted(GOALS))
