"""A person can have their conversation deleted: the contract between the chat, the operators' API
and the tracker stores.

- In the chat, 删除我的聊天记录 (intent ``forget_conversation``) asks for a confirmation; the
  confirmation (intent ``FORGET_INTENT``, a button, or 是的 right after the question) runs
  ``action_forget_conversation`` (``actions/privacy.py``), which deletes the sender's rows from the
  logbook and sets the slot ``FORGET_SLOT``.
- The operators' API (``DELETE /api/conversations/{sender}`` on the web front, behind the
  operators' token) triggers ``FORGET_INTENT`` for that sender through Rasa's HTTP API, so the
  same action runs, under the same conversation lock.
- Both tracker stores (``bot/stores.py``) delete every event of a conversation saved with
  ``FORGET_SLOT`` set, instead of saving it: nothing of it remains, in any session.

No Rasa import here: the action server and the web front read these names too.
"""

FORGET_INTENT = "forget_conversation_confirmed"
FORGET_SLOT = "forget_conversation"
