"""The calls to Rasa's HTTP API that the handoff makes from outside a conversation: trigger an
intent in one (the expert's reply, the expert closing it) and read its events (the transcript).

Rasa's API needs its token (``bot/api_token.py``) as ``?token=``. ``trigger_intent`` with
``output_channel`` set to the channel the salesperson used makes Rasa send the bot's reply through
that channel (socket.io, WeCom; REST has no way to push, so there the reply is only in the tracker).
No Rasa import: the web front and the action server both call it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, List
from urllib.parse import quote

import aiohttp

from bot.api_token import api_token

logger = logging.getLogger(__name__)

URL_VARIABLE = "RASA_API_URL"
TIMEOUT_S = 30


class RasaUnavailable(Exception):
    """Rasa could not be reached, or answered with an error (``status``)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RasaApi:
    url: str
    token: str

    @classmethod
    def from_environment(cls) -> RasaApi:
        """RASA_API_URL (default Rasa on this machine at RASA_PORT) with the API token."""
        url = os.environ.get(URL_VARIABLE) or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
        return cls(url.rstrip("/"), api_token())

    def _conversation(self, sender: str, tail: str) -> str:
        return f"{self.url}/conversations/{quote(sender, safe='')}/{tail}"

    async def _call(self, method: str, url: str, **kwargs: Any) -> Dict[str, Any]:
        params = {"token": self.token, **kwargs.pop("params", {})}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:
                async with session.request(method, url, params=params, **kwargs) as response:
                    if response.status != 200:
                        text = await response.text()
                        raise RasaUnavailable(
                            f"Rasa answered {response.status}: {text[:300]}", response.status
                        )
                    return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa could not be reached: {error!r}") from error

    async def trigger_intent(
        self, sender: str, intent: str, entities: Dict[str, Any], output_channel: str | None
    ) -> Dict[str, Any]:
        """Rasa's answer: the tracker after the turn (and the messages, when no channel took them)."""
        params = {"output_channel": output_channel} if output_channel else {}
        return await self._call(
            "POST",
            self._conversation(sender, "trigger_intent"),
            params=params,
            json={"name": intent, "entities": entities},
        )

    async def events(self, sender: str) -> List[Dict[str, Any]]:
        """The events of the conversation's latest session."""
        tracker = await self._call(
            "GET", self._conversation(sender, "tracker"), params={"include_events": "AFTER_RESTART"}
        )
        return list(tracker.get("events") or [])


def replied(tracker: Dict[str, Any]) -> bool:
    """The triggered turn ended with a bot message after it (the reply went out)."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "bot":
            return True
        if event.get("event") == "user":
            return False
    return False
