"""Feishu / Lark (飞书) app bot as a Rasa channel, on the shared channel core (``messenger.py``).

Feishu POSTs every subscribed event to ``/webhooks/feishu/callback`` (the app's 事件订阅 请求地址):
``im.message.receive_v1`` for each message a person sends the bot, one-to-one or in a group where the
bot is @-mentioned. We answer the URL check's challenge; for an event we check the Verification Token,
and with an Encrypt Key the AES encryption and the signature headers (``feishu_callback.py``), answer
``{}`` with 200 at once and the core handles the message in the background; replies go out through
``im/v1/messages`` with a cached tenant access token (``feishu_api.py``).

Buttons become a numbered list, as in WeCom and DingTalk: an interactive card's buttons report a
click through a second callback (卡片回传交互) with its own subscription and protocol, so the list the user
answers with ``1`` or the title keeps one way of choosing in all three apps.

Enable it in credentials.yml (``python -m bot.launcher`` adds this when the FEISHU_* variables are set):

    bot.channels.feishu.FeishuInput:
      app_id: ${FEISHU_APP_ID}
      app_secret: ${FEISHU_APP_SECRET}
      verification_token: ${FEISHU_VERIFICATION_TOKEN}
      encrypt_key: ${FEISHU_ENCRYPT_KEY}   # optional, recommended
      api_base: ${FEISHU_API_BASE}         # optional: https://open.larksuite.com for Lark
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.feishu_api import DEFAULT_API_BASE, FeishuApi
from bot.channels.feishu_callback import Challenge, EventCallback, conversation_of
from bot.channels.inbound import CallbackRejected
from bot.channels.messenger import MessengerInput, MessengerOutput, checked_credentials, load_texts

logger = logging.getLogger(__name__)

# A text message's request may be 150 KB; parts of 16 KB stay far below it after JSON escaping.
TEXT_LIMIT = 16 * 1024
MAX_PARTS = 4
_REQUIRED = ("app_id", "app_secret", "verification_token")


class FeishuOutput(MessengerOutput):
    """Sends one turn's replies as the bot's text messages, to the person or to the group."""

    platform = "Feishu"
    text_limit = TEXT_LIMIT
    max_parts = MAX_PARTS

    @classmethod
    def name(cls) -> str:
        return "feishu"

    def __init__(self, api: FeishuApi, texts: Dict[str, str]) -> None:
        super().__init__(texts)
        self.api = api

    async def _send_text(self, recipient_id: str, text: str) -> None:
        await self.api.send_text(conversation_of(recipient_id), text)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        logger.debug("Feishu channel: ignored a custom payload")


class FeishuInput(MessengerInput):
    """Receives Feishu events under /webhooks/feishu/ and answers through im/v1/messages."""

    platform = "Feishu"

    @classmethod
    def name(cls) -> str:
        return "feishu"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = checked_credentials(credentials, _REQUIRED, "Feishu")
        callback = EventCallback(
            str(credentials["verification_token"]).strip(), str(credentials.get("encrypt_key") or "").strip()
        )
        api = FeishuApi(
            app_id=str(credentials["app_id"]).strip(),
            app_secret=str(credentials["app_secret"]).strip(),
            api_base=str(credentials.get("api_base") or DEFAULT_API_BASE),
        )
        return cls(callback, api, load_texts())

    def __init__(self, callback: EventCallback, api: FeishuApi, texts: Dict[str, str]) -> None:
        super().__init__(api, texts)
        self.callback = callback

    def get_output_channel(self) -> FeishuOutput:
        return FeishuOutput(self.api, self.texts)

    def routes(self, webhook: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        @webhook.route("/callback", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            headers = {name.lower(): value for name, value in request.headers.items()}
            try:
                opened = self.callback.open(headers, self.body(request))
            except CallbackRejected as rejected:
                return self.reject(request, rejected)
            if isinstance(opened, Challenge):
                return response.json({"challenge": opened.challenge})
            self.accept(request, opened, on_new_message)
            return response.json({})
