"""Helpers shared by tests."""

import socket


def closed_port():
    """A loopback port nobody listens on (gRPC calls to it fail UNAVAILABLE)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
