"""WeCom (企业微信) self-built application as a Rasa channel.

WeCom calls one URL of ours, ``/webhooks/wecom/callback``:

- ``GET ?msg_signature&timestamp&nonce&echostr`` when the admin saves the callback settings: we check
  the signature, decrypt ``echostr`` and answer its plain text.
- ``POST ?msg_signature&timestamp&nonce`` with ``<xml><ToUserName/><AgentID/><Encrypt/></xml>`` for each
  message or event: we check the signature and the timestamp, decrypt, answer an empty 200 at once
  (WeCom waits ~5 s, then retries three times) and handle the message in a background task. Replies
  go out through WeCom's message API (``bot/channels/wecom_api.py``), never in the HTTP answer.

Signatures and AES follow WeCom's "加解密方案" through wechatpy. A retried callback is recognised by
its MsgId and handled once. Bot buttons become a numbered list; the user answers with the number or
the title, which is mapped back to the button's payload from the last bot turn in the tracker store
(shared by all Rasa servers). Texts the channel sends on its own are in ``bot/channels/wecom.yml``.

Enable it in credentials.yml (``python -m bot.launcher`` adds this when the WECOM_* variables are set):

    bot.channels.wecom.WeComInput:
      corp_id: ${WECOM_CORP_ID}
      agent_id: ${WECOM_AGENT_ID}
      secret: ${WECOM_SECRET}
      token: ${WECOM_TOKEN}
      aes_key: ${WECOM_AES_KEY}
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Set

import yaml
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedupe import RedisSeenMessages, SeenMessages, seen_messages_for
from bot.channels.text import Button, choose, has_visible_text, offered_buttons, render_choices, split_text
from bot.channels.wecom_api import DEFAULT_API_BASE, WeComApi, WeComApiError
from bot.channels.wecom_callback import CallbackCrypto, CallbackRejected, dedupe_key

logger = logging.getLogger(__name__)

TEXTS_PATH = Path(__file__).with_suffix(".yml")
TEXT_LIMIT = 2048  # bytes of UTF-8 in one WeCom text message
MAX_PARTS = 4  # text messages one reply may take before it is cut
MAX_BODY = 64 * 1024  # a callback is a few hundred bytes; anything this big is not from WeCom
# Understanding a message grows faster than its length (2,000 characters ~0.5 s, 10,000 ~9 s) and blocks
# the server's event loop, delaying every other callback's answer past WeCom's 5 s.
MAX_TEXT_CHARS = 2000
CHOICE_ANSWER_MAX = 30  # longer answers are never a button title, so the tracker is not read
CHOICES_VALID_FOR = 3600  # seconds: "1" an hour after a list is a new message, not a pick
XML_TYPES = {"", "text/xml", "application/xml", "text/plain", "application/octet-stream"}
_REQUIRED = ("corp_id", "agent_id", "secret", "token", "aes_key")


def load_texts(path: Path = TEXTS_PATH) -> Dict[str, str]:
    texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = {"choices_header", "non_text", "empty", "too_long", "error", "truncated"} - set(texts)
    if missing:
        raise ValueError(f"{path}: missing text(s) {', '.join(sorted(missing))}")
    return {key: str(value) for key, value in texts.items()}


class WeComOutput(OutputChannel):
    """Sends one turn's replies as WeCom text messages; buttons are numbered across the turn."""

    @classmethod
    def name(cls) -> str:
        return "wecom"

    def __init__(self, api: WeComApi, texts: Dict[str, str]) -> None:
        self.api, self.texts = api, texts
        self.choices_shown = 0
        self.sent = 0

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text or "", TEXT_LIMIT, MAX_PARTS, self.texts["truncated"]):
            await self._send(recipient_id, {"msgtype": "text", "text": {"content": part}})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Button], **kwargs: Any
    ) -> None:
        numbered = render_choices(text, buttons, self.texts["choices_header"], self.choices_shown + 1)
        self.choices_shown += len(buttons)
        await self.send_text_message(recipient_id, numbered)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """A custom payload with a WeCom ``msgtype`` (markdown, textcard…) is sent as it is."""
        if "msgtype" in json_message:
            await self._send(recipient_id, dict(json_message))
        else:
            logger.debug("WeCom channel: ignored a custom payload without msgtype")

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> None:
        try:
            await self.api.send({**message, "touser": recipient_id})
            self.sent += 1
        except WeComApiError as error:
            logger.error("WeCom channel: could not send a message to %s: %s", recipient_id, error)


