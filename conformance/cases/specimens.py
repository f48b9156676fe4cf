"""Instances of the documented classes, made the documented way, for the surface cases.

The documentation lists attributes of *instances* (``SSLContext.verify_mode``,
``SSLSession.id``, ``SSLError.library``).  An implementation may set an
attribute in ``__init__`` or serve it through ``__getattr__``, so whether it
has one is asked of a real instance, made as a user would make it:

``SSLContext``                ``SSLContext(PROTOCOL_SSLv23)`` (a protocol every edition documents)
``SSLSocket``                 that context's ``wrap_socket`` of one end of a connected socket pair,
                              without a handshake
``MemoryBIO``                 ``MemoryBIO()``
``SSLSession``                ``session`` of a client socket after a handshake and one byte from
                              the server (so a TLS 1.3 ticket has arrived)
``SSLError``,                 the exception a client's handshake raises when the server's
``SSLCertVerificationError``  certificate cannot be verified (``CERT_REQUIRED``, no CA loaded)

An enum's members (``TLSVersion.TLSv1_2``) are attributes of the class
itself.  A specimen that cannot be made -- the implementation lacks what
making it takes -- is a :class:`CaseFailure` naming what was missing: at an
edition that documents the attribute, its class is documented too.
"""
from __future__ import annotations

import enum
import socket
from typing import Any, Callable, Dict

from ..harness.loopback import run_pair
from ..harness.registry import CaseFailure

__all__ = ["SPECIMENS", "specimen", "holder"]


def _context(env: Any) -> Any:
    return env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))


def _sslsocket(env: Any) -> Any:
    mine, peer = socket.socketpair()  # connected: a wrapper may refuse an unconnected socket
    for s in (mine, peer):
        s.settimeout(env.timeout)
        env.cleanup(s.close)
    tls = _context(env).wrap_socket(mine, do_handshake_on_connect=False)
    env.cleanup(tls.close)
    return tls


def _memorybio(env: Any) -> Any:
    return env.ssl.MemoryBIO()


def _server_context(env: Any) -> Any:
    ctx = _context(env)
    ctx.load_cert_chain(env.certs.path("server", "chain"), env.certs.path("server", "key"))
    return ctx


def _handshake(env: Any, client_ctx: Any, client_after: Callable[[Any], Any]) -> Any:
    """Handshake ``client_ctx`` against a server of the same implementation; the
    client's value is ``client_after(tls)``, or the exception its handshake raised."""
    server_ctx = _server_context(env)

    def server(sock: socket.socket) -> None:
        tls = server_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
            tls.sendall(b"x")
            tls.read(1)
        finally:
            tls.close()

    def client(sock: socket.socket) -> Any:
        tls = client_ctx.wrap_socket(sock, do_handshake_on_connect=False)
        try:
            try:
                tls.do_handshake()
            except Exception as exc:  # the error is the specimen
                return exc
            return client_after(tls)
        finally:
            tls.close()

    c, _ = run_pair(client, server, timeout=env.timeout)
    if c.error is not None:
        raise CaseFailure(f"the handshake that makes the specimen broke: {type(c.error).__name__}: {c.error}",
                          expected="a handshake", actual=repr(c.error))
    return c.value


def _session(env: Any) -> Any:
    def take(tls: Any) -> Any:
        tls.read(1)
        session = getattr(tls, "session", None)
        tls.sendall(b"y")
        return session

    session = _handshake(env, _context(env), take)
    if session is None or isinstance(session, BaseException):
        raise CaseFailure(f"no SSLSession from a client socket of {env.impl.name} after its handshake",
                          expected="SSLSocket.session", actual=repr(session))
    return session


def _verify_error(env: Any) -> Any:
    ctx = _context(env)
    ctx.verify_mode = env.const("CERT_REQUIRED")
    error = _handshake(env, ctx, lambda tls: None)
    if not isinstance(error, env.ssl.SSLError):
        raise CaseFailure(f"a client of {env.impl.name} that cannot verify the server did not raise SSLError",
                          expected="SSLError", actual=repr(error))
    return error


#: class name -> how to make an instance of it
SPECIMENS: Dict[str, Callable[[Any], Any]] = {
    "SSLContext": _context,
    "SSLSocket": _sslsocket,
    "MemoryBIO": _memorybio,
    "SSLSession": _session,
    "SSLError": _verify_error,
    "SSLCertVerificationError": _verify_error,
}


def specimen(env: Any, cls: str) -> Any:
    """An instance of documented class ``cls`` of the module under test."""
    try:
        make = SPECIMENS[cls]
    except KeyError:
        raise KeyError(f"no way to make a {cls} is known: add one to SPECIMENS") from None
    return make(env)


def holder(env: Any, owner: Any, cls: str) -> Any:
    """What holds the documented attributes of class ``cls`` (the class object ``owner``):
    the class itself for an enum, else an instance."""
    if isinstance(owner, type) and issubclass(owner, enum.Enum):
        return owner
    return specimen(env, cls)
