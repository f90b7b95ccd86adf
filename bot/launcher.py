"""Start the assistant (``make run``): the action server, the Rasa server and the web front
(``bot/processes.py``), with the retention applied to the logbook first; stop them on Ctrl-C or
SIGTERM. The files Rasa starts with are ``bot/config.py``'s, the processes' environment
``bot/environment.py``'s."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import List

from bot.model import staleness
from bot.processes import Assistant
from knowledge.logbook import Logbook


def _purge_logbook() -> None:
    """Apply the retention period at start (the action server also does once a day)."""
    try:
        logbook = Logbook()
        logbook.close()
    except Exception as error:  # noqa: BLE001 - a logbook problem must not stop the bot
        print(f"warning: the logbook could not be opened: {error}", file=sys.stderr)
        return
    print(
        f"feedback and unanswered questions go to {logbook.path} "
        f"(kept {'for ever' if logbook.retention is None else f'{logbook.retention} days'}; "
        "`python -m knowledge report` summarises them)",
        flush=True,
    )


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.launcher", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", 8080)))
    parser.add_argument("--host", default=os.environ.get("RASA_HOST", "127.0.0.1"))
    args = parser.parse_args(argv)
    assistant = Assistant(
        rasa_port=args.port, actions_port=args.actions_port, host=args.host, web_port=args.web_port
    )
    # Pages served from elsewhere (another host name, a proxy) that may talk to Rasa: WEB_ORIGINS=a,b
    assistant.cors += [o.strip() for o in os.environ.get("WEB_ORIGINS", "").split(",") if o.strip()]

    def shut_down(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shut_down)
    try:
        note = staleness()
        if note:
            print(note, flush=True)
        _purge_logbook()
        print(
            "starting the action server, the Rasa server and the web front (logs in build/logs/)…", flush=True
        )
        seconds = assistant.start()
        print(f"\nthe assistant is ready after {seconds:.0f}s:")
        print(
            f"  REST:      curl -XPOST {assistant.url}/webhooks/rest/webhook "
            '-d \'{"sender":"me","message":"腰部客户的定义"}\''
        )
        print(f"  socket.io: {assistant.url}/socket.io")
        print(f"  chat:      {assistant.web_url}/")
        print(f"  FAQ:       {assistant.web_url}/faq")
        for connector in assistant.connectors():
            print(
                f"  {connector.label + ':':<10} callback {assistant.callback_url(connector.url_name)} "
                f"(publish it over HTTPS; README, {connector.label})"
            )
        print("press Ctrl-C to stop\n", flush=True)
        while assistant.failed() is None:
            time.sleep(1)
        print(f"the {assistant.failed()} server stopped unexpectedly; see build/logs/", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    except ValueError as error:  # a configuration mistake, said plainly
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        assistant.stop()


if __name__ == "__main__":
    sys.exit(main())
