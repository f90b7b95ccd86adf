"""The channel core the messaging-app connectors share (WeCom, DingTalk, Feishu), written once.

A connector checks the platform's callback with its protocol module and hands the core an ``Incoming``
(``inbound.py``); the core then does what every messaging app needs:

- answers the platform at once (the connector returns its 200) and handles the message in a background
  task, because the platforms wait only a few seconds and then retry;
- handles a retried callback once: the message ids are kept in the Redis of Rasa's lock store when
  there is one, so a retry that reaches another server is recognised too (``dedupe.py``);
- answers pictures, voice and files, empty messages and messages too long to read with the texts of
  ``bot/channels/messenger.yml``, and a failure inside the assistant with an apology;
- reads a number or a button title typed after a numbered list as that button's payload, from the
  last bot turn in the tracker store, which every Rasa server shares (``text.py``);
- sends replies through the platform's API, split to fit its messages, buttons numbered across a turn.

A connector subclasses ``MessengerInput`` (its blueprint) and ``MessengerOutput`` (how one text goes out).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, ClassVar, Collection, Dict, List, Set

import yaml
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedupe import RedisSeenMessages, SeenMessages, seen_messages_for
from bot.channels.inbound import EVENT, FILE, TEXT, CallbackRejected, Incoming
from bot.channels.platform_api import PlatformApiError
from bot.channels.text import Button, choose, has_visible_text, offered_buttons, render_choices, split_text

logger = logging.getLogger(__name__)

TEXTS_PATH = Path(__file__).with_name("messenger.yml")
TEXT_KEYS = {
    "choices_header",
    "non_text",
    "empty",
    "too_long",
    "error",
    "truncated",
    "file_download_failed",
    "file_failed",
}
MAX_BODY = 64 * 1024  # a callback is a few kilobytes at most; anything this big is not from the platform
# Understanding a message grows faster than its length (2,000 characters ~0.5 s, 10,000 ~9 s) and blocks
# the server's event loop, delaying every other callback's answer past the platforms' few seconds.
MAX_TEXT_CHARS = 2000
CHOICE_ANSWER_MAX = 30  # longer answers are never a button title, so the tracker is not read
CHOICES_VALID_FOR = 3600  # seconds: "1" an hour after a list is a new message, not a pick
JSON_TYPES = {"", "application/json", "text/plain"}


def load_texts(path: Path = TEXTS_PATH) -> Dict[str, str]:
    texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = TEXT_KEYS - set(texts)
    if missing:
        raise ValueError(f"{path}: missing text(s) {', '.join(sorted(missing))}")
    return {key: str(value) for key, value in texts.items()}


class MessengerOutput(OutputChannel):
    """Sends one turn's replies as the platform's text messages; buttons are numbered across the turn.

    Subclasses set ``platform``, ``text_limit`` (bytes of UTF-8 in one message) and ``max_parts``, and
    implement ``_send_text``, raising ``PlatformApiError`` when the platform refuses.
    """

    platform: ClassVar[str] = "messenger"
    text_limit: ClassVar[int] = 2048
    max_parts: ClassVar[int] = 4

    def __init__(self, texts: Dict[str, str]) -> None:
        self.texts = texts
        self.choices_shown = 0
        self.sent = 0

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text or "", self.text_limit, self.max_parts, self.texts["truncated"]):
            await self._deliver(recipient_id, lambda part=part: self._send_text(recipient_id, part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Button], **kwargs: Any
    ) -> None:
        numbered = render_choices(text, buttons, self.texts["choices_header"], self.choices_shown + 1)
        self.choices_shown += len(buttons)
        await self.send_text_message(recipient_id, numbered)

    async def _send_text(self, recipient_id: str, text: str) -> None:
        raise NotImplementedError

    async def _deliver(self, recipient_id: str, send: Callable[[], Awaitable[Any]]) -> None:
        """Run one send; a refusal is logged (a failed send is not retried blindly) and counted out."""
        try:
            await send()
            self.sent += 1
        except PlatformApiError as error:
            logger.error("%s channel: could not send a message to %s: %s", self.platform, recipient_id, error)


def checked_credentials(
    credentials: Dict[str, Any] | None, required: Collection[str], platform: str
) -> Dict[str, Any]:
    """The channel's credentials.yml section, every required one set (else Rasa stops naming them)."""
    credentials = credentials or {}
    missing = [key for key in required if not str(credentials.get(key) or "").strip()]
    if missing:
        raise RasaException(
            f"{platform} channel: missing credential(s) {', '.join(missing)} in credentials.yml"
        )
    return credentials


