"""Asking for a person: until an expert can take a conversation over (issue #14), the assistant
says plainly that it cannot hand the conversation on, and what to do instead."""

from __future__ import annotations

from typing import List

from rasa_sdk.events import EventType

from actions.definitions import KnowledgeAction, answer_question, question_instead
from actions.knowledge_base import read_message


class ActionRequestPerson(KnowledgeAction):
    """转人工 / 找个懂行的同事: not possible yet, said so; but a message that names a term
    (我想问问关键客户经理是干什么的) is a question about it, answered."""

    def name(self) -> str:
        return "action_request_person"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        if read_message(tracker, kb).terms(names_only=True).entries:
            return answer_question(dispatcher, tracker, domain, kb)
        answered = question_instead(dispatcher, tracker, domain, kb)
        if answered is not None:
            return answered  # 跟优柔寡断型的客户怎么谈: a question the sources answer
        dispatcher.utter_message(response="utter_no_person_yet")
        return []
