"""The part of WeCom's server API (企业微信服务端 API) the channel uses: access token and sending text.

``GET {api_base}/cgi-bin/gettoken?corpid=…&corpsecret=…`` gives an access token valid for
``expires_in`` seconds; WeCom returns the same token while it is valid, so several servers can each
fetch their own. ``POST {api_base}/cgi-bin/message/send?access_token=…`` sends a message to a user.
``GET {api_base}/cgi-bin/media/get?access_token=…&media_id=…`` (获取临时素材) downloads a file a user
sent: the file itself, named in ``Content-Disposition``, or JSON with an error code (40007: the
media id is invalid or expired, after three days). Every other answer is JSON with ``errcode`` (0 is
success) and ``errmsg``. The token is cached and fetched
again shortly before it expires, and at once when WeCom says it is invalid (40014) or expired (42001)
(``platform_api.py``, shared with the other platforms' clients).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Dict, Tuple

import aiohttp

from bot.channels.platform_api import PlatformApi, PlatformApiError

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {40014, 42001}  # invalid access_token, access_token expired


class WeComApiError(PlatformApiError):
    """WeCom answered with an error code, or could not be reached."""

    platform = "WeCom"


class MediaTooLarge(Exception):
    """A downloaded file grew past the size the caller accepts; the rest was not read."""


@dataclass
class WeComApi(PlatformApi):
    corp_id: str
    secret: str
    agent_id: int
    api_base: str = DEFAULT_API_BASE
    timeout: float = 10
    error = WeComApiError

    async def _call(self, method: str, path: str, **kwargs: Any) -> Dict[str, Any]:
        status, body = await self._request(method, path, **kwargs)
        if status != 200:
            raise WeComApiError(-1, f"HTTP {status} from {path}")
        if not isinstance(body, dict):
            raise WeComApiError(-1, f"unexpected answer from {path}")
        if body.get("errcode", 0) != 0:
            raise WeComApiError(int(body["errcode"]), str(body.get("errmsg", "")))
        return body

    async def _fetch_token(self) -> Tuple[str, float]:
        body = await self._call(
            "GET", "/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )
        return str(body["access_token"]), float(body.get("expires_in", 7200))

    def _token_rejected(self, error: PlatformApiError) -> bool:
        return error.errcode in TOKEN_ERRORS

    async def send(self, message: Dict[str, Any]) -> Dict[str, Any]:
        """Send one message (``touser``, ``msgtype`` and its content); ``agentid`` is added.

        A token error makes it fetch a new token and try once more; any other error is raised.
        """
        payload = {"agentid": self.agent_id, **message}
        return await self._with_token(lambda token: self._post_message(token, payload))

    async def _post_message(self, token: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        # Chinese as UTF-8, as wechatpy's own client sends it (WeChat APIs have shown \u escapes verbatim).
        return await self._call(
            "POST",
            "/cgi-bin/message/send",
            params={"access_token": token},
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    async def send_text(self, user_id: str, content: str) -> Dict[str, Any]:
        return await self.send({"touser": user_id, "msgtype": "text", "text": {"content": content}})

    async def download(self, media_id: str, max_bytes: int) -> Tuple[str, bytes]:
        """The file of ``media_id`` (its name as WeCom gives it, and its bytes); ``MediaTooLarge``
        beyond ``max_bytes``, ``WeComApiError`` when WeCom refuses (a token error is retried once)."""
        return await self._with_token(lambda token: self._get_media(token, media_id, max_bytes))

    async def _get_media(self, token: str, media_id: str, max_bytes: int) -> Tuple[str, bytes]:
        path = "/cgi-bin/media/get"
        params = {"access_token": token, "media_id": media_id}
        try:
            async with self._client().get(f"{self.api_base}{path}", params=params) as response:
                if response.status != 200:
                    raise WeComApiError(-1, f"HTTP {response.status} from {path}")
                # An error is JSON (or text/plain JSON); a file is anything else.
                if response.content_type in ("application/json", "text/plain"):
                    body = await response.text()
                    try:
                        answer = json.loads(body)
                    except ValueError as error:
                        raise WeComApiError(-1, f"unexpected answer from {path}") from error
                    raise WeComApiError(int(answer.get("errcode", -1)), str(answer.get("errmsg", "")))
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise MediaTooLarge(media_id)
                disposition = response.content_disposition
                return (disposition.filename or "") if disposition else "", bytes(data)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise WeComApiError(-1, f"{type(error).__name__} calling {path}: {error}") from error
