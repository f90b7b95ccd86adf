"""Input channels: Rasa's REST and socket.io channels with their requests checked.

Rasa's own channels answer a body that is not a JSON object with a 500, silently
drop a message that is not a string, and file a request without a sender under the
shared conversation "default". These subclasses reject such requests with a clear
error (400 over HTTP, an ``invalid_message`` event over socket.io) before Rasa sees
them; everything else is Rasa's code. They are named in ``bot/credentials.yml``.
"""
