"""TLS sessions (Python 3.6; ``num_tickets`` 3.8): ``SSLSocket.session``, ``session_reused``,
``SSLSession``, ``wrap_socket(session=...)``, ``wrap_bio(session=...)``, ``SSLContext.session_stats()``.

Every row runs a pair (the client of ``env``, the server of ``env.peer``)
on TLS 1.2 and on TLS 1.3, pinned with ``OP_NO_*`` (what 3.6 has).  One
connection is: handshake, the server writes one byte, the client reads it
(TLS 1.3 tickets arrive after the handshake: the read is what lets the
client's ``session`` be resumable), takes ``session`` and ``session_reused``,
writes one byte back.  A second connection offering the first one's session
resumes it; with the server's ``num_tickets = 0`` a TLS 1.3 one cannot.
``bio/session/resumed/...`` runs the client as an ``SSLObject`` over the
socket (``harness.pump.over_socket``), the session given to ``wrap_bio``.
"""
from __future__ import annotations

import socket
import time
from typing import Any, Dict

from ..harness.pump import BioEnd, over_socket, read_exactly, require_bio, retry
from ..harness.registry import Unsupported, case, expect_equal, expect_true, table
from ..judge.protocols import pin_options
from .helpers import expect_raises, pair

SINCE = "3.6"
VERSIONS = ("TLSv1.2", "TLSv1.3")
REUSE = ("For client sockets the session can be set before :meth:`~SSLSocket.do_handshake` has been called "
         "to reuse a session.")


def _pinned(env: Any, version: str, **kw: Any) -> Any:
    options = pin_options(env.ssl, version)
    if options is None:
        raise Unsupported(version, f"{env.impl.name} cannot hold a context to {version}")
    return env.context(options=options, **kw)


def contexts(env: Any, version: str, server: str = "SSLv23") -> Any:
    """A client context of ``env`` and a server context (``PROTOCOL_<server>``) of the peer, held to ``version``."""
    return _pinned(env, version), _pinned(env.peer or env, version, protocol=server, cert="server")


def _bio_client(env: Any, cctx: Any, sock: socket.socket, session: Any, via: str) -> Dict[str, Any]:
    """The client's connection as an ``SSLObject`` over the socket: the session given to
    ``wrap_bio(session=...)`` or set on the object before its handshake."""
    require_bio(env.ssl, env.impl.name)
    end = BioEnd(env.ssl, cctx, session=session if via == "wrap_bio" else None)
    if via == "bio-attribute":
        end.obj.session = session

    def steps() -> Any:
        yield from retry(end, end.obj.do_handshake, "do_handshake")
        yield from read_exactly(end, 1)
        out = {"reused": end.obj.session_reused, "session": end.obj.session}
        end.obj.write(b"y")
        return out

    return over_socket(end, sock, steps(), env.timeout)


def connect_once(env: Any, cctx: Any, sctx: Any, session: Any = None, via: str = "wrap_socket") -> Dict[str, Any]:
    """One connection (see the module docstring); ``via="attribute"`` sets ``tls.session`` instead;
    ``"wrap_bio"`` and ``"bio-attribute"`` do either with an ``SSLObject`` over the socket."""
    def client(sock: socket.socket) -> Dict[str, Any]:
        if via in BIO_VIAS:
            return _bio_client(env, cctx, sock, session, via)
        if via == "wrap_socket":
            tls = cctx.wrap_socket(sock, session=session)
        else:
            tls = cctx.wrap_socket(sock, do_handshake_on_connect=False)
            tls.session = session
            tls.do_handshake()
        try:
            tls.recv(1)
            out = {"reused": tls.session_reused, "session": tls.session}
            tls.sendall(b"y")
            return out
        finally:
            tls.close()

    def server(sock: socket.socket) -> Dict[str, Any]:
        tls = sctx.wrap_socket(sock, server_side=True)
        try:
            tls.sendall(b"x")
            tls.recv(1)
            return {"reused": tls.session_reused}
        finally:
            tls.close()

    c, s = pair(env, client, server)
    return {"client": c, "server": s}


