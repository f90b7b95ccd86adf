"""Rasa input/output channels for messaging apps (named by module path in credentials.yml)."""
