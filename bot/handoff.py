"""Handing a conversation to a person (转人工): the experts and their hours, the state of a handoff,
and what the assistant does with a message while a person has the conversation.

The state of a conversation's handoff is one slot (``HANDOFF_SLOT``) in the tracker, so the tracker
store carries it across restarts and between Rasa servers sharing it; the logbook
(``knowledge/logbook.py``, table ``handoffs``) numbers the handoffs and lists the open ones for the
operators' page. Who answers and when is ``bot/experts.yml`` (or the file ``HANDOFF_CONFIG``
names), re-read when it changes; what is sent to experts is ``bot/handoff_texts.yml``.

The whole path:

- 转人工 (intent ``request_person``) runs ``action_request_person`` (``actions/handoff.py``): within
  working hours it opens a handoff, notifies the expert (WeCom ``message/send``, and the operators'
  page lists it) and sets the slot; outside them it says when experts answer.
- While the slot holds a live handoff, the policy ``bot/handoff_policy.py`` answers every message
  with ``WAIT_ACTION`` (已转给X，请稍候 until the expert has answered, silence after; the message is
  forwarded to the expert) instead of the assistant's answer, except the intents of ``PASSES_THROUGH``.
- The expert answers on the operators' page (``bot/web/operators.py``) or in WeCom (#12 回答, the
  policy's ``RELAY_ACTION``): both trigger ``REPLY_INTENT`` in the salesperson's conversation
  through Rasa's HTTP API with the channel they used as ``output_channel``, so the reply is a bot
  turn in the tracker and reaches them like any other.
- 结束人工 (``END_INTENT``), the expert closing it (``CLOSE_INTENT``) or ``timeout_minutes`` without
  a word from the expert gives the conversation back to the assistant.

No Rasa import here: the policy, the actions and the web front all read it.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge import yamlfile

BOT_DIR = Path(__file__).resolve().parent
SETTINGS_FILE = BOT_DIR / "experts.yml"
TEXTS_FILE = BOT_DIR / "handoff_texts.yml"
SETTINGS_VARIABLE = "HANDOFF_CONFIG"

HANDOFF_SLOT = "handoff"
REQUEST_INTENT = "request_person"
END_INTENT = "end_handoff"
# Only triggered through Rasa's HTTP API (the operators' page, an expert's WeCom reply), never guessed
# from a text: the NLU has no examples of them.
REPLY_INTENT = "handoff_reply"
CLOSE_INTENT = "handoff_closed"
ID_ENTITY, TEXT_ENTITY, EXPERT_ENTITY = "handoff_id", "handoff_text", "handoff_expert"
REQUEST_ACTION = "action_request_person"
WAIT_ACTION = "action_handoff_wait"
RELAY_ACTION = "action_relay_expert_reply"
LISTEN_ACTION = "action_listen"
# Intents the assistant still acts on while a person has the conversation: the handoff's own, and a
# person's request to delete their conversation (bot/forgetting.py).
PASSES_THROUGH = frozenset(
    {REPLY_INTENT, CLOSE_INTENT, END_INTENT, "forget_conversation", "forget_conversation_confirmed"}
)
# The channel whose sender ids are proven (signed callbacks): only there is an expert recognised.
EXPERT_CHANNEL = "wecom"
MAX_REPLY_CHARS = 2000  # an expert's reply, as a salesperson's message (config.yml max_message_chars)

_EXPERT_MESSAGE = re.compile(r"\s*(?:[#＃]\s*(\d{1,9})[\s:：,，、]*|(\d{1,9})[\s:：,，、]+)(.*)", re.DOTALL)


class SettingsError(ValueError):
    """bot/experts.yml (or HANDOFF_CONFIG) is not usable; the message names the file and the fix."""


@dataclass(frozen=True)
class Expert:
    wecom_id: str
    name: str


@dataclass(frozen=True)
class WorkingHours:
    """When experts answer: ISO weekdays ``days``, from ``start`` to ``end`` (exclusive) in ``zone``."""

    zone: str = "Asia/Shanghai"
    days: frozenset = frozenset(range(1, 8))
    start: time = time(0, 0)
    end: time | None = None  # None: until midnight

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.zone))

    def is_open(self, now: datetime) -> bool:
        local = self._local(now)
        moment = local.timetz().replace(tzinfo=None)
        return (
            local.isoweekday() in self.days
            and self.start <= moment
            and (self.end is None or moment < self.end)
        )

    def next_opening(self, now: datetime) -> datetime:
        """The next moment experts answer (``now`` itself when they do), in the hours' time zone."""
        local = self._local(now)
        if self.is_open(now):
            return local
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.start, tzinfo=local.tzinfo)
            if day.isoweekday() in self.days and opening > local:
                return opening
        raise SettingsError("working hours: no day is open (hours.days is empty)")


