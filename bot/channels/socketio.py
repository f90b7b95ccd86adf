"""The socket.io channel (used by the web chat widget) with each message event checked.

Rasa's handler raises on an event whose data is not an object or whose message is
not a string, and ignores one without a session id, so the client hears nothing.
Here such an event gets an ``invalid_message`` event back with the reason, and the
connection stays usable; well-formed events go to Rasa's own handler.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.channels import checks

logger = logging.getLogger(__name__)

INVALID_MESSAGE_EVENT = "invalid_message"


class SocketIOInput(socketio.SocketIOInput):
    """``socketio.SocketIOInput`` that answers malformed message events instead of dropping them."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def _problem(self, data: Any) -> str | None:
        """Why Rasa's handler cannot take ``data``, or None."""
        if not isinstance(data, dict):
            return 'the event data must be an object: {"message": "<text>", "session_id": "<id>"}'
        try:
            checks.message_text(data.get("message"))
            if self.session_persistence:
                checks.sender_id(data.get("session_id"), "session_id")
            meta = data.get(self.metadata_key)
            if isinstance(meta, str):  # Rasa accepts metadata as a JSON string too
                meta = json.loads(meta)
            checks.metadata(meta, self.metadata_key)
        except json.JSONDecodeError:
            return f"'{self.metadata_key}' is a string but not JSON"
        except checks.InvalidRequest as error:
            return str(error)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        handle = sio.handlers[namespace][self.user_message_evt]

        async def checked(sid: str, data: Any = None) -> None:
            problem = self._problem(data)
            if problem is None:
                await handle(sid, data)
                return
            logger.info("socket.io message from %s rejected: %s", sid, problem)
            await sio.emit(INVALID_MESSAGE_EVENT, {"error": problem}, room=sid, namespace=namespace)

        sio.on(self.user_message_evt, checked, namespace=self.namespace)
        return webhook
