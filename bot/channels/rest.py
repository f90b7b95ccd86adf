"""The REST channel (``POST /webhooks/rest/webhook``) with its request body checked.

A body that is not a UTF-8 JSON object with a ``sender`` id and a string ``message``
gets 400 and an error saying so; the client cannot choose the input channel name.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.channels import rest
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels import checks

USAGE = 'send a JSON object: {"sender": "<conversation id>", "message": "<text>"}'


class RestInput(rest.RestInput):
    """``rest.RestInput`` that answers malformed requests with 400 instead of 500 or silence."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @staticmethod
    def _body(request: Request) -> Dict[str, Any]:
        try:
            request.body.decode("utf-8")  # JSON is UTF-8; Sanic's parser would read other bytes as garbage
        except UnicodeDecodeError:
            raise InvalidUsage(f"the body is not UTF-8: {USAGE}") from None
        try:
            body = request.json
        except InvalidUsage:
            raise InvalidUsage(f"the body is not valid JSON: {USAGE}") from None
        if not isinstance(body, dict):
            raise InvalidUsage(f"the body is not a JSON object: {USAGE}")
        return body

    @classmethod
    def _checked(cls, check, request: Request, field: str) -> Any:
        try:
            return check(cls._body(request).get(field), field)
        except checks.InvalidRequest as error:
            raise InvalidUsage(f"{error}: {USAGE}") from None

    async def _extract_sender(self, req: Request) -> str | None:
        return self._checked(checks.sender_id, req, "sender")

    def _extract_message(self, req: Request) -> str | None:
        return self._checked(checks.message_text, req, "message")

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> Dict[str, Any] | None:
        return self._checked(checks.metadata, request, "metadata")
