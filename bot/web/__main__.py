"""``python -m bot.web [--port 8080] [--rasa-port 5005 | --rasa-url URL]``: serve the chat and FAQ pages."""

import sys

from bot.web.server import main

sys.exit(main())
