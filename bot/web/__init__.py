"""The web front: a chat page (rasa-webchat over socket.io) and a searchable FAQ page.

``python -m bot.web`` serves it (``make run`` starts it through the launcher);
``bot.web.server.create_app`` builds the aiohttp application for tests and embedding.
"""
