"""Rasa's command line with the project's additions installed: ``python -m bot.server run …``.

The launcher starts the Rasa server through this module instead of the ``rasa`` script; the
arguments are Rasa's own. Additions: speed-ups of Rasa internals (``bot/patches.py``), custom
actions that fail with an apology instead of silence (``bot/action_failures.py``), and request
bodies limited to ``SANIC_REQUEST_MAX_SIZE`` bytes (1 MB unless set): a chat message never needs
more, and Sanic's default of 100 MB lets one request tie up the server.
"""

from __future__ import annotations

import os

from bot import action_failures, patches

MAX_REQUEST_BYTES = 1_000_000


def main() -> None:
    patches.apply()
    action_failures.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))  # Sanic reads SANIC_* at start
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
