"""Telling an expert about a handoff through WeCom (``message/send`` of the app the WECOM_* variables
name, ``bot/channels/wecom_api.py``): a new request, a salesperson's follow-up, the end.

Sent in the background: the salesperson's answer never waits for WeCom, and a failed send is logged
(the operators' page lists the handoff anyway). Without the WECOM_* variables nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from functools import lru_cache
from typing import Set

from bot.channels.wecom_api import DEFAULT_API_BASE, WeComApi, WeComApiError

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 10
_tasks: Set[asyncio.Task] = set()


@lru_cache(maxsize=1)
def _api(corp_id: str, secret: str, agent_id: str, api_base: str) -> WeComApi:
    return WeComApi(
        corp_id=corp_id, secret=secret, agent_id=int(agent_id), api_base=api_base, timeout=SEND_TIMEOUT_S
    )


def wecom_api() -> WeComApi | None:
    """The WeCom app's API client when WECOM_CORP_ID, WECOM_SECRET and WECOM_AGENT_ID are set."""
    corp, secret, agent = (
        os.environ.get(n, "").strip() for n in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID")
    )
    if not (corp and secret and agent.isdigit()):
        return None
    return _api(corp, secret, agent, os.environ.get("WECOM_API_BASE") or DEFAULT_API_BASE)


async def send(expert_id: str, text: str) -> bool:
    api = wecom_api()
    if api is None:
        return False
    try:
        await api.send_text(expert_id, text)
    except WeComApiError as error:
        logger.error("handoff: could not notify expert %s through WeCom: %s", expert_id, error)
        return False
    logger.info("handoff: notified expert %s through WeCom", expert_id)
    return True


def notify(expert_id: str, text: str) -> None:
    """Send ``text`` to the expert in the background (nothing without WeCom)."""
    if wecom_api() is None:
        return
    task = asyncio.get_running_loop().create_task(send(expert_id, text))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