def full_then_resumed(env: Any, version: str, server: str = "SSLv23", **server_attrs: Any) -> Any:
    cctx, sctx = contexts(env, version, server)
    for name, value in server_attrs.items():
        setattr(sctx, name, value)
    first = connect_once(env, cctx, sctx)
    expect_true(first["client"]["session"] is not None, "the client's session after a handshake", actual=None)
    second = connect_once(env, cctx, sctx, session=first["client"]["session"])
    return cctx, sctx, first, second


@table("session/resumed/{via}/{version}", spec="SSLSocket.session", basis="spec", cite=REUSE, pair=True,
       since=SINCE, rows=[{"via": v, "version": ver} for v in ("wrap_socket", "attribute") for ver in VERSIONS])
def resumed(env: Any, via: str, version: str) -> Dict[str, Any]:
    """The first connection is a full handshake; the second, given its session, resumes it (both sides say so)."""
    cctx, sctx = contexts(env, version)
    first = connect_once(env, cctx, sctx)
    second = connect_once(env, cctx, sctx, session=first["client"]["session"], via=via)
    for side in ("client", "server"):
        expect_equal(first[side]["reused"], False, f"{side}'s session_reused of a full {version} handshake")
        expect_equal(second[side]["reused"], True, f"{side}'s session_reused after offering the session ({via})")
    return {"version": version}


#: the same over an SSLObject (``wrap_bio(session=...)``, 3.6, or its ``session`` attribute)
BIO_VIAS = ("wrap_bio", "bio-attribute")
BIO_REUSE = ("The *server_side*, *server_hostname* and *session* parameters have the same meaning as in "
             ":meth:`SSLContext.wrap_socket`.")
table("bio/session/resumed/{via}/{version}", spec="SSLContext.wrap_bio", basis="spec", cite=BIO_REUSE, pair=True,
      since=SINCE, rows=[{"via": v, "version": ver} for v in BIO_VIAS for ver in VERSIONS])(resumed)


ATTR_CITE = ("CPython's SSLSession has id (bytes), time and timeout (int seconds), ticket_lifetime_hint (int) "
             "and has_ticket (bool, True for a session with a ticket, as a default server sends)")


@table("session/SSLSession-attributes/{version}", spec="SSLSession", basis="cpython", cite=ATTR_CITE, pair=True,
       since=SINCE, rows=[{"version": v} for v in VERSIONS])
def attributes(env: Any, version: str) -> Dict[str, Any]:
    cctx, sctx = contexts(env, version)
    sess = connect_once(env, cctx, sctx)["client"]["session"]
    expect_true(isinstance(sess, env.const("SSLSession")), "SSLSocket.session is an SSLSession", actual=repr(sess))
    expect_true(isinstance(sess.id, bytes), "SSLSession.id is bytes", actual=repr(sess.id))
    expect_true(isinstance(sess.time, int) and abs(sess.time - time.time()) < 600,
                "SSLSession.time is the int time of the handshake", actual=sess.time)
    expect_true(isinstance(sess.timeout, int) and sess.timeout > 0, "SSLSession.timeout is a positive int",
                actual=sess.timeout)
    expect_true(isinstance(sess.ticket_lifetime_hint, int) and sess.ticket_lifetime_hint > 0,
                "SSLSession.ticket_lifetime_hint is the server's positive hint", actual=sess.ticket_lifetime_hint)
    expect_equal(sess.has_ticket, True, "SSLSession.has_ticket of a session from a default server")
    return {"timeout": sess.timeout, "hint": sess.ticket_lifetime_hint, "id_length": len(sess.id)}


NUM_TICKETS_CITES = {
    "TLSv1.2": "The setting has no impact on TLS 1.0 to 1.2 connections.",
    "TLSv1.3": "CPython's server with num_tickets = 0 sends no TLS 1.3 session ticket: no later connection "
               "resumes, and the client's session has no ticket",
}


