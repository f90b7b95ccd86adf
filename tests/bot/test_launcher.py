"""`python -m bot.launcher` (what `make run` starts): ready message, then a clean stop on SIGTERM
that leaves no server and none of the files it wrote for Rasa."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import time
import warnings

import pytest

from bot.environment import environment
from bot.processes import Assistant
from knowledge.paths import BUILD_DIR, REPO_ROOT
from tests.ports import free_port

pytestmark = pytest.mark.server


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_stops_every_server(tmp_path):
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.launcher",
            "--port",
            str(rasa_port),
            "--actions-port",
            str(actions_port),
            "--web-port",
            str(web_port),
        ],
        cwd=REPO_ROOT,
        env={**environment(), "KB_LOG_PATH": str(tmp_path / "logbook.db")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "press Ctrl-C to stop" in line or process.poll() is not None:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook" in output, output
        assert f"feedback and unanswered questions go to {tmp_path / 'logbook.db'}" in output, output
        assert f"chat:      http://localhost:{web_port}/\n" in output, output
        assert f"FAQ:       http://localhost:{web_port}/faq\n" in output, output
        assert port_open(rasa_port) and port_open(actions_port) and port_open(web_port)
        written = [BUILD_DIR / f"{name}.{rasa_port}.yml" for name in ("endpoints", "credentials")]
        assert all(path.exists() for path in written)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not port_open(rasa_port) and not port_open(actions_port) and not port_open(web_port)
        assert not any(path.exists() for path in written)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)


def test_the_launcher_keeps_no_log_file_open_for_the_processes_it_starts(tmp_path):
    # A handle left to the garbage collector would be an "unclosed file" ResourceWarning.
    assistant = Assistant(log_dir=tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assistant._spawn("echo", ["sh", "-c", "echo started"], dict(os.environ))
        gc.collect()
    assistant.processes["echo"].wait(timeout=10)
    assert (tmp_path / f"echo.{assistant.rasa_port}.log").read_text() == "started\n"
    assert not [w for w in caught if issubclass(w.category, ResourceWarning) and ".log" in str(w.message)]