@dataclass(frozen=True)
class Settings:
    experts: Tuple[Expert, ...]
    hours: WorkingHours
    timeout_s: float
    transcript_turns: int

    def expert(self, wecom_id: str | None) -> Expert | None:
        return next((e for e in self.experts if e.wecom_id == wecom_id), None)


def settings_path() -> Path:
    return Path(os.environ.get(SETTINGS_VARIABLE) or SETTINGS_FILE)


def _clock(value: Any, path: Path, key: str) -> time | None:
    text = str(value).strip()
    if key == "end" and text in ("24:00", "24:00:00"):
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f'{path}: hours.{key} {value!r} is not a time: write it as HH:MM, e.g. "09:00"'
        ) from None


def load_settings(path: Path | None = None) -> Settings:
    """The experts, their hours and the timeout (re-read when the file changes)."""
    path = path or settings_path()
    try:
        data = yamlfile.read(path)
    except FileNotFoundError:
        raise SettingsError(f"{path} is missing: copy bot/experts.yml and list the experts") from None
    experts = []
    for number, item in enumerate(data.get("experts") or [], 1):
        if not isinstance(item, dict) or not str(item.get("wecom_id") or "").strip() or not item.get("name"):
            raise SettingsError(f"{path}: expert {number} needs a wecom_id (their WeCom user id) and a name")
        experts.append(Expert(str(item["wecom_id"]).strip(), str(item["name"]).strip()))
    if len({e.wecom_id for e in experts}) != len(experts):
        raise SettingsError(f"{path}: a wecom_id is listed twice under experts")
    raw = data.get("hours") or {}
    zone = str(raw.get("timezone") or "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{path}: hours.timezone {zone!r} is not a time zone (e.g. Asia/Shanghai)"
        ) from None
    days = frozenset(int(d) for d in raw.get("days", range(1, 8)))
    if not days or not days <= set(range(1, 8)):
        raise SettingsError(f"{path}: hours.days lists ISO weekdays, 1 (Monday) to 7 (Sunday)")
    start = _clock(raw.get("start", "00:00"), path, "start") or time(0, 0)
    hours = WorkingHours(zone, days, start, _clock(raw.get("end", "24:00"), path, "end"))
    try:
        timeout_min = float(data.get("timeout_minutes", 30))
        turns = int(data.get("transcript_turns", 8))
    except (TypeError, ValueError):
        raise SettingsError(f"{path}: timeout_minutes and transcript_turns are numbers") from None
    if timeout_min <= 0 or turns < 1:
        raise SettingsError(f"{path}: timeout_minutes must be above 0 and transcript_turns at least 1")
    return Settings(tuple(experts), hours, timeout_min * 60, turns)


def texts() -> Dict[str, Any]:
    return yamlfile.read(TEXTS_FILE)


