"""Custom NLU components for Chinese, referenced by module path in config.yml."""

MESSAGE_TOO_LONG = "message_too_long"
"""Parse-result key ChineseNormalizer sets for a message it did not read: {"chars": …, "limit": …}."""
