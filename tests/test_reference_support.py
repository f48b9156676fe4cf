"""Loopback helpers for the reference implementation's tests (no tests here).

The peer is always the interpreter's own ``ssl`` module (tests may import it;
``reference/`` may not).  Every socket gets a timeout, every thread is joined
with a bound, and every socket is closed, whatever happens.
"""
from __future__ import annotations

import contextlib
import gc
import os
import socket
import ssl
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Tuple

import reference

TIMEOUT = 5.0
CERTS = Path(__file__).resolve().parent.parent / "fixtures" / "certs"


def cert(name: str) -> str:
    """Path of a fixture file, e.g. ``cert("server-combined.pem")``."""
    path = CERTS / name
    assert path.exists(), "missing fixture %s (run scripts/gen_certs.py)" % path
    return str(path)


def open_fds() -> int:
    """How many file descriptors this process has open (Linux /proc, else -1)."""
    gc.collect()  # sockets of finished tests that only the collector frees
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


class Box:
    """What the peer thread returned or raised."""

    def __init__(self) -> None:
        self.value: Any = None
        self.error: Optional[BaseException] = None


@contextlib.contextmanager
def serve(handler: Callable[[socket.socket], Any], family: int = socket.AF_INET,
          wrap_listener: Optional[Callable[[socket.socket], socket.socket]] = None
          ) -> Iterator[Tuple[Tuple[Any, ...], Box]]:
    """Run ``handler(accepted_plain_socket)`` for one connection in a thread.

    Yields ``(address, box)``; on exit the thread is joined (bounded) and the
    sockets are closed.  ``wrap_listener`` may replace the listening socket
    (to test ``accept`` on a wrapped listener); then ``handler`` receives
    whatever its ``accept`` returns.
    """
    host = "::1" if family == getattr(socket, "AF_INET6", None) else "127.0.0.1"
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.settimeout(TIMEOUT)
    listener.bind((host, 0))
    listener.listen(4)
    if wrap_listener is not None:
        listener = wrap_listener(listener)
    box = Box()
    accepted = []

    def run() -> None:
        try:
            conn, _ = listener.accept()
            accepted.append(conn)
            conn.settimeout(TIMEOUT)
            box.value = handler(conn)
        except BaseException as exc:  # reported to the test through the box
            box.error = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname(), box
    finally:
        thread.join(TIMEOUT * 2)
        for conn in accepted:
            conn.close()
        listener.close()
        assert not thread.is_alive(), "server thread did not finish"


def client_socket(family: int = socket.AF_INET) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    return sock


def stdlib_server_context(certname: str = "server", client_ca: Optional[str] = None,
                          verify: int = ssl.CERT_NONE) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert(certname + "-chain.pem"), cert(certname + ".key"))
    if client_ca:
        ctx.load_verify_locations(cert(client_ca))
    ctx.verify_mode = verify
    return ctx


def stdlib_client_context(ca: Optional[str] = "root-ca.pem", certname: Optional[str] = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    if ca:
        ctx.load_verify_locations(cert(ca))
    else:
        ctx.verify_mode = ssl.CERT_NONE
    if certname:
        ctx.load_cert_chain(cert(certname + "-chain.pem"), cert(certname + ".key"))
    return ctx


def ref_client_context(ca: Optional[str] = "root-ca.pem", verify: int = reference.CERT_REQUIRED,
                       certname: Optional[str] = None) -> reference.SSLContext:
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    ctx.verify_mode = verify
    if ca:
        ctx.load_verify_locations(cert(ca))
    if certname:
        ctx.load_cert_chain(cert(certname + "-chain.pem"), cert(certname + ".key"))
    return ctx


def ref_server_context(certname: str = "server", client_ca: Optional[str] = None,
                       verify: int = reference.CERT_NONE) -> reference.SSLContext:
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    ctx.load_cert_chain(cert(certname + "-combined.pem"))
    if client_ca:
        ctx.load_verify_locations(cert(client_ca))
    ctx.verify_mode = verify
    return ctx


def stdlib_echo(ctx: ssl.SSLContext) -> Callable[[socket.socket], Any]:
    """A server handler: TLS with the stdlib, echo one message, report what it saw."""

    def handler(conn: socket.socket) -> Any:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            data = tls.recv(65536)
            tls.sendall(data)
            return {"data": data, "cipher": tls.cipher(), "version": tls.version(),
                    "peercert": tls.getpeercert(), "peercert_der": tls.getpeercert(True)}

    return handler


def ref_echo(ctx: reference.SSLContext) -> Callable[[socket.socket], Any]:
    """A server handler: TLS with the reference, echo one message, report what it saw."""

    def handler(conn: socket.socket) -> Any:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            data = tls.read(65536)
            tls.write(data)
            return {"data": data, "cipher": tls.cipher(), "version": tls.version(),
                    "peercert": tls.getpeercert(), "peercert_der": tls.getpeercert(True)}

    return handler
