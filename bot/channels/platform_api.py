"""What the platforms' server API clients share: one aiohttp session, an access token fetched, cached
and fetched again shortly before it expires, and one retry with a fresh token when the platform says
the token was rejected. No Rasa in here.

Each platform's client (``wecom_api.py``, ``dingtalk_api.py``, ``feishu_api.py``) says how a token is
fetched, how an answer is read and which answers mean "token rejected".
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable, ClassVar, Tuple

import aiohttp

logger = logging.getLogger(__name__)

REFRESH_MARGIN = 300  # seconds before expiry at which a token is fetched again


class PlatformApiError(Exception):
    """The platform answered with an error, or could not be reached (``errcode`` -1)."""

    platform: ClassVar[str] = "platform"

    def __init__(self, errcode: Any, errmsg: str) -> None:
        super().__init__(f"{self.platform} API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class PlatformApi:
    """Base of the API clients (dataclasses with ``api_base`` and ``timeout`` fields)."""

    api_base: str
    timeout: float
    error: ClassVar[type[PlatformApiError]] = PlatformApiError

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

    async def _request(self, method: str, path: str, **kwargs: Any) -> Tuple[int, Any]:
        """The HTTP status and the JSON answer (None when it is not JSON); unreachable is an error."""
        try:
            async with self._client().request(method, f"{self.api_base}{path}", **kwargs) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise self.error(-1, f"{type(error).__name__} calling {path}: {error}") from error
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    async def _fetch_token(self) -> Tuple[str, float]:
        """A new token and its lifetime in seconds."""
        raise NotImplementedError

    def _token_rejected(self, error: PlatformApiError) -> bool:
        """Whether ``error`` means the token was invalid or expired (so a new one may succeed)."""
        raise NotImplementedError

    async def access_token(self, refresh: bool = False) -> str:
        """The cached token, fetched again when asked to, when missing or when about to expire."""
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if refresh or self._token is None or time.monotonic() >= self._token_expires:
                token, lifetime = await self._fetch_token()
                self._token = token
                self._token_expires = time.monotonic() + max(lifetime - REFRESH_MARGIN, lifetime / 2)
            return self._token

    async def _with_token(self, call: Callable[[str], Awaitable[Any]]) -> Any:
        """``call(token)``; when the platform rejects the token, once more with a new one."""
        try:
            return await call(await self.access_token())
        except PlatformApiError as error:
            if not self._token_rejected(error):
                raise
            logger.info("%s access token rejected (%s); fetching a new one", error.platform, error.errcode)
            return await call(await self.access_token(refresh=True))
