"""bot/action_failures.py in process: real Rasa objects, real sockets, no Rasa server."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Iterator

import pytest
import rasa.core.actions.action as rasa_actions
import rasa.core.actions.forms as rasa_forms
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, action_for_name_or_text
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_failures
from knowledge.paths import REPO_ROOT
from tests.bot.clients import domain_response
from tests.ports import free_port


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "bot" / "domain"))


@pytest.fixture
def installed() -> Iterator[None]:
    originals = rasa_actions.RemoteAction, rasa_forms.RemoteAction
    action_failures.install()
    yield
    rasa_actions.RemoteAction, rasa_forms.RemoteAction = originals


def run(action: RemoteAction, domain: Domain):
    tracker = DialogueStateTracker.from_events("user", [], slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, domain))


def assert_apology(events) -> None:
    assert len(events) == 2
    assert isinstance(events[0], BotUttered) and events[0].text == domain_response(
        "utter_service_unavailable"
    )
    assert events[1] == FollowupAction("action_listen")


def test_rasa_creates_the_polite_action_for_custom_actions(installed, domain):
    endpoint = EndpointConfig(url="http://127.0.0.1:1/webhook")
    assert isinstance(
        action_for_name_or_text("action_answer_term", domain, endpoint), action_failures.PoliteRemoteAction
    )
    assert rasa_forms.RemoteAction is action_failures.PoliteRemoteAction  # form validation calls


def test_no_action_server_listening_gets_the_apology(installed, domain):
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook")
    assert_apology(run(rasa_actions.RemoteAction("action_answer_term", endpoint), domain))


def test_a_silent_action_server_gets_the_apology_after_the_timeout(installed, domain):
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/webhook"
        endpoint = EndpointConfig(url=url, timeout=0.5)
        assert_apology(run(rasa_actions.RemoteAction("action_answer_term", endpoint), domain))


class Answer(BaseHTTPRequestHandler):
    status = 500
    body = b"{}"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def action_server() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_action_server_error_gets_the_apology(installed, domain, action_server):
    Answer.status, Answer.body = 500, b'{"error": "boom"}'
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{action_server.server_port}/webhook")
    assert_apology(run(rasa_actions.RemoteAction("action_answer_term", endpoint), domain))


def test_an_action_that_rejects_on_purpose_still_lets_rasa_decide(installed, domain, action_server):
    Answer.status = 400
    Answer.body = json.dumps({"action_name": "action_answer_term", "error": "not now"}).encode()
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{action_server.server_port}/webhook")
    with pytest.raises(ActionExecutionRejection):
        run(rasa_actions.RemoteAction("action_answer_term", endpoint), domain)
