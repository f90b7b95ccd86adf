"""The part of WeCom's server API (企业微信服务端 API) the channel uses: access token and sending text.

``GET {api_base}/cgi-bin/gettoken?corpid=…&corpsecret=…`` gives an access token valid for
``expires_in`` seconds; WeCom returns the same token while it is valid, so several servers can each
fetch their own. ``POST {api_base}/cgi-bin/message/send?access_token=…`` sends a message to a user.
Every answer is JSON with ``errcode`` (0 is success) and ``errmsg``. The token is cached and fetched
again shortly before it expires, and at once when WeCom says it is invalid (40014) or expired (42001).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {40014, 42001}  # invalid access_token, access_token expired
REFRESH_MARGIN = 300  # seconds before expiry at which a token is fetched again


class WeComApiError(Exception):
    """WeCom answered with an error code, or could not be reached."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


@dataclass
class WeComApi:
    corp_id: str
    secret: str
    agent_id: int
    api_base: str = DEFAULT_API_BASE
    timeout: float = 10

    def __post_init__(self) -> None:
        self.api_base = self.api_base.rstrip("/")
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock: asyncio.Lock | None = None
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> Dict[str, Any]:
        url = f"{self.api_base}{path}"
        try:
            async with self._client().request(method, url, **kwargs) as response:
                if response.status != 200:
                    raise WeComApiError(-1, f"HTTP {response.status} from {path}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise WeComApiError(-1, f"{type(error).__name__} calling {path}: {error}") from error
        if not isinstance(body, dict):
            raise WeComApiError(-1, f"unexpected answer from {path}")
        if body.get("errcode", 0) != 0:
            raise WeComApiError(int(body["errcode"]), str(body.get("errmsg", "")))
        return body

    async def access_token(self, refresh: bool = False) -> str:
        """The cached token, fetched again when asked to, when missing or when about to expire."""
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if refresh or self._token is None or time.monotonic() >= self._token_expires:
                body = await self._call(
                    "GET", "/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
                )
                self._token = str(body["access_token"])
                lifetime = float(body.get("expires_in", 7200))
                self._token_expires = time.monotonic() + max(lifetime - REFRESH_MARGIN, lifetime / 2)
            return self._token

    async def send(self, message: Dict[str, Any]) -> Dict[str, Any]:
        """Send one message (``touser``, ``msgtype`` and its content); ``agentid`` is added.

        A token error makes it fetch a new token and try once more; any other error is raised.
        """
        payload = {"agentid": self.agent_id, **message}
        token = await self.access_token()
        try:
            return await self._post_message(token, payload)
        except WeComApiError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeCom access token rejected (%s); fetching a new one", error.errcode)
            return await self._post_message(await self.access_token(refresh=True), payload)

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
