"""Rasa input channels, named by module path in credentials.yml.

- ``rest.py`` and ``socketio.py``: Rasa's REST and socket.io channels with their requests checked.
  Rasa's own channels answer a body that is not a JSON object with a 500, silently drop a message
  that is not a string, and file a request without a sender under the shared conversation
  "default"; these subclasses reject such requests with a clear error (400 over HTTP, an
  ``invalid_message`` event over socket.io) before Rasa sees them.
- ``messenger.py``: the core every messaging-app connector shares (immediate 200 and background
  answering, retry dedupe in ``dedupe.py``, numbered choices and splitting in ``text.py``, the notes for
  pictures, empty and too-long messages in ``messenger.yml``), over plain ``inbound.Incoming`` messages;
  ``platform_api.py`` the API clients' shared token cache.
- ``wecom.py``: WeCom (企业微信) application callbacks, with the protocol in ``wecom_callback.py``
  and the platform API client in ``wecom_api.py``.
"""
