"""Benchmarks run by `make bench`: they print figures, they do not assert."""