@table("session/num_tickets-0/{version}", spec="SSLContext.num_tickets",
       basis=lambda row: "spec" if row["version"] == "TLSv1.2" else "cpython",
       cite=lambda row: NUM_TICKETS_CITES[row["version"]], pair=True, since="3.8",
       rows=[{"version": v} for v in VERSIONS])
def no_tickets(env: Any, version: str) -> Dict[str, Any]:
    _, sctx, first, second = full_then_resumed(env, version, "TLS_SERVER", num_tickets=0)
    expect_equal(sctx.num_tickets, 0, "num_tickets reads back 0")
    want = version != "TLSv1.3"
    for side in ("client", "server"):
        expect_equal(second[side]["reused"], want, f"{side}'s session_reused with num_tickets 0 on {version}")
    return {"reused": want}


@case("session/num_tickets-0/no-ticket", spec="SSLContext.num_tickets", basis="cpython",
      cite=NUM_TICKETS_CITES["TLSv1.3"], pair=True, since="3.8")
def no_ticket(env: Any) -> None:
    _, _, first, _ = full_then_resumed(env, "TLSv1.3", "TLS_SERVER", num_tickets=0)
    expect_equal(first["client"]["session"].has_ticket, False, "has_ticket of a TLS 1.3 session with no ticket sent")


@case("session/num_tickets/default", spec="SSLContext.num_tickets", basis="cpython",
      cite="CPython's num_tickets is OpenSSL's default of 2 on a new context", since="3.8")
def num_tickets_default(env: Any) -> None:
    expect_equal(env.context("TLS_SERVER").num_tickets, 2, "num_tickets of a new PROTOCOL_TLS_SERVER context")


@case("session/num_tickets/not-a-server-context", spec="SSLContext.num_tickets", basis="cpython",
      cite="CPython raises ValueError('SSLContext is not a server context.') setting num_tickets on a context "
           "made with another protocol than PROTOCOL_TLS_SERVER", since="3.8")
def num_tickets_client(env: Any) -> None:
    for protocol in ("TLS_CLIENT", "SSLv23"):
        ctx = env.context(protocol)
        expect_raises(env, ValueError, lambda: setattr(ctx, "num_tickets", 1), f"num_tickets on PROTOCOL_{protocol}")


@case("session/num_tickets/negative", spec="SSLContext.num_tickets", basis="cpython",
      cite="CPython raises ValueError('value must be non-negative') for a negative num_tickets", since="3.8")
def num_tickets_negative(env: Any) -> None:
    ctx = env.context("TLS_SERVER")
    expect_raises(env, ValueError, lambda: setattr(ctx, "num_tickets", -1), "num_tickets = -1")


STATS_CITE = ("CPython's session_stats() gives OpenSSL's counters: a full then a resumed handshake count connect "
              "and connect_good 2 on the client's context, accept and accept_good 2 on the server's, hits 1 on both; "
              "nothing renegotiates, misses, times out or fills the cache")
MISS_CITE = ("CPython's session_stats(): a session offered to a server that did not issue it is a miss on the "
             "client's context (misses 1, hits 0); the server counts one accept and no hit")
STAT_KEYS = ("number", "connect", "connect_good", "connect_renegotiate", "accept", "accept_good",
             "accept_renegotiate", "hits", "misses", "timeouts", "cache_full")
#: counters no row here ever moves: no renegotiation, no expiry, no full cache
STILL = {"connect_renegotiate": 0, "accept_renegotiate": 0, "timeouts": 0, "cache_full": 0}


def _expect_stats(cctx: Any, sctx: Any, want: Dict[str, Dict[str, int]]) -> Dict[str, Any]:
    got = {"client": cctx.session_stats(), "server": sctx.session_stats()}
    for side, counts in got.items():
        expect_equal(sorted(counts), sorted(STAT_KEYS), f"{side} session_stats() keys")
    for side, counts in want.items():
        counts = {**STILL, **counts}
        expect_equal({k: got[side][k] for k in counts}, counts, f"{side} context's session_stats()")
    return got


