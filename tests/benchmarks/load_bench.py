"""Load: many concurrent senders through the REST channel, every reply checked.

Each of SENDERS senders holds one conversation of MESSAGES messages (definitions,
follow-ups on the last term, comparisons, customer descriptions to classify), sent one
after the other as a person would; all senders run at once. A reply counts as an error
unless it answers its own message: the definition of the term asked, the strategy of the
term asked before, both terms of a comparison, the class of a described customer. At the
end every conversation's tracker must hold its messages in the order they were sent.

Run with `make bench` (or `python -m tests.benchmarks.load_bench [--senders N --messages N]`);
it starts its own assistant on free ports and stops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import yaml

from bot.api_token import api_token
from knowledge.model import Entry
from knowledge.paths import REPO_ROOT
from knowledge.search import KnowledgeBase
from tests.benchmarks.stats import summary
from tests.bot.servers import running, scratch

Check = Callable[[str], bool]

TERMS = [
    "腰部客户",
    "头部客户",
    "白金客户",
    "黄金客户",
    "铁质客户",
    "铅质客户",
    "战略客户",
    "关键客户",
    "大客户",
]
DEFINITIONS = ["什么是{}", "{}是什么意思", "{}的定义", "说下{}呗"]
CLASS_TERMS = {
    "platinum_customer": "白金客户",
    "gold_customer": "黄金客户",
    "iron_customer": "铁质客户",
    "lead_customer": "铅质客户",
}


@dataclass
class Turn:
    kind: str
    message: str
    check: Check


# What a load does with each reply: (sender, turn, milliseconds, HTTP status, reply text).
Record = Callable[[str, Turn, float, int, str], None]


def descriptions() -> List[Tuple[str, str]]:
    """Customer descriptions with the class they must get (the classification table's cases)."""
    path = REPO_ROOT / "tests" / "knowledge" / "customers" / "classification_cases.yml"
    cases = yaml.safe_load(path.read_text("utf-8"))
    return [(c["text"], CLASS_TERMS[c["class"]]) for c in cases["cases"] if c.get("class") in CLASS_TERMS]


def first_line(text: str) -> str:
    return text.strip().splitlines()[0]


def script(
    kb: KnowledgeBase, rng: random.Random, length: int, described: List[Tuple[str, str]]
) -> List[Turn]:
    """A conversation: a definition, then follow-ups on it, comparisons and classifications."""
    turns: List[Turn] = []
    last: Entry | None = None
    while len(turns) < length:
        roll = rng.random()
        if last is None or roll < 0.35:
            entry = kb.get(rng.choice(TERMS))
            turns.append(Turn("definition", rng.choice(DEFINITIONS).format(entry.term), _has(entry.short)))
            last = entry
        elif roll < 0.55 and last.strategy:
            turns.append(Turn("follow-up", "那怎么维护这类客户", _has(first_line(last.strategy))))
        elif roll < 0.7:
            other = kb.get(rng.choice([t for t in TERMS if t != last.term]))
            message = f"和{other.term}有什么区别"
            turns.append(Turn("follow-up", message, _has(f"【{last.term}】", f"【{other.term}】")))
            last = other
        else:
            text, class_term = rng.choice(described)
            turns.append(Turn("classification", text, _has(f"【{class_term}】")))
            last = kb.get(class_term)  # the verdict becomes the term follow-ups refer to
    return turns


def _has(*parts: str) -> Check:
    return lambda reply: all(part in reply for part in parts)


def send(url: str, sender: str, message: str) -> Tuple[float, int, str]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            texts = [m.get("text") or "" for m in json.loads(response.read())]
            return (time.perf_counter() - started) * 1000, response.status, "\n".join(texts)
    except OSError as error:
        return (time.perf_counter() - started) * 1000, getattr(error, "code", 0), str(error)


def user_messages(base_url: str, sender: str) -> List[str]:
    url = f"{base_url}/conversations/{sender}/tracker?token={api_token()}"
    with urllib.request.urlopen(url, timeout=60) as response:
        events = json.loads(response.read())["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def scripted(prefix: str, senders: int, messages: int) -> Dict[str, List[Turn]]:
    """``senders`` conversations of ``messages`` each (the same ones in every run), by sender id."""
    kb, rng, described = KnowledgeBase(), random.Random(7), descriptions()
    return {
        f"{prefix}-{i}-{uuid.uuid4().hex[:6]}": script(kb, rng, messages, described) for i in range(senders)
    }


def converse_all(url: str, conversations: Dict[str, List[Turn]], record: Record) -> float:
    """Every conversation at once, a thread for each sender, its turns one after the other; each
    reply goes to ``record`` (one at a time); the seconds it all took."""
    lock = threading.Lock()

    def converse(sender: str) -> None:
        for turn in conversations[sender]:
            ms, status, reply = send(url, sender, turn.message)
            with lock:
                record(sender, turn, ms, status, reply)

    started = time.perf_counter()
    threads = [threading.Thread(target=converse, args=(sender,)) for sender in conversations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.load_bench", description=__doc__)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args(argv)

    conversations = scripted("load", args.senders, args.messages)
    latencies: Dict[str, List[float]] = {}
    errors: List[str] = []

    def record(sender: str, turn: Turn, ms: float, status: int, reply: str) -> None:
        latencies.setdefault(turn.kind, []).append(ms)
        if status != 200 or not turn.check(reply):
            errors.append(f"{sender} {turn.message!r}: {status} {reply[:100]!r}")

    with tempfile.TemporaryDirectory() as tmp, running(scratch(Path(tmp))) as assistant:
        url = f"{assistant.url}/webhooks/rest/webhook"
        send(url, "warm-up", "你好")
        elapsed = converse_all(url, conversations, record)
        for sender, turns in conversations.items():
            if user_messages(assistant.url, sender) != [t.message for t in turns]:
                errors.append(f"{sender}: the tracker does not hold the messages in the order sent")

    every = [ms for values in latencies.values() for ms in values]
    print(f"load: {args.senders} concurrent senders x {args.messages} messages through REST, replies checked")
    rate = len(every) / elapsed
    print(f"  {len(every)} messages in {elapsed:.1f} s: {rate:.1f} messages/s, errors={len(errors)}")
    print(f"  all:            {summary(every)}")
    for kind, values in sorted(latencies.items()):
        print(f"  {kind + ':':15} {summary(values)}")
    for error in errors[:10]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