class MessengerInput(InputChannel):
    """Receives a platform's callbacks under /webhooks/<name>/ and answers through its API.

    Subclasses set ``platform``, implement ``name``, ``get_output_channel`` and ``routes`` (the callback
    routes, which call ``accept`` with each checked message), and keep their API client in ``self.api``.
    """

    platform: ClassVar[str] = "messenger"
    media_types: ClassVar[Collection[str]] = JSON_TYPES

    def __init__(self, api: Any, texts: Dict[str, str]) -> None:
        self.api, self.texts = api, texts
        self.seen: SeenMessages | RedisSeenMessages | None = None  # chosen with the agent's lock store
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self) -> MessengerOutput:
        raise NotImplementedError

    def routes(self, webhook: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        raise NotImplementedError

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        self.routes(webhook, on_new_message)

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()

        return webhook

    # --- helpers for the connectors' routes ------------------------------------------------------
    def body(self, request: Request) -> bytes:
        """The request body, refused when its media type is not the platform's or it is too big."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in self.media_types:
            raise CallbackRejected(415, f"content type {media_type} is not what {self.platform} sends")
        body = request.body or b""
        if len(body) > MAX_BODY:
            raise CallbackRejected(413, "body too large")
        return body

    def reject(self, request: Request, rejected: CallbackRejected) -> HTTPResponse:
        logger.warning(
            "%s channel: rejected %s %s from %s: %s",
            self.platform,
            request.method,
            request.path,
            request.ip,
            rejected.reason,
        )
        return response.text(rejected.reason, status=rejected.status)

    def accept(
        self, request: Request, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Handle ``incoming`` in the background, once per message id; the caller answers 200 at once."""
        agent = getattr(request.app.ctx, "agent", None)
        if self.seen is None:
            self.seen = seen_messages_for(getattr(agent, "lock_store", None), prefix=f"{self.name()}:seen:")
        if self.seen.first_time(incoming.key):
            task = asyncio.get_running_loop().create_task(self._handle(incoming, on_new_message, agent))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            logger.info("%s channel: %s was already handled (a retry); ignored", self.platform, incoming.key)

    # --- one message ---------------------------------------------------------------------------
    async def _handle(
        self, message: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> None:
        user = message.sender
        output = self.get_output_channel()
        try:
            if message.kind == EVENT:
                return
            if message.kind == FILE:
                await self.handle_file(message, output)
                return
            if message.kind != TEXT:
                await output.send_text_message(user, self.texts["non_text"])
                return
            text = message.text
            if not has_visible_text(text):
                await output.send_text_message(user, self.texts["empty"])
                return
            if len(text) > MAX_TEXT_CHARS:
                await output.send_text_message(user, self.texts["too_long"].format(limit=MAX_TEXT_CHARS))
                return
            payload = await self._picked_choice(agent, user, text)
            await on_new_message(
                UserMessage(
                    payload or text,
                    output,
                    user,
                    input_channel=self.name(),
                    message_id=message.message_id or None,
                    metadata=dict(message.metadata),
                )
            )
            if output.sent == 0:
                logger.warning("%s channel: the assistant sent nothing for %s", self.platform, message.key)
        except Exception:
            logger.exception("%s channel: handling message from %s failed", self.platform, user)
            await output.send_text_message(user, self.texts["error"])

    async def handle_file(self, message: Incoming, output: MessengerOutput) -> None:
        """A file the user sent; a connector that can download files overrides this."""
        await output.send_text_message(message.sender, self.texts["non_text"])

    async def _picked_choice(self, agent: Any, user: str, text: str) -> str | None:
        """The payload of a button of the last bot turn that ``text`` picks, if any."""
        if len(text) > CHOICE_ANSWER_MAX or agent is None or getattr(agent, "tracker_store", None) is None:
            return None
        tracker = await agent.tracker_store.retrieve(user)
        if tracker is None:
            return None
        last_turn: List[Dict[str, Any]] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered) and time.time() - event.timestamp < CHOICES_VALID_FOR:
                last_turn.append({"event": "bot", "data": event.data})
        return choose(text, offered_buttons(reversed(last_turn)))


def query_args(request: Request) -> Dict[str, str]:
    """The first value of each query parameter (Sanic has already URL-decoded them)."""
    return {name: values[0] for name, values in request.args.items() if values}
