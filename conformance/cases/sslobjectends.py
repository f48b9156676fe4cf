"""``SSLObject``: how a connection over memory buffers ends, and what the object is.

The ends (pair cases: client ``env``, server ``env.peer``):

* ``unwrap()`` sends close_notify and returns nothing; before the peer's
  close_notify came it needs more input (``SSLWantReadError``), like any call;
* a read after the peer's close_notify, with ours not yet sent, returns
  ``b""`` (CPython's answer to ``SSL_ERROR_ZERO_RETURN`` then); after both
  sides closed, a read raises ``SSLZeroReturnError``;
* *incoming* that ends (``write_eof()``) in the middle of the handshake, of
  a record, or before the peer's close_notify is a truncated stream:
  ``SSLEOFError`` -- there is no ``suppress_ragged_eofs`` for an ``SSLObject``.

The object: every name of the documented list, from the edition its
``SSLSocket`` counterpart was documented (never before 3.5, the memory-BIO
support), with the documented values before the handshake; no handshake until
``do_handshake()``; no public constructor (3.7); ``SSLContext.sslobject_class``
(3.7).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

from ..harness.pump import TRANSPORTS, BioEnd, wire
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..judge import apilisting
from ..judge.editions import key
from .sslobject import ends, handshake, raises_want_read

SINCE = TRANSPORTS["bio"]


def _raises(end: BioEnd, kind: str, call: Callable[[], Any], what: str) -> str:
    """``call()`` must raise ``end.module.<kind>``; its text."""
    cls = getattr(end.module, kind)
    try:
        value = call()
    except cls as exc:
        return f"{kind}: {exc}"
    except Exception as exc:
        raise CaseFailure(f"{what}: raised {type(exc).__name__}: {exc}, not {kind}", expected=kind,
                          actual=f"{type(exc).__name__}: {exc}") from None
    raise CaseFailure(f"{what}: returned {value!r:.60}, expected {kind}", expected=kind, actual=repr(value)[:80])


# -- close_notify and unwrap -----------------------------------------------------------------------
@case("bio/SSLObject/unwrap/exchange", spec="SSLObject", basis="spec", pair=True, since=SINCE,
      cite="The method :meth:`~SSLSocket.unwrap` call does not return anything, unlike for an SSL socket "
           "where it returns the underlying socket.")
def unwrap_exchange(env: Any) -> Dict[str, Any]:
    client, server = ends(env)
    handshake(client, server, env.timeout)
    wire(client, server)
    raises_want_read(client, client.obj.unwrap, "the client's unwrap() before the server's close_notify")
    expect_true(client.outgoing.pending > 0, "the client's unwrap() wrote its close_notify to outgoing",
                expected="> 0 bytes", actual=client.outgoing.pending)
    wire(client, server)
    expect_equal(server.obj.unwrap(), None, "the server's unwrap(), the client's close_notify received")
    wire(client, server)
    expect_equal(client.obj.unwrap(), None, "the client's unwrap(), the server's close_notify received")
    return {"unwrap": None}


def _client_closed(env: Any) -> Tuple[BioEnd, BioEnd]:
    """Two ends after their handshake and the client's ``unwrap()``, its close_notify
    delivered to the server (the client waits for the server's)."""
    client, server = ends(env)
    handshake(client, server, env.timeout)
    wire(client, server)
    raises_want_read(client, client.obj.unwrap, "the client's unwrap() before the server's close_notify")
    wire(client, server)
    return client, server


@case("bio/SSLObject/close/read-after-peer-close-notify", spec="SSLObject", basis="cpython", pair=True,
      since=SINCE, cite="CPython's SSLObject.read() returns b'' once the peer's close_notify came and ours "
                        "is not sent (SSL_ERROR_ZERO_RETURN with only the received shutdown)")
def read_after_close_notify(env: Any) -> Dict[str, Any]:
    client, server = _client_closed(env)
    expect_equal(server.obj.read(10), b"", "the server's read() after the client's close_notify")
    expect_equal(server.obj.read(10), b"", "the server's second read() after it")
    return {"read": ""}


@case("bio/SSLObject/close/read-after-both-closed", spec="SSLZeroReturnError", basis="spec", pair=True,
      since=SINCE, cite="A subclass of :exc:`SSLError` raised when trying to read or write and the SSL "
                        "connection has been closed cleanly.")
def read_after_both_closed(env: Any) -> Dict[str, Any]:
    client, server = _client_closed(env)
    server.obj.unwrap()
    text = _raises(server, "SSLZeroReturnError", lambda: server.obj.read(10),
                   "the server's read() after both close_notify alerts")
    return {"raised": text}


# -- truncated streams -------------------------------------------------------------------------------
def _eof_in_handshake(client: BioEnd, server: BioEnd, env: Any) -> Callable[[], Any]:
    raises_want_read(client, client.obj.do_handshake, "the client's first do_handshake()")
    wire(client, server)
    raises_want_read(server, server.obj.do_handshake, "the server's do_handshake() after the hello")
    answer = server.outgoing.read()
    client.incoming.write(answer[:len(answer) // 2])
    client.incoming.write_eof()
    return client.obj.do_handshake


def _eof_before_any_answer(client: BioEnd, server: BioEnd, env: Any) -> Callable[[], Any]:
    raises_want_read(client, client.obj.do_handshake, "the client's first do_handshake()")
    client.incoming.write_eof()
    return client.obj.do_handshake


def _eof_between_records(client: BioEnd, server: BioEnd, env: Any) -> Callable[[], Any]:
    handshake(client, server, env.timeout)
    wire(client, server)
    server.obj.write(b"hello")
    wire(client, server)
    expect_equal(client.obj.read(10), b"hello", "the client's read() of a whole record")
    client.incoming.write_eof()
    return lambda: client.obj.read(10)


def _eof_mid_record(client: BioEnd, server: BioEnd, env: Any) -> Callable[[], Any]:
    handshake(client, server, env.timeout)
    wire(client, server)
    server.obj.write(b"hello")
    record = server.outgoing.read()
    client.incoming.write(record[:len(record) // 2])
    client.incoming.write_eof()
    return lambda: client.obj.read(10)


TRUNCATED = {"handshake": _eof_in_handshake, "before-server-hello": _eof_before_any_answer,
             "between-records": _eof_between_records, "mid-record": _eof_mid_record}


@table("bio/SSLObject/eof/{stage}", spec="SSLObject", basis="spec", pair=True, since=SINCE,
       cite="All end-of-file conditions that are in violation of the protocol are reported via the "
            ":exc:`SSLEOFError` exception.", rows=[{"stage": s} for s in TRUNCATED])
def truncated(env: Any, stage: str) -> Dict[str, Any]:
    client, server = ends(env)
    call = TRUNCATED[stage](client, server, env)
    return {"raised": _raises(client, "SSLEOFError", call, f"the client, incoming ended ({stage})")}


# -- what the object has ------------------------------------------------------------------------------
#: the documented list of SSLObject's methods and attributes (each an SSLSocket entry)
DOCUMENTED = ("context", "server_side", "server_hostname", "session", "session_reused", "read", "write",
              "getpeercert", "get_verified_chain", "get_unverified_chain", "selected_alpn_protocol",
              "selected_npn_protocol", "cipher", "shared_ciphers", "compression", "pending", "do_handshake",
              "verify_client_post_handshake", "unwrap", "get_channel_binding", "version")


def _since(name: str) -> str:
    added, _ = apilisting.span(f"SSLSocket.{name}")
    return max(added, SINCE, key=key)


@table("bio/SSLObject/has/{name}", spec="SSLObject", basis="spec",
       cite="The following methods are available:", rows=[{"name": n} for n in DOCUMENTED],
       since=lambda row: _since(row["name"]),
       until=lambda row: apilisting.span(f"SSLSocket.{row['name']}")[1])
def has_name(env: Any, name: str) -> Dict[str, Any]:
    client, _ = ends(env)
    kind = apilisting.entry(f"SSLSocket.{name}")["kind"]
    expect_true(hasattr(client.obj, name), f"{env.impl.name}'s SSLObject has {name}", expected=name,
                actual="missing")
    if kind == "method":
        expect_true(callable(getattr(client.obj, name)), f"SSLObject.{name} is a method", expected="callable",
                    actual=type(getattr(client.obj, name)).__name__)
    return {"kind": kind}


#: before the handshake: (call, expected value, the sentence that says so)
BEFORE = {
    "cipher": (lambda o: o.cipher(), None, "If no connection has been established, returns ``None``."),
    "version": (lambda o: o.version(), None,
                "Return the actual SSL protocol version negotiated by the connection as a string, or ``None`` "
                "if no secure connection is established."),
    "selected_alpn_protocol": (lambda o: o.selected_alpn_protocol(), None,
                               "or if the handshake has not happened yet, ``None`` is returned."),
    "pending": (lambda o: o.pending(), 0,
                "Returns the number of already decrypted bytes available for read, pending on the connection."),
}


@table("bio/SSLObject/before-handshake/{call}", spec="SSLSocket.{call}", basis="spec",
       cite=lambda row: BEFORE[row["call"]][2], rows=[{"call": c} for c in BEFORE],
       since=lambda row: _since(row["call"]))
def before_handshake(env: Any, call: str) -> Dict[str, Any]:
    client, _ = ends(env)
    fn, want, _ = BEFORE[call]
    expect_equal(fn(client.obj), want, f"SSLObject.{call}() before the handshake")
    return {"value": want}


@case("bio/SSLObject/attributes/as-wrapped", spec="SSLContext.wrap_bio", basis="spec", pair=True, since=SINCE,
      cite="The *server_side*, *server_hostname* and *session* parameters have the same meaning as in "
           ":meth:`SSLContext.wrap_socket`.")
def attributes(env: Any) -> Dict[str, Any]:
    senv = env.peer or env
    cctx, sctx = env.context(), senv.context(cert="server")
    client = BioEnd(env.ssl, cctx, server_hostname="localhost")
    server = BioEnd(senv.ssl, sctx, server_side=True)
    seen = {"client.context is its context": client.obj.context is cctx,
            "server.context is its context": server.obj.context is sctx,
            "client.server_side": client.obj.server_side, "server.server_side": server.obj.server_side,
            "client.server_hostname": client.obj.server_hostname,
            "server.server_hostname": server.obj.server_hostname}
    want = {"client.context is its context": True, "server.context is its context": True,
            "client.server_side": False, "server.server_side": True,
            "client.server_hostname": "localhost", "server.server_hostname": None}
    expect_equal(seen, want, "the attributes of SSLObjects made by wrap_bio")
    return seen


@case("bio/SSLObject/no-handshake-on-wrap", spec="SSLObject", basis="spec", since=SINCE,
      cite="There is no *do_handshake_on_connect* machinery. You must always manually call "
           ":meth:`~SSLSocket.do_handshake` to start the handshake.")
def no_handshake_on_wrap(env: Any) -> Dict[str, Any]:
    client, _ = ends(env)
    expect_equal(client.outgoing.pending, 0, "bytes in the client's outgoing after wrap_bio, before do_handshake()")
    expect_equal(client.obj.version(), None, "version() before do_handshake()")
    return {"outgoing": 0}


@case("bio/SSLContext.wrap_bio/returns-SSLObject", spec="SSLContext.wrap_bio", basis="spec", since=SINCE,
      cite="Wrap the BIO objects *incoming* and *outgoing* and return an instance of "
           ":attr:`SSLContext.sslobject_class` (default :class:`SSLObject`).")
def returns_sslobject(env: Any) -> Dict[str, Any]:
    obj = BioEnd(env.ssl, env.context()).obj
    expect_true(isinstance(obj, env.const("SSLObject")), "wrap_bio() returns an SSLObject",
                expected="SSLObject", actual=type(obj).__name__)
    return {"type": type(obj).__name__}


@case("bio/SSLObject/no-public-constructor", spec="SSLObject", basis="cpython", since="3.7",
      cite="CPython 3.7 and later raise TypeError from SSLObject(): instances come only from wrap_bio()")
def no_public_constructor(env: Any) -> Dict[str, Any]:
    cls = env.const("SSLObject")
    incoming, outgoing = env.ssl.MemoryBIO(), env.ssl.MemoryBIO()
    for args in ((), (incoming, outgoing)):
        try:
            made = cls(*args)
        except TypeError:
            continue
        raise CaseFailure(f"SSLObject{args and '(incoming, outgoing)' or '()'} made an instance",
                          expected="TypeError", actual=repr(made)[:80])
    return {"raised": "TypeError"}


@case("bio/SSLContext.sslobject_class/default", spec="SSLContext.sslobject_class", basis="spec", since="3.7",
      cite="The return type of :meth:`SSLContext.wrap_bio`, defaults to :class:`SSLObject`.")
def sslobject_class_default(env: Any) -> Dict[str, Any]:
    ctx = env.context()
    expect_true(getattr(ctx, "sslobject_class", None) is env.const("SSLObject"),
                "SSLContext().sslobject_class is SSLObject", expected="SSLObject",
                actual=repr(getattr(ctx, "sslobject_class", "missing")))
    return {"sslobject_class": "SSLObject"}


@case("bio/SSLContext.sslobject_class/subclass", spec="SSLContext.sslobject_class", basis="spec", since="3.7",
      cite="The attribute can be overridden on instance of class in order to return a custom subclass of "
           ":class:`SSLObject`.")
def sslobject_class_subclass(env: Any) -> Dict[str, Any]:
    sub = type("CustomSSLObject", (env.const("SSLObject"),), {})
    ctx, other = env.context(), env.context()
    ctx.sslobject_class = sub
    made = BioEnd(env.ssl, ctx).obj
    expect_true(type(made) is sub, "wrap_bio() on the context returns the subclass set on it",
                expected="CustomSSLObject", actual=type(made).__name__)
    plain = BioEnd(env.ssl, other).obj
    expect_true(type(plain) is env.ssl.SSLObject, "another context still returns SSLObject",
                expected="SSLObject", actual=type(plain).__name__)
    return {"type": type(made).__name__}
