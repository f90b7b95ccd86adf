"""Assistant figures: start-up time, resident memory, training time, and latency
through the REST channel (actions included) at 1 and 8 concurrent senders, and how a turn's
cost grows over one long conversation.

Run with `make bench` (or `python -m tests.benchmarks.assistant_bench`); it
starts its own assistant on free ports and stops it afterwards.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

from bot.model import MODELS_DIR
from tests.benchmarks.stats import summary
from tests.bot.servers import running, scratch

MESSAGES = [
    "什么是腰部客户",
    "那怎么维护这类客户",
    "和头部客户有什么区别",
    "戰略客戶是什麼意思",
    "要部客户是啥",
    "KAM是什么",
    "客户年采购额3000万，毛利率35%，预计明年翻番",
    "今天天气怎么样",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if status.parent.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def send(url: str, sender: str, message: str) -> Tuple[float, bool]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            ok = response.status == 200 and bool(json.loads(response.read()))
    except OSError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def conversations(url: str, rounds: int) -> List[Tuple[float, bool]]:
    """``rounds`` messages as conversations of eight (definition, follow-ups, classification…)."""
    results: List[Tuple[float, bool]] = []
    sender = ""
    for i in range(rounds):
        if i % len(MESSAGES) == 0:
            sender = uuid.uuid4().hex
        results.append(send(url, sender, MESSAGES[i % len(MESSAGES)]))
    return results


def main() -> None:
    seconds_file = MODELS_DIR / "assistant.train_seconds"
    if seconds_file.exists():
        print(f"training time (last `make train`): {float(seconds_file.read_text()):.0f} s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, running(scratch(Path(tmp))) as assistant:
        print(f"start-up until both servers answer: {time.perf_counter() - started:.1f} s")
        url = f"{assistant.url}/webhooks/rest/webhook"
        send(url, "warm-up", "你好")
        for concurrency, rounds in ((1, 120), (8, 40)):
            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                batches = pool.map(conversations, [url] * concurrency, [rounds] * concurrency)
                results = [r for batch in batches for r in batch]
            elapsed = time.perf_counter() - started
            errors = sum(1 for _, ok in results if not ok)
            print(
                f"REST, {concurrency} sender(s): {summary([ms for ms, _ in results])}, "
                f"{len(results) / elapsed:.1f} msg/s, errors={errors}"
            )
        sender = uuid.uuid4().hex
        long_run = [send(url, sender, MESSAGES[i % len(MESSAGES)])[0] for i in range(160)]
        first, last = statistics.median(long_run[:16]), statistics.median(long_run[144:])
        print(
            f"REST, one 160-message conversation: p50 turns 1-16 {first:.0f} ms, turns 145-160 "
            f"{last:.0f} ms, ratio {last / first:.2f} (goal <= 1.3)"
        )
        print(
            f"resident memory: Rasa {rss_mb(assistant.processes['rasa'].pid):.0f} MB, "
            f"actions {rss_mb(assistant.processes['actions'].pid):.0f} MB"
        )


if __name__ == "__main__":
    main()
