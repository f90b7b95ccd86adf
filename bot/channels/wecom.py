"""WeCom (企业微信) self-built application as a Rasa channel, on the shared channel core (``messenger.py``).

WeCom calls one URL of ours, ``/webhooks/wecom/callback``:

- ``GET ?msg_signature&timestamp&nonce&echostr`` when the admin saves the callback settings: we check
  the signature, decrypt ``echostr`` and answer its plain text.
- ``POST ?msg_signature&timestamp&nonce`` with ``<xml><ToUserName/><AgentID/><Encrypt/></xml>`` for each
  message or event: we check the signature and the timestamp, decrypt, answer an empty 200 at once
  (WeCom waits ~5 s, then retries three times) and the core handles the message in a background task.
  Replies go out through WeCom's message API (``bot/channels/wecom_api.py``), never in the HTTP answer.

Signatures and AES follow WeCom's "加解密方案" through wechatpy (``wecom_callback.py``). A retried
callback is recognised by its MsgId and handled once. Bot buttons become a numbered list; the user
answers with the number or the title. Texts the channel sends on its own are in
``bot/channels/messenger.yml``, shared with the other messaging apps.

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
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound import Incoming
from bot.channels.messenger import (
    MessengerInput,
    MessengerOutput,
    checked_credentials,
    load_texts,
    query_args,
)
from bot.channels.spreadsheets import LIMITS, SpreadsheetAnalyst, is_spreadsheet, refusal
from bot.channels.wecom_api import DEFAULT_API_BASE, MediaTooLarge, WeComApi, WeComApiError
from bot.channels.wecom_callback import CallbackCrypto, CallbackRejected, incoming

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2048  # bytes of UTF-8 in one WeCom text message
MAX_PARTS = 4  # text messages one reply may take before it is cut
XML_TYPES = {"", "text/xml", "application/xml", "text/plain", "application/octet-stream"}
_REQUIRED = ("corp_id", "agent_id", "secret", "token", "aes_key")


class WeComOutput(MessengerOutput):
    """Sends one turn's replies as WeCom text messages; buttons are numbered across the turn."""

    platform = "WeCom"
    text_limit = TEXT_LIMIT
    max_parts = MAX_PARTS

    @classmethod
    def name(cls) -> str:
        return "wecom"

    def __init__(self, api: WeComApi, texts: Dict[str, str]) -> None:
        super().__init__(texts)
        self.api = api

    async def _send_text(self, recipient_id: str, text: str) -> None:
        await self.api.send({"msgtype": "text", "text": {"content": text}, "touser": recipient_id})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """A custom payload with a WeCom ``msgtype`` (markdown, textcard…) is sent as it is."""
        if "msgtype" in json_message:
            message = {**json_message, "touser": recipient_id}
            await self._deliver(recipient_id, lambda: self.api.send(message))
        else:
            logger.debug("WeCom channel: ignored a custom payload without msgtype")


class WeComInput(MessengerInput):
    """Receives WeCom callbacks under /webhooks/wecom/ and answers through WeCom's message API."""

    platform = "WeCom"
    media_types = XML_TYPES

    @classmethod
    def name(cls) -> str:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = checked_credentials(credentials, _REQUIRED, "WeCom")
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
        super().__init__(api, texts)
        self.crypto = crypto
        self.analyst = SpreadsheetAnalyst(texts)

    async def handle_file(self, message: Incoming, output: MessengerOutput) -> None:
        """A file message: a spreadsheet is downloaded (media/get), analysed and summarised with the
        link to its result; any other file, or one WeCom will not give, gets its Chinese message."""
        user, name = message.sender, message.file_name
        if name and not is_spreadsheet(name):  # no need to download what cannot be read
            await output.send_text_message(user, refusal("wrong_extension", file=name))
            return
        try:
            given, data = await self.api.download(message.media_id, LIMITS.max_bytes)
        except MediaTooLarge:
            limit_mb = LIMITS.max_bytes // 2**20
            await output.send_text_message(
                user, refusal("upload_too_large", file=name or "文件", limit_mb=limit_mb)
            )
            return
        except WeComApiError as error:
            logger.warning("WeCom channel: could not download a file for %s: %s", user, error)
            await output.send_text_message(user, self.texts["file_download_failed"])
            return
        reply = await asyncio.get_running_loop().run_in_executor(
            None, self.analyst.answer, name or given, data
        )
        await output.send_text_message(user, reply)

    def get_output_channel(self) -> WeComOutput:
        return WeComOutput(self.api, self.texts)

    def routes(self, webhook: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        @webhook.route("/callback", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                return response.text(self.crypto.verify_url(query_args(request)))
            except CallbackRejected as rejected:
                return self.reject(request, rejected)

        @webhook.route("/callback", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = self.crypto.open(query_args(request), self.body(request))
            except CallbackRejected as rejected:
                return self.reject(request, rejected)
            self.accept(request, incoming(message, self.api.agent_id), on_new_message)
            return response.text("")
