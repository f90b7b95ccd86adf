"""What the user gets when a custom action fails: an apology, not silence.

When the action server cannot be reached, times out or answers with an error, Rasa 3.6
logs the failure and the user gets nothing (the action's events are dropped). With
``install()`` (called by ``python -m bot.server``) the user gets the domain response
``utter_service_unavailable`` at once, the turn ends, and the next message is handled
normally, so the conversation continues as soon as the action server is back. It works
for every input channel (REST, socket.io, connectors) because it sits where Rasa calls
the action server.

The action call's time limit is ``action_endpoint.timeout`` in the endpoints file
(seconds); Rasa's own limit is five minutes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import List

import rasa.core.actions.action as rasa_actions
import rasa.core.actions.forms as rasa_forms
from rasa.core.actions.action import ActionBotResponse, ActionExecutionRejection, RemoteAction
from rasa.core.channels import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, FollowupAction, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_service_unavailable"
DEFAULT_TIMEOUT_SECONDS = 10.0


class PoliteRemoteAction(RemoteAction):
    """A custom action whose failure becomes an apology instead of silence."""

    def _timeout(self) -> float:
        kwargs = self.action_endpoint.kwargs if self.action_endpoint else {}
        return float(kwargs.get("timeout", DEFAULT_TIMEOUT_SECONDS))

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> List[Event]:
        try:
            return await asyncio.wait_for(super().run(output_channel, nlg, tracker, domain), self._timeout())
        except ActionExecutionRejection:
            raise  # the action declined on purpose: Rasa lets other policies answer
        except (RasaException, asyncio.TimeoutError) as error:
            url = self.action_endpoint.url if self.action_endpoint else None
            logger.error(
                "Custom action '%s' failed (action server %s): %s. The user gets '%s'.",
                self.name(),
                url,
                str(error) or type(error).__name__,
                APOLOGY_RESPONSE,
            )
        apology = await ActionBotResponse(APOLOGY_RESPONSE).run(output_channel, nlg, tracker, domain)
        # A form whose validation failed ends (a validation action may end its form by setting
        # requested_slot to None): otherwise a form activated this turn would stay active and
        # take the next message as its answer. The user asks again once the server is back.
        ends_form = [SlotSet(REQUESTED_SLOT, None)] if self.name().startswith("validate_") else []
        # Listen next: the rest of the turn would call the action server again.
        return [*apology, *ends_form, FollowupAction(ACTION_LISTEN_NAME)]


def install() -> None:
    """Make Rasa create ``PoliteRemoteAction`` wherever it calls the action server."""
    rasa_actions.RemoteAction = PoliteRemoteAction  # custom actions
    rasa_forms.RemoteAction = PoliteRemoteAction  # form validation actions
