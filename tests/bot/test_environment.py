"""bot/environment.py and the Makefile give every process the same settings, from one file
(bot/process.env); a variable the caller set wins in the launcher's children."""

from __future__ import annotations

import subprocess

from bot.environment import SETTINGS_FILE, environment, process_settings
from knowledge.paths import REPO_ROOT


def test_the_settings_file_has_the_processes_settings():
    settings = process_settings()
    assert settings["RASA_TELEMETRY_ENABLED"] == "false" and "TF_CPP_MIN_LOG_LEVEL" in settings


def test_make_exports_exactly_what_the_launcher_gives_its_children(tmp_path, monkeypatch):
    settings = process_settings()
    for name in settings:
        monkeypatch.delenv(name, raising=False)
    probe = tmp_path / "probe.mk"
    names = " ".join(f"$${name}" for name in settings)
    probe.write_text(f"include {REPO_ROOT}/Makefile\nprobe-env:\n\t@echo {names}\n")
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(REPO_ROOT), "-f", str(probe), "probe-env"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert shown == list(settings.values())
    children = environment()
    assert [children[name] for name in settings] == list(settings.values())
    assert str(REPO_ROOT) in children["PYTHONPATH"]


def test_a_variable_already_set_wins_in_the_children(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    assert environment()["TF_CPP_MIN_LOG_LEVEL"] == "1"


def test_a_malformed_line_is_skipped(tmp_path):
    path = tmp_path / "process.env"
    path.write_text("# a comment\n\nGOOD=1\nnot a setting\nlower=2\n")
    assert process_settings(path) == {"GOOD": "1"}
    assert SETTINGS_FILE.exists()
