"""A local stand-in for DingTalk: its robot API as a fake, and its robot callbacks as the platform builds
them.

``FakeDingTalkApi`` serves the new API's ``/v1.0/oauth2/accessToken``, ``/v1.0/robot/oToMessages/batchSend``
and ``/v1.0/robot/groupMessages/send`` as DingTalk answers them: the token in the
``x-acs-dingtalk-access-token`` header (HTTP 401 ``InvalidAuthentication`` when it is missing, unknown
or expired), errors as ``{"code", "message", "requestid"}`` with a 4xx status, ``msgParam`` a JSON
string, and staff ids it does not know named in ``invalidStaffIdList`` of a 200 answer.

``DingTalkPlatform`` builds what DingTalk POSTs to the robot's 消息接收地址: the message JSON with the
``timestamp`` (ms) and ``sign`` headers, signed with the AppSecret as DingTalk documents (written here
from the documentation, independently of ``bot/channels/dingtalk_callback.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple

from aiohttp import web

from tests.bot.channels.fake_api import Call, FakeApi

TOKEN = "/v1.0/oauth2/accessToken"
ONE_TO_ONE, GROUP = "/v1.0/robot/oToMessages/batchSend", "/v1.0/robot/groupMessages/send"
SAMPLE_KEYS = {"sampleText", "sampleMarkdown", "sampleActionCard"}


def error(status: int, code: str, message: str) -> Tuple[int, Dict[str, str]]:
    return status, {"code": code, "message": message, "requestid": uuid.uuid4().hex}


class FakeDingTalkApi(FakeApi):
    def __init__(self, app_key: str, app_secret: str, robot_code: str) -> None:
        super().__init__()
        self.app_key, self.app_secret, self.robot_code = app_key, app_secret, robot_code
        self.unknown_staff = {"ghost"}

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(TOKEN, self._token_route)
        router.add_post(ONE_TO_ONE, self._send)
        router.add_post(GROUP, self._send)

    async def _token_route(self, request: web.Request) -> web.Response:
        return await self.answer(request, self._token)

    def _token(self, body: bytes) -> Tuple[int, Any]:
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError:
            return error(400, "InvalidParameter", "请求体不是合法的JSON")
        if not request.get("appKey") or not request.get("appSecret"):
            return error(400, "MissingParameter", "appKey和appSecret不能为空")
        if request["appKey"] != self.app_key or request["appSecret"] != self.app_secret:
            return error(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        token, lifetime = self.new_token()
        return 200, {"accessToken": token, "expireIn": int(lifetime)}

    async def _send(self, request: web.Request) -> web.Response:
        state = self.token_state(request.headers.get("x-acs-dingtalk-access-token"))
        group = request.path == GROUP
        return await self.answer(request, lambda body: self._check_send(state, body, group))

    def _check_send(self, state: str, body: bytes, group: bool) -> Tuple[int, Any]:
        if state != "valid":
            return error(401, "InvalidAuthentication", "不合法的access_token")
        try:
            message = json.loads(body.decode("utf-8"))
            param = json.loads(message.get("msgParam") or "")
        except (ValueError, TypeError):
            return error(400, "InvalidParameter.MsgParam", "msgParam必须是JSON字符串")
        if message.get("robotCode") != self.robot_code:
            return error(400, "resource.not.found", "机器人不存在")
        if message.get("msgKey") not in SAMPLE_KEYS:
            return error(400, "InvalidParameter.MsgKey", "msgKey不合法")
        if message.get("msgKey") == "sampleText" and not (isinstance(param, dict) and param.get("content")):
            return error(400, "InvalidParameter.Content", "content不能为空")
        if group:
            if not message.get("openConversationId"):
                return error(400, "InvalidParameter.OpenConversationId", "openConversationId不能为空")
            return 200, {"processQueryKey": uuid.uuid4().hex}
        users = message.get("userIds")
        if not isinstance(users, list) or not users:
            return error(400, "InvalidParameter.UserIds", "userIds不能为空")
        invalid = [user for user in users if user in self.unknown_staff]
        return 200, {
            "processQueryKey": uuid.uuid4().hex,
            "invalidStaffIdList": invalid,
            "flowControlledStaffIdList": [],
        }

    def delivered_text(self, call: Call) -> Tuple[str, str] | None:
        if call.status != 200 or call.path not in (ONE_TO_ONE, GROUP):
            return None
        message = call.json
        if call.path == GROUP:
            recipient = message["openConversationId"]
        else:
            if call.answer.get("invalidStaffIdList"):
                return None
            recipient = message["userIds"][0]
        return recipient, json.loads(message["msgParam"])["content"]


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """timestamp + "\\n" + secret, HMAC-SHA256 with the secret as key, Base64 (DingTalk's documentation)."""
    string_to_sign = f"{timestamp}\n{secret}"
    code = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(code).decode("utf-8")


@dataclass
class DingTalkPlatform:
    """Builds the callbacks DingTalk sends for a robot: signed, current timestamp."""

    app_secret: str
    robot_code: str
    corp_id: str = field(default_factory=lambda: "ding" + secrets.token_hex(8))

    def text_message(
        self, staff: str, text: str, msg_id: str | None = None, group: str | None = None, at: bool = True
    ) -> Dict[str, Any]:
        return self.message(staff, "text", {"text": {"content": text}}, msg_id, group, at)

    def message(
        self,
        staff: str,
        msg_type: str,
        content: Dict[str, Any],
        msg_id: str | None = None,
        group: str | None = None,
        at: bool = True,
    ) -> Dict[str, Any]:
        now = int(time.time() * 1000)
        message = {
            "conversationId": group or "cid" + base64.b64encode(staff.encode()).decode(),
            "chatbotCorpId": self.corp_id,
            "chatbotUserId": "$:LWCP_v1:$" + secrets.token_urlsafe(12),
            "msgId": msg_id or "msg" + base64.b64encode(secrets.token_bytes(12)).decode(),
            "senderNick": "销售" + staff[-2:],
            "isAdmin": False,
            "senderStaffId": staff,
            "sessionWebhookExpiredTime": now + 5_400_000,
            "createAt": now,
            "senderCorpId": self.corp_id,
            "conversationType": "2" if group else "1",
            "senderId": "$:LWCP_v1:$" + secrets.token_urlsafe(12),
            "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=" + secrets.token_hex(8),
            "robotCode": self.robot_code,
            "msgtype": msg_type,
            **content,
        }
        if group:
            message["conversationTitle"] = "销售一组"
            message["isInAtList"] = at
            message["atUsers"] = [{"dingtalkId": message["chatbotUserId"]}] if at else []
        return message

    def callback(
        self, message: Dict[str, Any], timestamp_ms: int | None = None
    ) -> Tuple[Dict[str, str], bytes]:
        """The headers and body of DingTalk's POST for ``message``."""
        timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "timestamp": timestamp,
            "sign": dingtalk_sign(timestamp, self.app_secret),
        }
        return headers, json.dumps(message, ensure_ascii=False).encode("utf-8")