class WeComInput(InputChannel):
    """Receives WeCom callbacks under /webhooks/wecom/ and answers through WeCom's message API."""

    @classmethod
    def name(cls) -> str:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        missing = [key for key in _REQUIRED if not str(credentials.get(key) or "").strip()]
        if missing:
            raise RasaException(
                f"WeCom channel: missing credential(s) {', '.join(missing)} in credentials.yml"
            )
        agent_id = str(credentials["agent_id"]).strip()
        if not agent_id.isdigit():
            raise RasaException("WeCom channel: agent_id must be the application's numeric AgentId")
        try:
            crypto = CallbackCrypto(
                str(credentials["token"]), str(credentials["aes_key"]), str(credentials["corp_id"])
            )
        except ValueError as error:
            raise RasaException(f"WeCom channel: {error}") from error
        api = WeComApi(
            corp_id=str(credentials["corp_id"]),
            secret=str(credentials["secret"]),
            agent_id=int(agent_id),
            api_base=str(credentials.get("api_base") or DEFAULT_API_BASE),
        )
        return cls(crypto, api, load_texts())

    def __init__(self, crypto: CallbackCrypto, api: WeComApi, texts: Dict[str, str]) -> None:
        self.crypto, self.api, self.texts = crypto, api, texts
        self.seen: SeenMessages | RedisSeenMessages | None = None  # chosen with the agent's lock store
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self) -> WeComOutput:
        return WeComOutput(self.api, self.texts)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wecom_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/callback", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                return response.text(self.crypto.verify_url(_args(request)))
            except CallbackRejected as rejected:
                return _reject(request, rejected)

        @webhook.route("/callback", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = self.crypto.open(_args(request), _xml_body(request))
            except CallbackRejected as rejected:
                return _reject(request, rejected)
            agent = getattr(request.app.ctx, "agent", None)
            if self.seen is None:
                self.seen = seen_messages_for(getattr(agent, "lock_store", None), prefix="wecom:seen:")
            if self.seen.first_time(dedupe_key(message)):
                task = asyncio.get_running_loop().create_task(self._handle(message, on_new_message, agent))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            else:
                logger.info("WeCom channel: %s was already handled (a retry); ignored", dedupe_key(message))
            return response.text("")

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()

        return webhook

    async def _handle(
        self, message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> None:
        user = str(message.source)
        output = self.get_output_channel()
        try:
            if message.type == "event":
                return
            if message.type != "text":
                await output.send_text_message(user, self.texts["non_text"])
                return
            text = str(message.content or "")
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
                    message_id=str(message.id),
                    metadata={"wecom_agent_id": self.api.agent_id},
                )
            )
            if output.sent == 0:
                logger.warning("WeCom channel: the assistant sent nothing for message %s", message.id)
        except Exception:
            logger.exception("WeCom channel: handling message from %s failed", user)
            await output.send_text_message(user, self.texts["error"])

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


def _args(request: Request) -> Dict[str, str]:
    """The first value of each query parameter (Sanic has already URL-decoded them)."""
    return {name: values[0] for name, values in request.args.items() if values}


def _xml_body(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in XML_TYPES:
        raise CallbackRejected(415, f"content type {media_type} is not XML")
    body = request.body or b""
    if len(body) > MAX_BODY:
        raise CallbackRejected(413, "body too large")
    return body


def _reject(request: Request, rejected: CallbackRejected) -> HTTPResponse:
    logger.warning(
        "WeCom channel: rejected %s %s from %s: %s", request.method, request.path, request.ip, rejected.reason
    )
    return response.text(rejected.reason, status=rejected.status)
