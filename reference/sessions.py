"""TLS sessions (Python 3.6): ``SSLSession``, ``SSLSocket.session`` / ``session_reused``,
``wrap_socket(session=...)``, ``SSLContext.session_stats()`` and ``num_tickets`` (3.8).

``SSLSession``
    Wraps OpenSSL's ``SSL_SESSION`` (taken with ``SSL_get1_session``).  The
    binding has none of the ``SSL_SESSION_get_*`` accessors, so the attributes
    are read from the session's own DER encoding (``i2d_SSL_SESSION``; the
    ``SSL_SESSION_ASN1`` sequence of OpenSSL's ``ssl_asn1.c``): ``id`` is the
    session id, ``time`` the ``[1]`` field (seconds since the epoch),
    ``timeout`` ``[2]``, ``ticket_lifetime_hint`` ``[9]`` and ``has_ticket``
    whether the ticket ``[10]`` is non-empty -- exactly what the accessors
    return.  Two sessions are equal when their ids are (as CPython's).  It
    has no public constructor.

Setting a session
    Only on a client, before its handshake, and only a session of the same
    ``SSLContext``; the errors are CPython's (``TypeError`` "Value is not a
    SSLSession.", ``ValueError`` "Session refers to a different
    SSLContext." / "Cannot set session for server-side SSLSocket." / "Cannot
    set session after handshake.").  On an unconnected socket the session is
    only kept, as CPython keeps it: the checks come with the connection
    ``connect()`` makes.

TLS 1.3
    The server sends its tickets after the handshake: a client's ``session``
    is resumable once it has read something from the server.

``session_stats()``
    OpenSSL's counters (``SSL_CTX_sess_*``) are macros over ``SSL_CTX_ctrl``,
    which the binding lacks, so the context counts for itself from OpenSSL's
    info callback: a connection's first ``HANDSHAKE_START`` is a ``connect``
    or ``accept``, its first ``HANDSHAKE_DONE`` a ``connect_good`` or
    ``accept_good`` and, if the session was reused, a ``hits``; a client's
    offered session that was not resumed is a ``misses``, as OpenSSL counts
    it on the client.  The other keys (``number``, ``timeouts``,
    ``cache_full``, the renegotiations) stay 0: with session tickets, the
    default, OpenSSL's server cache holds and misses nothing either.  The counters belong to the
    ``SSLContext`` and survive the rebuilding of the pyOpenSSL context.

``num_tickets``
    Settable only on a ``PROTOCOL_TLS_SERVER`` context (CPython's "SSLContext is
    not a server context."); a non-negative integer.
    The binding has no ``SSL_CTX_set_num_tickets``: the value is kept and
    read back, and 0 -- "no tickets" -- is carried out with
    ``SSL_OP_NO_TICKET`` and the server's session cache off, so nothing can be
    resumed; that also ends resumption on TLS 1.2, which the documentation
    says the setting does not touch (a known deviation).  Any other value
    sends OpenSSL's default number of tickets (two).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from OpenSSL import SSL as _SSL
from OpenSSL._util import ffi as _ffi, lib as _lib

from . import defaults as _defaults
from .certdecode import _items, _one

STAT_KEYS = ("number", "connect", "connect_good", "connect_renegotiate", "accept", "accept_good",
             "accept_renegotiate", "hits", "misses", "timeouts", "cache_full")
DEFAULT_TICKETS = 2  #: OpenSSL's default number of TLS 1.3 tickets


# -- the DER of an SSL_SESSION ---------------------------------------------------------
def parse_session_der(der: bytes) -> Dict[str, Any]:
    """``id``, ``time``, ``timeout``, ``ticket_lifetime_hint``, ``has_ticket`` of an ``SSL_SESSION``
    (read with the certificate decoder's DER reader)."""
    tag, body = _one(der)
    if tag != 0x30:
        raise ValueError("not an SSL_SESSION encoding")
    fields = list(_items(body))
    # version, ssl_version, cipher, session_id, master_key, then tagged optional fields
    out: Dict[str, Any] = {"id": fields[3][1], "time": 0, "timeout": 0, "ticket_lifetime_hint": 0,
                           "has_ticket": False}
    tagged = {t & 0x1F: b for t, b in fields[5:] if t & 0xC0 == 0x80}  # context-specific [n]
    for number, key in ((1, "time"), (2, "timeout"), (9, "ticket_lifetime_hint")):
        if number in tagged:  # EXPLICIT: an INTEGER inside
            _, value = _one(tagged[number])
            out[key] = int.from_bytes(value, "big", signed=key != "ticket_lifetime_hint")
    if 10 in tagged:
        _, ticket = _one(tagged[10])
        out["has_ticket"] = len(ticket) > 0
    return out


class SSLSession:
    """A TLS session: resumable by a later client connection of the same context."""

    __slots__ = ("_session", "_context", "_fields")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("cannot create 'SSLSession' instances")

    @classmethod
    def _from_connection(cls, conn: _SSL.Connection, context: Any) -> Optional["SSLSession"]:
        raw = _lib.SSL_get1_session(conn._ssl)
        if raw == _ffi.NULL:
            return None
        try:
            size = _lib.i2d_SSL_SESSION(raw, _ffi.NULL)
            buf = _ffi.new("unsigned char[]", size)
            _lib.i2d_SSL_SESSION(raw, _ffi.new("unsigned char **", buf))
        finally:
            _lib.SSL_SESSION_free(raw)
        # A copy, not the connection's own SSL_SESSION: OpenSSL marks that one not
        # resumable when the connection is freed without a close_notify (as close()
        # does), which CPython before 3.13 also avoided by copying the session.
        copy = _lib.d2i_SSL_SESSION(_ffi.NULL, _ffi.new("unsigned char **", buf), size)
        if copy == _ffi.NULL:
            return None
        self = cls.__new__(cls)
        self._session = _ffi.gc(copy, _lib.SSL_SESSION_free)
        self._context = context
        self._fields = parse_session_der(_ffi.buffer(buf, size)[:])
        return self

    id = property(lambda self: self._fields["id"], doc="The session id (bytes).")
    time = property(lambda self: self._fields["time"], doc="When the session was made (seconds since the epoch).")
    timeout = property(lambda self: self._fields["timeout"], doc="Its lifetime in seconds.")
    ticket_lifetime_hint = property(lambda self: self._fields["ticket_lifetime_hint"],
                                    doc="The server's hint of the ticket's lifetime in seconds (0: none).")
    has_ticket = property(lambda self: self._fields["has_ticket"], doc="Whether the session has a ticket.")

    def __eq__(self, other: Any) -> Any:
        if not isinstance(other, SSLSession):
            return NotImplemented
        return self.id == other.id

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<SSLSession id=%s>" % self.id.hex()


def _info_callback(owner: Any) -> Any:
    """OpenSSL's info callback counting ``owner``'s handshakes (see the module docstring)."""
    def info(conn: Any, where: int, ret: int) -> None:
        server = getattr(conn, "_reference_server", False)
        if where & _lib.SSL_CB_HANDSHAKE_START and not getattr(conn, "_counted_start", False):
            conn._counted_start = True
            owner._count("accept" if server else "connect")
        if where & _lib.SSL_CB_HANDSHAKE_DONE and not getattr(conn, "_counted_done", False):
            conn._counted_done = True
            owner._count("accept_good" if server else "connect_good")
            if _lib.SSL_session_reused(conn._ssl):
                owner._count("hits")
            elif getattr(conn, "_reference_offered", False):
                owner._count("misses")  # a client's offered session the server did not resume
    return info


def configure(ctx: _SSL.Context, owner: Any) -> None:
    """Give a fresh pyOpenSSL context the counting callback and the ticket setting."""
    ctx.set_info_callback(_info_callback(owner))
    if owner._num_tickets == 0:
        ctx.set_options(_SSL.OP_NO_TICKET)
        ctx.set_session_cache_mode(_SSL.SESS_CACHE_OFF)


class SessionContext:
    """The ``SSLContext`` half of sessions (a base class of ``reference.context.SSLContext``)."""

    __slots__ = ()
    _stats: Optional[Dict[str, int]] = None
    _num_tickets: int = DEFAULT_TICKETS

    def _count(self, key: str) -> None:
        if self._stats is None:
            self._stats = dict.fromkeys(STAT_KEYS, 0)
        self._stats[key] += 1

    def session_stats(self) -> Dict[str, int]:
        """Counters of the sessions this context made or resumed (``hits``, ``connect_good``...)."""
        return dict(self._stats or dict.fromkeys(STAT_KEYS, 0))

    @property
    def num_tickets(self) -> int:
        """How many TLS 1.3 tickets a server sends (see the module docstring)."""
        return self._num_tickets

    @num_tickets.setter
    def num_tickets(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError("an integer is required")
        if value < 0:
            raise ValueError("value must be non-negative")
        if self._protocol != _defaults.PROTOCOL_TLS_SERVER:
            raise ValueError("SSLContext is not a server context.")
        self._num_tickets = value
        self._built = None


class SessionSocket:
    """The ``SSLSocket`` half of sessions (a base class of ``reference.sslsocket.SSLSocket``)."""

    __slots__ = ()

    @property
    def session(self) -> Optional[SSLSession]:
        """This connection's ``SSLSession`` (``None`` before there is a connection)."""
        if not self._tls:
            return None
        return SSLSession._from_connection(self._conn, self._context)

    @session.setter
    def session(self, session: Any) -> None:
        if self._tls:
            check_session(self, session)
            apply_session(self._conn, session)
        self._session = session

    @property
    def session_reused(self) -> Optional[bool]:
        """Whether the handshake resumed a session (``None`` before there is a connection)."""
        if not self._tls:
            return None
        return bool(_lib.SSL_session_reused(self._conn._ssl))


def check_session(sock: Any, session: Any) -> None:
    """Refuse what CPython refuses as ``sock.session = session``."""
    if not isinstance(session, SSLSession):
        raise TypeError("Value is not a SSLSession.")
    if session._context is not sock._context:
        raise ValueError("Session refers to a different SSLContext.")
    if sock.server_side:
        raise ValueError("Cannot set session for server-side SSLSocket.")
    if sock._tls and sock._handshake_done():
        raise ValueError("Cannot set session after handshake.")


def apply_session(conn: _SSL.Connection, session: Optional[SSLSession]) -> None:
    """Offer ``session`` (checked by :func:`check_session`) on the not yet started connection ``conn``."""
    if session is not None:
        if not _lib.SSL_set_session(conn._ssl, session._session):
            raise ValueError("the session could not be set")
        conn._reference_offered = True


__all__ = ["SSLSession", "SessionContext", "SessionSocket", "apply_session", "check_session",
           "configure", "parse_session_der"]
