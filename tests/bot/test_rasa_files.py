"""The endpoints and credentials files the launcher writes for Rasa (bot/config.py), and who removes
them (bot/processes.py)."""

from __future__ import annotations

from bot.processes import Assistant


def test_a_launcher_stopping_leaves_the_files_another_one_wrote_since():
    """Two launchers on one Rasa port, the old one still stopping: it must not delete the endpoints
    and credentials files the new one has just written (Rasa would start with no action server)."""
    port = 5999
    old, new = Assistant(rasa_port=port, actions_port=2), Assistant(rasa_port=port, actions_port=3)
    old._endpoints_file(), old._credentials_file()
    written = [new._endpoints_file(), new._credentials_file()]
    old.stop()
    assert all(path.exists() for path in written)
    assert "127.0.0.1:3/webhook" in written[0].read_text()
    new.stop()
    assert not any(path.exists() for path in written)
