"""The part of DingTalk's server API (钉钉开放平台, new ``api.dingtalk.com`` API) the robot channel uses.

- ``POST /v1.0/oauth2/accessToken`` with ``{"appKey", "appSecret"}`` gives ``{"accessToken",
  "expireIn"}`` (seconds); DingTalk returns the same token while it is valid, so several servers can
  each fetch their own.
- ``POST /v1.0/robot/oToMessages/batchSend`` (one-to-one: ``userIds``) and
  ``POST /v1.0/robot/groupMessages/send`` (a group: ``openConversationId``) send the robot's message,
  with the token in the ``x-acs-dingtalk-access-token`` header and the text as
  ``msgKey: sampleText, msgParam: '{"content": …}'`` (msgParam is a JSON string, not an object).

Success is HTTP 200; an error is another status with ``{"code": "...", "message": "..."}``. A rejected
token (HTTP 401, ``InvalidAuthentication``) is fetched again at once and the message sent once more
(``platform_api.py``). A one-to-one send can also answer 200 and name the user in
``invalidStaffIdList`` or ``flowControlledStaffIdList``: that message was not delivered either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Tuple

from bot.channels.platform_api import PlatformApi, PlatformApiError

DEFAULT_API_BASE = "https://api.dingtalk.com"
TOKEN_PATH = "/v1.0/oauth2/accessToken"
ONE_TO_ONE_PATH = "/v1.0/robot/oToMessages/batchSend"
GROUP_PATH = "/v1.0/robot/groupMessages/send"
TOKEN_REJECTED = "InvalidAuthentication"


class DingTalkApiError(PlatformApiError):
    """DingTalk answered with an error (its string ``code`` as ``errcode``), or could not be reached."""

    platform = "DingTalk"


@dataclass
class DingTalkApi(PlatformApi):
    app_key: str
    app_secret: str
    robot_code: str
    api_base: str = DEFAULT_API_BASE
    timeout: float = 10
    error = DingTalkApiError

    async def _call(self, path: str, payload: Dict[str, Any], token: str | None = None) -> Dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token is not None:
            headers["x-acs-dingtalk-access-token"] = token
        status, body = await self._request(
            "POST", path, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers=headers
        )
        if status != 200:
            code = body.get("code") if isinstance(body, dict) else None
            message = body.get("message") if isinstance(body, dict) else None
            if status == 401 and not code:
                code = TOKEN_REJECTED
            raise DingTalkApiError(code or -1, str(message or f"HTTP {status} from {path}"))
        if not isinstance(body, dict):
            raise DingTalkApiError(-1, f"unexpected answer from {path}")
        return body

    async def _fetch_token(self) -> Tuple[str, float]:
        body = await self._call(TOKEN_PATH, {"appKey": self.app_key, "appSecret": self.app_secret})
        if not isinstance(body.get("accessToken"), str):
            raise DingTalkApiError(-1, f"no accessToken from {TOKEN_PATH}")
        return body["accessToken"], float(body.get("expireIn", 7200))

    def _token_rejected(self, error: PlatformApiError) -> bool:
        return error.errcode == TOKEN_REJECTED

    async def send_text(self, target: Tuple[str, str], content: str) -> Dict[str, Any]:
        """Send ``content`` to ``("user", staffId)`` or ``("group", openConversationId)``."""
        kind, target_id = target
        message = {
            "robotCode": self.robot_code,
            "msgKey": "sampleText",
            "msgParam": json.dumps({"content": content}, ensure_ascii=False),
        }
        if kind == "group":
            path, payload = GROUP_PATH, {**message, "openConversationId": target_id}
        else:
            path, payload = ONE_TO_ONE_PATH, {**message, "userIds": [target_id]}
        body = await self._with_token(lambda token: self._call(path, payload, token))
        for field in ("invalidStaffIdList", "flowControlledStaffIdList"):
            if body.get(field):
                raise DingTalkApiError(field, f"not delivered to {', '.join(map(str, body[field]))}")
        return body
