"""Servers that tests and benchmarks start: throw-away assistants, PostgreSQL and Redis, each on
free ports in a temporary folder, each stopped afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

from bot.processes import Assistant
from knowledge.paths import BUILD_DIR
from tests.ports import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
FIGURES_FILE = BUILD_DIR / "production_figures.json"


def scratch(folder: Path, **kwargs: Any) -> Assistant:
    """An assistant on free ports whose tracker store and logs are in ``folder`` (not yet started)."""
    options = {"tracker_db": folder / "tracker.db", "log_dir": folder / "logs", **kwargs}
    return Assistant(rasa_port=free_port(), actions_port=free_port(), **options)


@contextlib.contextmanager
def running(server: Assistant, start: str = "start") -> Iterator[Assistant]:
    """Start ``server`` (``start`` names the method), yield it, stop it; on failure show its logs."""
    try:
        getattr(server, start)()
    except Exception:
        server.stop()
        for log in sorted(server.log_dir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    try:
        yield server
    finally:
        server.stop()


def record(section: str, figures: Dict[str, Any]) -> None:
    """Print measured figures and keep them in build/production_figures.json for the README."""
    print(f"\n{section}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    data = json.loads(FIGURES_FILE.read_text()) if FIGURES_FILE.exists() else {}
    data[section] = figures
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=2))


class PostgreSQL:
    """A throw-away PostgreSQL cluster (Debian's postgresql package) on 127.0.0.1:<free port>.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
    user the Debian package creates and every command runs through ``runuser``.
    """

    def __init__(self, user: str = "rasa", database: str = "rasa") -> None:
        if not (PG_BIN / "initdb").exists():
            raise FileNotFoundError(
                f"{PG_BIN}/initdb is missing: run `make system` (Debian package postgresql)"
            )
        self.user, self.database = user, database
        self.password = secrets.token_urlsafe(16)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="rasa-postgres-"))
        self.data = self.dir / "data"
        self.owner = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = [*(["runuser", "-u", self.owner, "--"] if self.owner else []), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        password_file = self.dir / "password"
        password_file.write_text(self.password)
        if self.owner:
            account = pwd.getpwnam(self.owner)
            for path in (self.dir, password_file):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.user, f"--pwfile={password_file}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self.create_database(self.database)

    def create_database(self, name: str) -> str:
        """A new empty database on this cluster; its URL."""
        import psycopg2
        from psycopg2 import sql

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, password=self.password, dbname="postgres"
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        connection.close()
        return self.url(name)

    def url(self, database: str | None = None) -> str:
        """The SQLAlchemy URL of ``database`` (default: the one the tracker store uses)."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database or self.database}"

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
            except subprocess.CalledProcessError:
                pass  # it was not running
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> Dict[str, str]:
        """The variables bot/endpoints.production.yml reads."""
        return {
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_NAME": self.database,
            "DB_USER": self.user,
            "DB_PASSWORD": self.password,
        }


class Redis:
    """A throw-away redis-server (Debian's redis-server package) on 127.0.0.1:<free port>, no persistence."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.binary).exists():
            raise FileNotFoundError(
                "redis-server is missing: run `make system` (Debian package redis-server)"
            )
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.dir = Path(tempfile.mkdtemp(prefix="rasa-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> None:
        args: List[str] = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.dir), "--requirepass", self.password,
        ]  # fmt: skip
        log = open(self.dir / "log", "wb")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        deadline = time.time() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start; see {self.dir / 'log'}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> Dict[str, str]:
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_PASSWORD": self.password}
