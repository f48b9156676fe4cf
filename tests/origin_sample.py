"""A stand-in for an implementation's own code: the origin walk must name this file."""
import socket


def refuse(what: str) -> None:
    raise RuntimeError(f"refused {what} at 0x7f3a2b1c9d40 from ('127.0.0.1', 54321)")  # RAISE_LINE


def serve_badly(sock: socket.socket) -> None:
    """A server side that fails in the implementation's code, in its own thread."""
    refuse("the handshake")


with open(__file__, encoding="utf-8") as _source:
    RAISE_LINE = next(i for i, line in enumerate(_source, 1) if line.rstrip().endswith("# RAISE_LINE"))
