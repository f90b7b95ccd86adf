"""The token of Rasa's HTTP API, shared by the launcher (which gives it to Rasa), the web front's
operators' pages and the tests: ``RASA_API_TOKEN``, or one generated once and kept, owner-readable
only, in build/rasa_api_token."""

from __future__ import annotations

import os
import secrets

from knowledge.paths import BUILD_DIR

TOKEN_FILE = BUILD_DIR / "rasa_api_token"


def api_token() -> str:
    """RASA_API_TOKEN, or the token kept in build/ (generated on first use)."""
    token = os.environ.get("RASA_API_TOKEN")
    if token:
        return token
    if not TOKEN_FILE.exists():
        TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
        TOKEN_FILE.write_text(secrets.token_urlsafe(32))
        TOKEN_FILE.chmod(0o600)
    return TOKEN_FILE.read_text().strip()