@table("session/session_stats/{version}", spec="SSLContext.session_stats", basis="cpython", cite=STATS_CITE,
       pair=True, since=SINCE, rows=[{"version": v} for v in VERSIONS])
def stats(env: Any, version: str) -> Dict[str, Any]:
    cctx, sctx, _, second = full_then_resumed(env, version)
    expect_equal(second["client"]["reused"], True, "the second connection resumed")
    return _expect_stats(cctx, sctx, {
        "client": {"connect": 2, "connect_good": 2, "accept": 0, "accept_good": 0, "hits": 1, "misses": 0},
        "server": {"connect": 0, "connect_good": 0, "accept": 2, "accept_good": 2, "hits": 1, "misses": 0}})


@table("session/session_stats/other-server/{version}", spec="SSLContext.session_stats", basis="cpython",
       cite=MISS_CITE, pair=True, since=SINCE, rows=[{"version": v} for v in VERSIONS])
def stats_miss(env: Any, version: str) -> Dict[str, Any]:
    """The first connection's session offered to a second server context: a full handshake."""
    cctx, first_server = contexts(env, version)
    session = connect_once(env, cctx, first_server)["client"]["session"]
    other = contexts(env, version)[1]
    second = connect_once(env, cctx, other, session=session)
    expect_equal(second["client"]["reused"], False, "session_reused with a session another server issued")
    return _expect_stats(cctx, other, {
        "client": {"connect": 2, "connect_good": 2, "hits": 0, "misses": 1},
        "server": {"accept": 1, "accept_good": 1, "hits": 0, "misses": 0}})


# -- the documented errors ---------------------------------------------------------------
ERROR_CITES = {
    "after-handshake": "CPython raises ValueError('Cannot set session after handshake.')",
    "other-context": "CPython raises ValueError('Session refers to a different SSLContext.')",
    "server-side-wrap": "CPython raises ValueError('session can only be specified in client mode')",
    "not-a-session": "CPython raises TypeError('Value is not a SSLSession.')",
}


@table("session/errors/{name}", spec="SSLSocket.session", basis="cpython", cite=lambda row: ERROR_CITES[row["name"]],
       pair=True, since=SINCE, rows=[{"name": n} for n in ERROR_CITES])
def session_errors(env: Any, name: str) -> None:
    cctx, sctx = contexts(env, "TLSv1.3")
    sess = connect_once(env, cctx, sctx)["client"]["session"]
    if name == "server-side-wrap":
        expect_raises(env, ValueError, lambda: cctx.wrap_socket(env.socket(), server_side=True, session=sess),
                      "wrap_socket(server_side=True, session=...)")
        return
    bad: Any = {"other-context": lambda: sess, "not-a-session": lambda: "not a session",
                "after-handshake": lambda: sess}[name]()
    ctx = contexts(env, "TLSv1.3")[0] if name == "other-context" else cctx
    exc_type = TypeError if name == "not-a-session" else ValueError

    def client(sock: socket.socket) -> None:
        """Connected, before the handshake (CPython checks only then), or after it."""
        tls = ctx.wrap_socket(sock, do_handshake_on_connect=name == "after-handshake")
        try:
            if name == "after-handshake":
                tls.recv(1)
            expect_raises(env, exc_type, lambda: setattr(tls, "session", bad), f"session = ... ({name})")
        finally:
            tls.close()

    def server(sock: socket.socket) -> None:
        tls = sctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=name == "after-handshake")
        try:
            if name == "after-handshake":
                tls.sendall(b"x")
        finally:
            tls.close()

    pair(env, client, server)


@case("session/SSLSession/no-constructor", spec="SSLSession", basis="cpython",
      cite="CPython raises TypeError: cannot create '_ssl.SSLSession' instances", since=SINCE)
def no_constructor(env: Any) -> None:
    expect_raises(env, TypeError, lambda: env.const("SSLSession")(), "SSLSession()")
