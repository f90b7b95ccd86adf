"""This assistant beside a stock Rasa bot, measured in one run (#16, item 1).

The stock bot is what a person would build without this project: Rasa 3.6's default pipeline for
Chinese (jieba, count vectors of words and characters, DIET, a response selector, the fallback)
and its default policies, trained on the same NLU data, answering every intent with a response of
its own (no action server, the in-memory tracker store). It is trained once into build/stock_rasa/
and trained again only when the NLU data changes. Both serve the same messages through REST: one
sender with a conversation of 100, then 8 and 20 concurrent senders with 50 each. The figures are
printed side by side with the ratio (this assistant / stock: above 1 is better for messages per
second, below 1 for latencies).

Run with `make bench` (or `python -m tests.benchmarks.stock_bench`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import yaml

from bot.environment import environment
from knowledge.paths import BUILD_DIR, REPO_ROOT
from tests.benchmarks.load_bench import Turn, converse_all, scripted, send
from tests.benchmarks.stats import percentile
from tests.bot.servers import running, scratch
from tests.ports import free_port

STOCK_DIR = BUILD_DIR / "stock_rasa"
NLU_DIR = REPO_ROOT / "data" / "nlu"
RASA = REPO_ROOT / ".venv" / "bin" / "rasa"
LOADS = ((1, 100), (8, 50), (20, 50))  # (senders, messages each)

# Rasa 3.6's default configuration (what `rasa init` writes), for Chinese.
CONFIG = {
    "recipe": "default.v1",
    "language": "zh",
    "pipeline": [
        {"name": "JiebaTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
        {"name": "EntitySynonymMapper"},
        {"name": "ResponseSelector", "epochs": 100, "constrain_similarities": True},
        {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
    ],
    "policies": [
        {"name": "MemoizationPolicy"},
        {"name": "RulePolicy"},
        {"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": 100},
        {"name": "TEDPolicy", "max_history": 5, "epochs": 100, "constrain_similarities": True},
    ],
    "assistant_id": "stock-baseline",
}


def nlu_files() -> List[Path]:
    return sorted(NLU_DIR.glob("*.yml"))


def intents() -> List[str]:
    found = []
    for path in nlu_files():
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block and block["intent"] not in found:
                found.append(block["intent"])
    return found


def _digest() -> str:
    digest = hashlib.sha256(json.dumps(CONFIG, sort_keys=True).encode())
    for path in nlu_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stock_model() -> Path:
    """The stock bot's model, trained when missing or older than the NLU data."""
    model = STOCK_DIR / f"stock-{_digest()}.tar.gz"
    if model.exists():
        return model
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    data = STOCK_DIR / "data"
    data.mkdir(parents=True)
    for path in nlu_files():
        shutil.copy(path, data / path.name)
    names = intents()
    (data / "rules.yml").write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "rules": [
                    {"rule": f"answer {n}", "steps": [{"intent": n}, {"action": f"utter_{n}"}]} for n in names
                ]
                + [{"rule": "fallback", "steps": [{"intent": "nlu_fallback"}, {"action": "utter_default"}]}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    domain = {
        "version": "3.1",
        "intents": names,
        "entities": ["term"],
        "responses": {
            **{f"utter_{n}": [{"text": f"收到：{n}"}] for n in names},
            "utter_default": [{"text": "抱歉，我没太理解。"}],
        },
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }
    (STOCK_DIR / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    (STOCK_DIR / "config.yml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [
            str(RASA),
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            ".",
            "--fixed-model-name",
            model.name.removesuffix(".tar.gz"),
        ],
        cwd=STOCK_DIR,
        env=_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    print(f"trained the stock Rasa bot in {time.perf_counter() - started:.0f} s: {model}")
    return model


def _env() -> Dict[str, str]:
    return {**os.environ, **environment()}


@contextmanager
def stock_server() -> Iterator[str]:
    """The stock bot served on a free port (REST channel, in-memory tracker store)."""
    model = stock_model()
    port = free_port()
    credentials = STOCK_DIR / "credentials.yml"
    credentials.write_text("rest:\n", encoding="utf-8")
    log = (STOCK_DIR / "rasa.log").open("w")
    process = subprocess.Popen(
        [str(RASA), "run", "-m", str(model), "--port", str(port), "--credentials", str(credentials)],
        cwd=STOCK_DIR,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/status", timeout=2)  # 401 without a token is up too
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stock bot did not start: see {log.name}") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def load(url: str, senders: int, messages: int) -> Dict[str, float]:
    """``senders`` at once, each with a conversation of ``messages``; msg/s, latencies, errors."""
    conversations = scripted(f"stock-{senders}", senders, messages)
    webhook = f"{url}/webhooks/rest/webhook"
    send(webhook, f"warm-up-{uuid.uuid4().hex[:6]}", "你好")
    latencies: List[float] = []
    errors = [0]

    def record(sender: str, turn: Turn, ms: float, status: int, reply: str) -> None:
        latencies.append(ms)
        errors[0] += status != 200

    elapsed = converse_all(webhook, conversations, record)
    return {
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": errors[0],
    }


def measure(url: str) -> Dict[tuple, Dict[str, float]]:
    return {(s, m): load(url, s, m) for s, m in LOADS}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running(scratch(Path(tmp))) as assistant:
        ours = measure(assistant.url)
    with stock_server() as url:
        stock = measure(url)
    print("this assistant beside a stock Rasa 3.6 bot (same NLU data, default pipeline, responses only)")
    print(f"  {'load':18} {'':6} {'this assistant':>16} {'stock Rasa':>12} {'ratio':>7}")
    for key in LOADS:
        label = f"{key[0]} x {key[1]}"
        for name, unit in (("rate", "msg/s"), ("p50", "ms"), ("p95", "ms"), ("p99", "ms"), ("errors", "")):
            a, b = ours[key][name], stock[key][name]
            ratio = f"{a / b:.2f}" if b else "-"
            print(f"  {label:18} {name:6} {a:>12.1f} {unit:3} {b:>9.1f} {unit:3} {ratio:>6}")
            label = ""


if __name__ == "__main__":
    main()
