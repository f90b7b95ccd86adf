"""DingTalk (钉钉) enterprise internal robot (企业内部应用机器人) as a Rasa channel, on the shared channel
core (``messenger.py``).

DingTalk POSTs every message for the robot to ``/webhooks/dingtalk/callback`` (the robot's 消息接收地址,
HTTP mode): one-to-one chats, and group messages that @-mention the robot. We check the ``timestamp``
and ``sign`` headers with the AppSecret (``dingtalk_callback.py``: ±1 hour, as DingTalk documents),
answer an empty 200 at once and the core handles the message in the background; replies go out
through the robot's send API with a cached access token (``dingtalk_api.py``), never in the HTTP answer.

Buttons become a numbered list, as in WeCom: DingTalk's ActionCard buttons only open links, and the
``dtmd://`` link that would send a title back as the user's message is not documented for enterprise
robots, so a list the user answers with ``1`` or the title is what every DingTalk client shows alike.

Enable it in credentials.yml (``python -m bot.launcher`` adds this when the DINGTALK_* variables are set):

    bot.channels.dingtalk.DingTalkInput:
      app_key: ${DINGTALK_APP_KEY}
      app_secret: ${DINGTALK_APP_SECRET}
      robot_code: ${DINGTALK_ROBOT_CODE}   # optional: an internal app's robot code is its AppKey
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dingtalk_api import DEFAULT_API_BASE, DingTalkApi
from bot.channels.dingtalk_callback import RobotCallback, conversation_of
from bot.channels.inbound import CallbackRejected
from bot.channels.messenger import MessengerInput, MessengerOutput, checked_credentials, load_texts

logger = logging.getLogger(__name__)

# DingTalk documents no byte limit for a robot's sampleText; 4,000 bytes (~1,300 Chinese characters)
# keeps a part to a phone screen or two and far from any limit.
TEXT_LIMIT = 4000
MAX_PARTS = 4
_REQUIRED = ("app_key", "app_secret")


class DingTalkOutput(MessengerOutput):
    """Sends one turn's replies as the robot's text messages, to the person or to the group."""

    platform = "DingTalk"
    text_limit = TEXT_LIMIT
    max_parts = MAX_PARTS

    @classmethod
    def name(cls) -> str:
        return "dingtalk"

    def __init__(self, api: DingTalkApi, texts: Dict[str, str]) -> None:
        super().__init__(texts)
        self.api = api

    async def _send_text(self, recipient_id: str, text: str) -> None:
        await self.api.send_text(conversation_of(recipient_id), text)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        logger.debug("DingTalk channel: ignored a custom payload")


class DingTalkInput(MessengerInput):
    """Receives DingTalk robot callbacks under /webhooks/dingtalk/ and answers through the robot API."""

    platform = "DingTalk"

    @classmethod
    def name(cls) -> str:
        return "dingtalk"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = checked_credentials(credentials, _REQUIRED, "DingTalk")
        app_key, app_secret = str(credentials["app_key"]).strip(), str(credentials["app_secret"]).strip()
        api = DingTalkApi(
            app_key=app_key,
            app_secret=app_secret,
            robot_code=str(credentials.get("robot_code") or "").strip() or app_key,
            api_base=str(credentials.get("api_base") or DEFAULT_API_BASE),
        )
        return cls(RobotCallback(app_secret), api, load_texts())

    def __init__(self, callback: RobotCallback, api: DingTalkApi, texts: Dict[str, str]) -> None:
        super().__init__(api, texts)
        self.callback = callback

    def get_output_channel(self) -> DingTalkOutput:
        return DingTalkOutput(self.api, self.texts)

    def routes(self, webhook: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        @webhook.route("/callback", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            headers = {name.lower(): value for name, value in request.headers.items()}
            try:
                message = self.callback.open(headers, self.body(request))
            except CallbackRejected as rejected:
                return self.reject(request, rejected)
            self.accept(request, message, on_new_message)
            return response.text("")
