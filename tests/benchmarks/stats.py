"""Small helpers for reporting latency figures."""

from __future__ import annotations

from typing import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values_ms: Sequence[float]) -> str:
    return (
        f"n={len(values_ms)} p50={percentile(values_ms, 50):.2f} ms "
        f"p95={percentile(values_ms, 95):.2f} ms p99={percentile(values_ms, 99):.2f} ms "
        f"max={max(values_ms):.2f} ms"
    )
