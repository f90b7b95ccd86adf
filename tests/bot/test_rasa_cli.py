"""Rasa's own checks: the training data validates and the test stories pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.environment import environment
from bot.model import DOMAIN_DIR, MODEL_PATH, RASA_DATA
from knowledge.paths import REPO_ROOT

RASA = str(Path(sys.executable).with_name("rasa"))


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RASA, *args], cwd=REPO_ROOT, env=environment(), capture_output=True, text=True, timeout=timeout
    )


def test_data_validates_without_warnings():
    done = rasa(
        "data",
        "validate",
        "--fail-on-warnings",
        "--domain",
        str(DOMAIN_DIR),
        "--data",
        *(str(folder) for folder in RASA_DATA),
        "--config",
        str(REPO_ROOT / "config.yml"),
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


@pytest.mark.server
def test_stories_pass(tmp_path):
    done = rasa(
        "test",
        "core",
        "--model",
        str(MODEL_PATH),
        "--stories",
        str(REPO_ROOT / "tests" / "test_stories.yml"),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert done.returncode == 0, detail + done.stdout[-3000:] + done.stderr[-3000:]
    assert os.path.exists(tmp_path / "story_report.json")
