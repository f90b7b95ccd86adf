"""The part of Feishu's / Lark's server API (飞书开放平台) the bot channel uses.

- ``POST /open-apis/auth/v3/tenant_access_token/internal`` with ``{"app_id", "app_secret"}`` gives
  ``{"code": 0, "tenant_access_token", "expire"}`` (seconds); Feishu returns the same token while more
  than half an hour of it is left, so several servers can each fetch their own.
- ``POST /open-apis/im/v1/messages?receive_id_type=open_id|chat_id`` with ``Authorization: Bearer
  <token>`` and ``{"receive_id", "msg_type": "text", "content": '{"text": …}'}`` (content is a JSON
  string) sends the bot's message to a person or a group.

Every answer is JSON with ``code`` (0 is success) and ``msg``, also when the HTTP status is an error. A
rejected token (99991661 missing, 99991663 invalid or expired) is fetched again at once and the message
sent once more (``platform_api.py``). ``api_base`` is ``https://open.feishu.cn`` for Feishu and
``https://open.larksuite.com`` for Lark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Tuple

from bot.channels.platform_api import PlatformApi, PlatformApiError

DEFAULT_API_BASE = "https://open.feishu.cn"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
SEND_PATH = "/open-apis/im/v1/messages"
TOKEN_ERRORS = {99991661, 99991663}


class FeishuApiError(PlatformApiError):
    """Feishu answered with an error code, or could not be reached."""

    platform = "Feishu"


@dataclass
class FeishuApi(PlatformApi):
    app_id: str
    app_secret: str
    api_base: str = DEFAULT_API_BASE
    timeout: float = 10
    error = FeishuApiError

    async def _call(
        self, path: str, payload: Dict[str, Any], token: str | None = None, **kwargs: Any
    ) -> Dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        status, body = await self._request("POST", path, data=data, headers=headers, **kwargs)
        if isinstance(body, dict) and body.get("code", 0) != 0:
            code = body["code"]
            raise FeishuApiError(code if isinstance(code, int) else -1, str(body.get("msg", "")))
        if status != 200:
            raise FeishuApiError(-1, f"HTTP {status} from {path}")
        if not isinstance(body, dict):
            raise FeishuApiError(-1, f"unexpected answer from {path}")
        return body

    async def _fetch_token(self) -> Tuple[str, float]:
        body = await self._call(TOKEN_PATH, {"app_id": self.app_id, "app_secret": self.app_secret})
        if not isinstance(body.get("tenant_access_token"), str):
            raise FeishuApiError(-1, f"no tenant_access_token from {TOKEN_PATH}")
        return body["tenant_access_token"], float(body.get("expire", 7200))

    def _token_rejected(self, error: PlatformApiError) -> bool:
        return error.errcode in TOKEN_ERRORS

    async def send_text(self, target: Tuple[str, str], text: str) -> Dict[str, Any]:
        """Send ``text`` to ``("open_id", …)`` (a person) or ``("chat_id", …)`` (a group)."""
        id_type, receive_id = target
        payload = {
            "receive_id": receive_id,
            "msg_type": "text",
            "content": json.dumps({"text": text}, ensure_ascii=False),
        }
        return await self._with_token(
            lambda token: self._call(SEND_PATH, payload, token, params={"receive_id_type": id_type})
        )
