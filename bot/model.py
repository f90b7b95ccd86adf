"""Train the Rasa model only when its inputs changed, and say when it is stale.

The fingerprint covers everything training reads (config, domain, NLU data,
the lookup table and jieba dictionary generated from the knowledge base, and
the custom NLU components), so `make run` retrains exactly when needed and can
tell a curator that new knowledge-base terms are not yet in the model.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List

from knowledge.paths import JIEBA_DICT_DIR, REPO_ROOT

CONFIG = REPO_ROOT / "config.yml"
DOMAIN_DIR = REPO_ROOT / "bot" / "domain"
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = REPO_ROOT / "models"
MODEL_NAME = "assistant"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODELS_DIR / f"{MODEL_NAME}.fingerprint"


def training_inputs() -> List[Path]:
    files: Iterable[Path] = [
        CONFIG,
        *DOMAIN_DIR.glob("*.yml"),
        *DATA_DIR.rglob("*.yml"),
        *JIEBA_DICT_DIR.glob("*"),
        *(REPO_ROOT / "bot" / "nlu").glob("*.py"),
        REPO_ROOT / "knowledge" / "normalize.py",
    ]
    return sorted(p for p in files if p.is_file())


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint()
    )


def train(force: bool = False) -> Path:
    if not force and is_current():
        print(f"model is up to date: {MODEL_PATH.relative_to(REPO_ROOT)}")
        return MODEL_PATH
    print("training the Rasa model (about 2 minutes on 2 cores)…", flush=True)
    started = time.perf_counter()
    expected = fingerprint()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("rasa")),
            "train",
            "--config",
            str(CONFIG),
            "--domain",
            str(DOMAIN_DIR),
            "--data",
            str(DATA_DIR),
            "--out",
            str(MODELS_DIR),
            "--fixed-model-name",
            MODEL_NAME,
            "--force",
        ],
        check=True,
        cwd=REPO_ROOT,
    )
    seconds = time.perf_counter() - started
    FINGERPRINT_PATH.write_text(expected + "\n")
    (MODELS_DIR / f"{MODEL_NAME}.train_seconds").write_text(f"{seconds:.1f}\n")
    print(f"trained {MODEL_PATH.relative_to(REPO_ROOT)} in {seconds:.0f}s")
    return MODEL_PATH


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.model", description=__doc__)
    parser.add_argument("command", choices=["train", "status"])
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(force=args.force)
        return 0
    if is_current():
        print("model is up to date with the knowledge base and training data")
        return 0
    print(
        "the model is older than the knowledge base or the training data: answers are already "
        "current, but new terms are recognised only by search until you run `make train`"
    )
    return 1


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.exit(main())
