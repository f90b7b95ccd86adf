"""Clients for the assistant's entry points, as tests and benchmarks use them.

Every entry point is reduced to one call, ``send(sender, text) -> Reply``, so a test
can run the same cases through REST, socket.io or any other channel.
"""

from __future__ import annotations

import json
import queue
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import socketio
import yaml

from knowledge.paths import REPO_ROOT


@dataclass
class Reply:
    """What an entry point answered: an HTTP status (200 for a socket.io answer) and the bot's texts."""

    status: int
    texts: List[str] = field(default_factory=list)
    body: str = ""
    messages: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def http(
    url: str,
    body: bytes | None = None,
    method: str = "POST",
    content_type: str | None = "application/json",
    headers: Dict[str, str] | None = None,
    timeout: float = 60,
) -> Tuple[int, Dict[str, str], str]:
    """A raw HTTP request: status, headers and body, whatever the status."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def rest_reply(status: int, body: str) -> Reply:
    messages = json.loads(body) if status == 200 else []
    return Reply(status, [m["text"] for m in messages if m.get("text")], body, messages)


class RestClient:
    """``POST /webhooks/rest/webhook``."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"

    def __call__(self, sender: str, text: str) -> Reply:
        status, _, body = http(self.url, json.dumps({"sender": sender, "message": text}).encode("utf-8"))
        return rest_reply(status, body)


class SocketIOChat:
    """One socket.io connection (polling transport) with a persistent session, as the web widget uses it."""

    def __init__(self, base_url: str, session_id: str, timeout: float = 20) -> None:
        self.session_id = session_id
        self.events: queue.Queue[Tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        confirmed = threading.Event()
        self.client.on("session_confirm", lambda _: confirmed.set())
        self.client.on("bot_uttered", lambda data: self.events.put(("bot_uttered", data)))
        self.client.on("invalid_message", lambda data: self.events.put(("invalid_message", data)))
        self.client.connect(base_url, transports=["polling"], socketio_path="socket.io", wait_timeout=timeout)
        self.client.emit("session_request", {"session_id": session_id})
        if not confirmed.wait(timeout):
            self.close()
            raise TimeoutError("no session_confirm from the socket.io channel")

    def emit(self, data: Any, timeout: float = 30, quiet: float = 0.5) -> List[Tuple[str, Any]]:
        """Send one ``user_uttered`` event; return the events received until ``quiet`` seconds pass."""
        self.client.emit("user_uttered", data)
        received = [self.events.get(timeout=timeout)]
        while True:
            try:
                received.append(self.events.get(timeout=quiet))
            except queue.Empty:
                return received

    def say(self, text: str, **wait: float) -> Reply:
        events = self.emit({"message": text, "session_id": self.session_id}, **wait)
        bot = [data for name, data in events if name == "bot_uttered"]
        invalid = [data for name, data in events if name == "invalid_message"]
        if invalid:
            return Reply(400, body=json.dumps(invalid, ensure_ascii=False))
        return Reply(200, [m["text"] for m in bot if m.get("text")], json.dumps(bot, ensure_ascii=False), bot)

    def close(self) -> None:
        self.client.disconnect()


class SocketIOClient:
    """``send(sender, text)`` over socket.io: one connection per sender, kept open."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.chats: Dict[str, SocketIOChat] = {}

    def __call__(self, sender: str, text: str) -> Reply:
        if sender not in self.chats:
            self.chats[sender] = SocketIOChat(self.base_url, sender)
        return self.chats[sender].say(text)

    def close(self) -> None:
        for chat in self.chats.values():
            chat.close()
        self.chats.clear()


def domain_response(name: str, **values: Any) -> str:
    """The first text of a domain response, filled in like Rasa does."""
    for path in sorted((REPO_ROOT / "bot" / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        if name in responses:
            return responses[name][0]["text"].format(**values)
    raise KeyError(name)


def message_limit() -> int:
    """``max_message_chars`` of the normaliser in config.yml."""
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    (normaliser,) = [c for c in config["pipeline"] if c["name"].endswith("ChineseNormalizer")]
    return int(normaliser["max_message_chars"])
