"""Remember which platform messages were already handled, so a retried callback is answered once.

A messaging platform retries a callback it thinks failed (WeCom: three times, 5 s apart), with the
same message id. ``SeenMessages`` keeps ids in memory for ``ttl`` seconds, at most ``capacity`` of
them (the oldest go first); it is per process. Several Rasa servers need a Redis lock store anyway
(an in-memory one must not be shared), and ``RedisSeenMessages`` keeps the ids in that same Redis
(``SET NX EX``), so a retry that reaches another server is still recognised.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any, Callable

logger = logging.getLogger(__name__)


class SeenMessages:
    """A bounded set of message ids that forgets each id ``ttl`` seconds after it was first seen."""

    def __init__(
        self, ttl: float = 600, capacity: int = 100_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, message_id: str) -> bool:
        """True the first time an id is offered (within its ttl), False for every repeat."""
        now = self.clock()
        self._forget_expired(now)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now + self.ttl
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True

    def _forget_expired(self, now: float) -> None:
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now:
                return
            del self._seen[oldest]

    def __len__(self) -> int:
        return len(self._seen)


class RedisSeenMessages:
    """Message ids in Redis, shared by every server; the memory store stands in while Redis fails."""

    def __init__(self, client: Any, prefix: str = "wecom:seen:", ttl: int = 600) -> None:
        self.client, self.prefix, self.ttl = client, prefix, ttl
        self.fallback = SeenMessages(ttl=ttl)

    def first_time(self, message_id: str) -> bool:
        try:
            return bool(self.client.set(self.prefix + message_id, 1, nx=True, ex=self.ttl))
        except Exception as error:  # redis-py raises many types; any failure means "use memory"
            logger.warning("message-id store: Redis failed (%s); remembering %s in memory", error, message_id)
            return self.fallback.first_time(message_id)


def seen_messages_for(lock_store: Any, prefix: str) -> SeenMessages | RedisSeenMessages:
    """Redis-backed when Rasa's lock store is Redis (``.red`` is its client), in memory otherwise."""
    client = getattr(lock_store, "red", None)
    if client is None:
        return SeenMessages()
    return RedisSeenMessages(client, prefix=f"{getattr(lock_store, 'key_prefix', '')}{prefix}")
