"""The running assistant, started once per test session on free ports.

It uses the model `make test` trained (models/assistant.tar.gz), and a tracker
store, a knowledge base and a logbook in a temporary folder, so tests never
touch a developer's conversations, knowledge base or feedback, and a test may
rebuild the knowledge base the running assistant reads. The web front runs too
(``assistant.web_url``), talking to this Rasa.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.api_token import api_token
from bot.model import MODEL_PATH
from knowledge.build import build
from knowledge.logbook import Logbook
from tests.bot.servers import running, scratch
from tests.ports import free_port

LOG_SALT = "test-salt"
# Experts who answer at any hour, so that the handoff tests do not depend on the time they run.
ALWAYS_EXPERTS = """
experts:
  - {wecom_id: ZhangWei, name: 张经理}
  - {wecom_id: LiNa, name: 李老师}
hours: {timezone: Asia/Shanghai, days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00"}
timeout_minutes: 30
transcript_turns: 8
"""


def experts_file(folder: Path) -> Path:
    """A bot/experts.yml for a test assistant (``HANDOFF_CONFIG``); tests may rewrite it."""
    path = folder / "experts.yml"
    path.write_text(ALWAYS_EXPERTS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory):
    if not MODEL_PATH.exists():
        pytest.fail(f"{MODEL_PATH} is missing: run the suite with `make test`, which trains it")
    tmp = tmp_path_factory.mktemp("assistant")
    build(tmp / "knowledge.db", nlu_artefacts=False)
    env = {
        "KB_DB_PATH": str(tmp / "knowledge.db"),
        "KB_LOG_PATH": str(tmp / "logbook.db"),
        "KB_LOG_SALT": LOG_SALT,
        "HANDOFF_CONFIG": str(experts_file(tmp)),
    }
    with running(scratch(tmp, web_port=free_port(), env=env)) as server:
        yield server


@pytest.fixture(scope="session")
def logbook(assistant) -> Logbook:
    """The logbook the running assistant writes to (read it; rows of all tests are there)."""
    return Logbook(Path(assistant.env["KB_LOG_PATH"]), salt=LOG_SALT, retention=None)


def post_json(url: str, payload: Dict[str, Any], timeout: float = 30) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture(scope="session")
def say(assistant):
    """Send a message through the REST channel; return the bot's messages."""

    def send(sender: str, message: str) -> List[Dict[str, Any]]:
        return post_json(f"{assistant.url}/webhooks/rest/webhook", {"sender": sender, "message": message})

    return send


@pytest.fixture(scope="session")
def parse(assistant):
    """The NLU result for a text, through Rasa's HTTP API (token-protected)."""
    token = api_token()

    def run(text: str) -> Dict[str, Any]:
        return post_json(f"{assistant.url}/model/parse?token={token}", {"text": text})

    return run
