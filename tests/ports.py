"""Free TCP ports, so that test runs and benchmarks never collide with a running bot or each other."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on now (the kernel picks it; it stays free long enough for a child to bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
