"""Rasa's command line with the project's speed-ups installed: ``python -m bot.server run …``.

The launcher starts the Rasa server through this module instead of the ``rasa`` script; the
arguments are Rasa's own.
"""

from __future__ import annotations

from bot import patches


def main() -> None:
    patches.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
