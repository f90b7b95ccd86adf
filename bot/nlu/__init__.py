"""Custom NLU components for Chinese, referenced by module path in config.yml."""