@dataclass(frozen=True)
class Handoff:
    """One conversation's open handoff, as the slot keeps it (times are Unix seconds)."""

    id: int
    expert_id: str
    expert: str
    channel: str
    opened_at: float
    deadline: float
    replies: int = 0

    def to_slot(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> Handoff | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                int(value["id"]),
                str(value["expert_id"]),
                str(value["expert"]),
                str(value.get("channel") or ""),
                float(value["opened_at"]),
                float(value["deadline"]),
                int(value.get("replies") or 0),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def live(self, now: float) -> bool:
        return now < self.deadline

    def answered(self, now: float, timeout_s: float) -> Handoff:
        """After a reply of the expert: one more, and the timeout counted from now."""
        return replace(self, replies=self.replies + 1, deadline=now + timeout_s)


def live_handoff(slot_value: Any, now: float) -> Handoff | None:
    """The conversation's handoff if one is open and not past its timeout."""
    handoff = Handoff.from_slot(slot_value)
    return handoff if handoff is not None and handoff.live(now) else None


def expert_message(text: str | None) -> Tuple[int, str] | None:
    """An expert's ``#12 回答`` (or ``12 回答``): the handoff's number and the text, else None."""
    match = _EXPERT_MESSAGE.fullmatch(text or "")
    if not match or not match.group(3).strip():
        return None
    return int(match.group(1) or match.group(2)), match.group(3).strip()


def is_close_word(text: str) -> bool:
    words = {str(w).casefold() for w in texts().get("close_words") or []}
    return text.strip().strip("。.!！").casefold() in words


def next_action(
    *,
    slot_value: Any,
    intent: str | None,
    latest_action: str | None,
    text: str | None,
    channel: str | None,
    sender: str,
    now: float,
    experts: Iterable[Expert] = (),
    active_loop: str | None = None,
) -> str | None:
    """What must happen next because of a handoff, or None to let the assistant's rules decide.

    After a user message: an expert's numbered reply in WeCom is relayed; in a conversation a person
    has, anything but ``PASSES_THROUGH`` waits for them; asking for a person in the middle of a form
    (the classification's questions) leaves the form. After the handoff's own actions: listen.
    """
    if latest_action in (WAIT_ACTION, RELAY_ACTION):
        return LISTEN_ACTION
    if latest_action != LISTEN_ACTION:
        return None
    if channel == EXPERT_CHANNEL and any(e.wecom_id == sender for e in experts) and expert_message(text):
        return RELAY_ACTION
    if active_loop and intent == REQUEST_INTENT and live_handoff(slot_value, now) is None:
        return REQUEST_ACTION
    if live_handoff(slot_value, now) is None or intent in PASSES_THROUGH:
        return None
    return WAIT_ACTION


def timed_out(slot_value: Any, now: float) -> bool:
    """The slot holds a handoff whose timeout has passed (it is to be cleared)."""
    handoff = Handoff.from_slot(slot_value)
    return handoff is not None and not handoff.live(now)


def choose_expert(experts: Sequence[Expert], open_counts: Dict[str, int]) -> Expert:
    """The expert with the fewest open handoffs; the first listed among equals."""
    return min(experts, key=lambda e: (open_counts.get(e.wecom_id, 0), experts.index(e)))


def when_text(hours: WorkingHours, now: datetime) -> str:
    """When experts next answer, as a salesperson reads it: 今天 14:00, 明天 09:00, 周一 09:00."""
    opening = hours.next_opening(now)
    today = now.astimezone(opening.tzinfo).date()
    words = texts()
    if opening.date() == today:
        day = words["today"]
    elif opening.date() == today + timedelta(days=1):
        day = words["tomorrow"]
    else:
        day = words["weekdays"][opening.isoweekday() - 1]
    return f"{day} {opening:%H:%M}"


def hours_text(hours: WorkingHours) -> str:
    """The working hours, e.g. 周一至周五 09:00–18:00."""
    names = texts()["weekdays"]
    days = sorted(hours.days)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = f"{names[days[0] - 1]}至{names[days[-1] - 1]}"
    else:
        span = "、".join(names[d - 1] for d in days)
    end = "24:00" if hours.end is None else f"{hours.end:%H:%M}"
    return f"{span} {hours.start:%H:%M}–{end}"


@dataclass(frozen=True)
class Turn:
    """One message of the conversation as the expert sees it: who (salesperson, assistant, expert)."""

    who: str
    text: str


def transcript(turns: Sequence[Turn], last: int) -> str:
    """The last ``last`` messages, one line each, as the salesperson and the assistant wrote them."""
    words = texts()
    lines = []
    for turn in list(turns)[-last:]:
        template = words[f"{turn.who}_line"]
        lines.append(template.format(text=turn.text.strip()))
    return "\n".join(lines)


def notification(handoff: Handoff, question: str, turns: Sequence[Turn], last: int) -> str:
    return texts()["notification"].format(
        id=handoff.id, expert=handoff.expert, question=question.strip(), transcript=transcript(turns, last)
    )


def utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, timezone.utc)


def clean_reply(text: Any) -> str | None:
    """An expert's reply as it may be sent: text with something visible, at most MAX_REPLY_CHARS;
    else None. Control characters other than line breaks are dropped."""
    if not isinstance(text, str):
        return None
    cleaned = "".join(c for c in text if c in "\n\t" or c.isprintable()).strip()
    if not cleaned or len(cleaned) > MAX_REPLY_CHARS:
        return None
    return cleaned


def lines_of(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """The turns of a tracker's events (as Rasa's API and the action server give them): the
    salesperson's texts (not button payloads), the assistant's, and the experts' replies (the bot
    turns after ``REPLY_INTENT``)."""
    turns: List[Turn] = []
    replying = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            replying = ((event.get("parse_data") or {}).get("intent") or {}).get("name") == REPLY_INTENT
            text = event.get("text") or ""
            if text and not text.startswith("/") and not replying:
                turns.append(Turn("salesperson", text))
        elif kind == "bot" and event.get("text"):
            turns.append(Turn("expert" if replying else "assistant", event["text"]))
    return turns
