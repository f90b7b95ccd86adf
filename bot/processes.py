"""The assistant's processes: the action server, the Rasa server and the web front, started as
children with their logs in build/logs/, waited for, warmed up and stopped cleanly.
``python -m bot.launcher`` runs them for ``make run``; tests use ``Assistant`` to start the same
processes once per session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from bot.api_token import api_token
from bot.config import (
    BOT_DIR,
    WEB_PUBLIC_URL_VARIABLE,
    Connector,
    credentials_file,
    enabled_connectors,
    endpoints_file,
    logbook_url,
)
from bot.environment import environment
from bot.model import MODEL_PATH
from knowledge.logbook import LOG_URL_VARIABLE
from knowledge.paths import BUILD_DIR, REPO_ROOT
from knowledge.warm_up import DESCRIPTION, QUESTION

VENV_BIN = Path(sys.executable).parent

LOCAL_HOSTS = ("127.0.0.1", "localhost", "0.0.0.0")


@dataclass
class Assistant:
    """The action server, the Rasa server and (given ``web_port``) the web front as child processes."""

    rasa_port: int = 5005
    actions_port: int = 5055
    host: str = "127.0.0.1"
    model: Path = MODEL_PATH
    tracker_db: Path = BUILD_DIR / "tracker.db"
    # The web front's port; None starts no web front (`python -m bot.launcher` passes 8080).
    web_port: int | None = None
    # Origins allowed to call Rasa from a browser; by default the web front's own.
    cors: List[str] | None = None
    log_dir: Path = BUILD_DIR / "logs"
    endpoints: Path = BOT_DIR / "endpoints.yml"
    # Added to both servers' environment, e.g. KB_DB_PATH, KB_LOG_PATH or WECOM_*, DINGTALK_* for tests.
    env: Dict[str, str] = field(default_factory=dict)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    # The endpoints and credentials files written for Rasa, removed when everything stops.
    # (each with its inode: a file another launcher on the same port wrote since is not removed).
    _written: Dict[Path, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.cors is None:
            self.cors = self.web_origins()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        """Where a person opens the chat page (the FAQ page is ``/faq``)."""
        host = "localhost" if self.host in LOCAL_HOSTS else self.host
        return f"http://{host}:{self.web_port or 8080}"

    def web_origins(self) -> List[str]:
        port = self.web_port or 8080
        hosts = ["localhost", "127.0.0.1"] + ([] if self.host in LOCAL_HOSTS else [self.host])
        return [f"http://{host}:{port}" for host in hosts]

    def _endpoints_file(self) -> Path:
        path = endpoints_file(self.endpoints, self.rasa_port, self.actions_port, self.tracker_db)
        self._written[path] = path.stat().st_ino
        return path

    @property
    def wecom_callback_url(self) -> str:
        return self.callback_url("wecom")

    def callback_url(self, url_name: str) -> str:
        """Where a messaging-app channel receives its platform's callbacks (``wecom``, ``dingtalk``…)."""
        return f"{self.url}/webhooks/{url_name}/callback"

    def connectors(self) -> List[Connector]:
        """The messaging-app channels whose variables are set (ValueError naming any missing ones)."""
        return enabled_connectors({**os.environ, **self.env})

    def _credentials_file(self) -> Path:
        """bot/credentials.yml, plus each messaging-app channel whose variables are set."""
        path = credentials_file(self.rasa_port, {**os.environ, **self.env})
        self._written[path] = path.stat().st_ino
        return path

    def _spawn(self, name: str, args: List[str], env: Dict[str, str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # The child writes to its own copy of the file; the launcher keeps no handle open.
        with open(self.log_dir / f"{name}.{self.rasa_port}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def start(self, timeout: float = 180) -> float:
        """Start the servers and wait until they answer; return the seconds it took."""
        if not self.model.exists():
            raise FileNotFoundError(f"{self.model} is missing: run `make train`")
        started = time.perf_counter()
        self._spawn_actions()
        self._spawn_rasa()
        if self.web_port is not None:
            self._spawn_web()
        self._wait_actions(started + timeout)
        self._wait(f"{self.url}/", "rasa", started + timeout)
        if self.web_port is not None:
            self._wait(f"http://{self.host}:{self.web_port}/healthz", "web", started + timeout)
        return time.perf_counter() - started

    def start_actions(self, timeout: float = 60) -> float:
        """Start only the action server (after ``stop("actions")``); return the seconds it took."""
        started = time.perf_counter()
        self._spawn_actions()
        self._wait_actions(started + timeout)
        return time.perf_counter() - started

    def start_rasa(self, timeout: float = 180) -> float:
        """Start only the Rasa server (after ``stop("rasa")``); return the seconds it took."""
        started = time.perf_counter()
        self._spawn_rasa()
        self._wait(f"{self.url}/", "rasa", started + timeout)
        return time.perf_counter() - started

    def _environment(self) -> Dict[str, str]:
        """The processes' environment: process.env's settings, the caller's, ``env``; and the logbook
        in the endpoints' PostgreSQL when they keep conversations there and KB_LOG_URL is not set."""
        env = {**environment(), **self.env}
        env.setdefault(WEB_PUBLIC_URL_VARIABLE, self.web_url)
        if not env.get(LOG_URL_VARIABLE):
            url = logbook_url(self.endpoints, env)
            if url:
                env[LOG_URL_VARIABLE] = url
        return env

    def _spawn_actions(self) -> None:
        # rasa-sdk has no authentication: it listens on localhost unless ACTIONS_HOST says otherwise.
        host = os.environ.get("ACTIONS_HOST", "127.0.0.1")
        self._spawn(
            "actions",
            [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions"]
            + ["--port", str(self.actions_port)],
            # RASA_API_URL: an expert's WeCom reply is relayed to the salesperson through Rasa's API.
            {"RASA_API_URL": self.url, **self._environment(), "SANIC_HOST": host},
        )

    def _spawn_rasa(self) -> None:
        args = [
            str(VENV_BIN / "python"),
            "-m",
            "bot.server",
            "run",
            "--model",
            str(self.model),
            "--endpoints",
            str(self._endpoints_file()),
            "--credentials",
            str(self._credentials_file()),
            "--interface",
            self.host,
            "--port",
            str(self.rasa_port),
            "--enable-api",
            "--auth-token",
            api_token(),
        ]
        if self.cors:  # one --cors with every origin: Rasa keeps only the last of repeated flags
            args += ["--cors", *self.cors]
        self._spawn("rasa", args, self._environment())

    def _spawn_web(self) -> None:
        args = ["-m", "bot.web", "--host", self.host, "--port", str(self.web_port)]
        args += ["--rasa-port", str(self.rasa_port)]
        self._spawn("web", [str(VENV_BIN / "python"), *args], self._environment())

    def _wait_actions(self, deadline: float) -> None:
        self._wait(f"http://127.0.0.1:{self.actions_port}/health", "actions", deadline)
        self._warm_up_actions()

    # What the action server loads on its first answers: the full-text search (jieba) and the
    # fact reader (its trained model); no user should wait for either.
    WARM_UP = (("action_answer_term", QUESTION), ("action_classify_customer", DESCRIPTION))

    def _warm_up_actions(self) -> None:
        """Run one search and one classification in the action server before anyone asks."""
        for action, text in self.WARM_UP:
            call = {
                "next_action": action,
                "sender_id": "warm-up",
                "tracker": {
                    "sender_id": "warm-up",
                    "slots": {},
                    "events": [],
                    "latest_message": {"text": text, "entities": [], "intent": {}},
                },
                "domain": {},
            }
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.actions_port}/webhook",
                data=json.dumps(call).encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60):
                    pass
            except OSError as error:  # a cold first answer is not worth failing the start for
                print(f"warning: warming up the action server failed: {error}", file=sys.stderr)

    def _wait(self, url: str, name: str, deadline: float) -> None:
        while time.perf_counter() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} server exited with {process.returncode}; see {self.log_dir}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(f"{name} server did not answer at {url}; see {self.log_dir}")

    def stop(self, name: str | None = None) -> None:
        """Stop one server (by name) or all; SIGTERM first, SIGKILL after 10 s."""
        names = [name] if name else list(self.processes)
        for key in names:
            process = self.processes.get(key)
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for key in names:
            process = self.processes.pop(key, None)
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if name is None:
            for path, inode in self._written.items():
                if path.exists() and path.stat().st_ino == inode:
                    path.unlink()
            self._written.clear()

    def failed(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None
