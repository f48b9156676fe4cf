"""``SSLObject`` from ``SSLContext.wrap_bio`` (documented since 3.5), driven through memory buffers.

Pair cases: the client is ``env``'s module, the server ``env.peer``'s, every
ordered pair of implementations.  The harness's pump
(``conformance.harness.pump``) moves the bytes; a case that must see one
exact step (the first ``do_handshake`` with nothing to read, half a record)
moves them itself with :func:`~conformance.harness.pump.wire`.

What is checked, each against the sentence that documents it:

* the handshake and an echo over the buffers, ``version()``/``cipher()``
  agreeing on both sides, the verified peer certificate;
* ``SSLWantReadError`` exactly when more input is needed -- a handshake or
  read with an empty *incoming*, or half a record in it -- and never when
  the input is there;
* writes and reads of exact sizes around the 16 KiB record limit, both ways;
* the ends: ``unwrap()`` (returns nothing), a read after the peer's
  close_notify and after both closed, ``SSLEOFError`` when *incoming* ends
  mid-stream (no ``suppress_ragged_eofs`` here);
* what an ``SSLObject`` has (the documented list) and what it lacks
  (no handshake until ``do_handshake()``, no public constructor);
* ``sslobject_class`` (3.7).

Verification over memory buffers runs the verify tables themselves on a
second transport (``bio/verify/...``, ``bio/negative/...`` in ``cases/verify.py``
and ``cases/negatives.py``).
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ..harness.loopback import pair_outcome, run_pair, tls_body
from ..harness.pump import TRANSPORTS, BioEnd, bio_socket_body, pump, require_bio, retry, wire
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table

SINCE = TRANSPORTS["bio"]
NONBLOCKING = ("This means that for example :meth:`~SSLSocket.read` will raise an :exc:`SSLWantReadError` if "
               "it needs more data than the incoming BIO has available.")
VERSIONS = {"TLSv1.2": ("NO_TLSv1_3",), "TLSv1.3": ()}


def ends(env: Any, version: str = "TLSv1.3", hostname: str = "localhost") -> Tuple[BioEnd, BioEnd]:
    """A client ``SSLObject`` of ``env`` (verifying the server) and a server one of ``env.peer``."""
    senv = env.peer or env
    for e in (env, senv):
        require_bio(e.ssl, e.impl.name)
    options = VERSIONS[version]
    client = BioEnd(env.ssl, env.context(trust="root-ca", verify="REQUIRED", options=options),
                    server_hostname=hostname)
    server = BioEnd(senv.ssl, senv.context(cert="server", options=options), server_side=True)
    return client, server


def handshake(client: BioEnd, server: BioEnd, timeout: float) -> None:
    """Both handshakes through the pump; ``CaseFailure`` naming the side that failed."""
    results = pump([(client, retry(client, client.obj.do_handshake, "do_handshake")),
                    (server, retry(server, server.obj.do_handshake, "do_handshake"))], timeout=timeout)
    for end, (_, error) in zip((client, server), results):
        if error is not None:
            raise CaseFailure(f"the {end.name}'s handshake over memory BIOs failed: {type(error).__name__}: {error}",
                              expected="both handshakes complete", actual=f"{type(error).__name__}: {error}")


def raises_want_read(end: BioEnd, call: Any, what: str) -> str:
    """``call()`` must raise the module's ``SSLWantReadError``; its text."""
    try:
        value = call()
    except end.module.SSLWantReadError as exc:
        return f"SSLWantReadError: {exc}"
    except Exception as exc:
        raise CaseFailure(f"{what}: raised {type(exc).__name__}: {exc}, not SSLWantReadError",
                          expected="SSLWantReadError", actual=f"{type(exc).__name__}: {exc}") from None
    raise CaseFailure(f"{what}: returned {value!r:.60}, expected SSLWantReadError (more input is needed)",
                      expected="SSLWantReadError", actual=repr(value)[:80])


@table("bio/SSLObject/handshake/{version}", spec="SSLContext.wrap_bio", basis="spec",
       cite="The *incoming* BIO is used to pass data from Python to the SSL protocol instance, while the "
            "*outgoing* BIO is used to pass data the other way around.",
       rows=[{"version": v} for v in VERSIONS], pair=True, since=SINCE)
def handshake_cell(env: Any, version: str) -> Dict[str, Any]:
    client, server = ends(env, version)
    handshake(client, server, env.timeout)
    for end in (client, server):
        expect_equal(end.obj.version(), version, f"the {end.name}'s version()")
    expect_equal(client.obj.cipher()[0], server.obj.cipher()[0], "the cipher both sides name")
    cert = client.obj.getpeercert()
    expect_true(isinstance(cert, dict) and "subject" in cert, "the client's getpeercert() is the validated "
                "certificate", expected="dict with subject", actual=repr(cert)[:80])
    expect_equal(server.obj.getpeercert(), None, "the server's getpeercert() (no client certificate)")
    return {"version": version, "cipher": list(client.obj.cipher())}


# -- SSLWantReadError exactly when more input is needed ------------------------------------------
def _want_client_handshake(client: BioEnd, server: BioEnd, env: Any) -> Dict[str, Any]:
    text = raises_want_read(client, client.obj.do_handshake, "the client's first do_handshake()")
    expect_true(client.outgoing.pending > 0, "the client's first do_handshake() wrote its hello to outgoing",
                expected="> 0 bytes", actual=client.outgoing.pending)
    return {"raised": text, "hello": client.outgoing.pending}


def _want_server_handshake(client: BioEnd, server: BioEnd, env: Any) -> Dict[str, Any]:
    text = raises_want_read(server, server.obj.do_handshake, "the server's do_handshake() with nothing to read")
    expect_equal(server.outgoing.pending, 0, "bytes the server wrote before any hello came")
    return {"raised": text}


def _want_partial_hello(client: BioEnd, server: BioEnd, env: Any) -> Dict[str, Any]:
    raises_want_read(client, client.obj.do_handshake, "the client's first do_handshake()")
    hello = client.outgoing.read()
    server.incoming.write(hello[:len(hello) // 2])
    text = raises_want_read(server, server.obj.do_handshake, "the server's do_handshake() with half the hello")
    expect_equal(server.outgoing.pending, 0, "bytes the server answered to half a hello")
    server.incoming.write(hello[len(hello) // 2:])
    try:
        server.obj.do_handshake()
    except server.module.SSLWantReadError:
        pass  # TLS 1.3 and 1.2 alike: the server now waits for the client's next flight
    expect_true(server.outgoing.pending > 0, "the server answers once the whole hello is there",
                expected="> 0 bytes", actual=server.outgoing.pending)
    return {"raised": text}


def _want_read_empty(client: BioEnd, server: BioEnd, env: Any) -> Dict[str, Any]:
    handshake(client, server, env.timeout)
    wire(client, server)
    return {"raised": raises_want_read(server, lambda: server.obj.read(10), "read() with an empty incoming")}


def _want_read_partial_record(client: BioEnd, server: BioEnd, env: Any) -> Dict[str, Any]:
    handshake(client, server, env.timeout)
    wire(client, server)
    client.obj.write(b"hello")
    record = client.outgoing.read()
    server.incoming.write(record[:-1])
    text = raises_want_read(server, lambda: server.obj.read(10), "read() with all but the last byte of a record")
    server.incoming.write(record[-1:])
    expect_equal(server.obj.read(10), b"hello", "read() once the whole record is there")
    raises_want_read(server, lambda: server.obj.read(10), "read() again, the record consumed")
    return {"raised": text}


WANT = {"client-handshake": _want_client_handshake, "server-handshake": _want_server_handshake,
        "partial-hello": _want_partial_hello, "read-empty": _want_read_empty,
        "partial-record": _want_read_partial_record}


@table("bio/SSLObject/want-read/{step}", spec="SSLObject", basis="spec", cite=NONBLOCKING,
       rows=[{"step": s} for s in WANT], pair=True, since=SINCE)
def want_read(env: Any, step: str) -> Dict[str, Any]:
    client, server = ends(env)
    return WANT[step](client, server, env)


# -- exact sizes ----------------------------------------------------------------------------------
SIZES = (1, 16384, 16385, 1 << 20)


def _transfer(writer: BioEnd, reader: BioEnd, size: int, timeout: float) -> Tuple[int, bytes, List[int]]:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    asked = 4096
    sizes: List[int] = []

    def write() -> Any:
        return (yield from retry(writer, lambda: writer.obj.write(data), "write"))

    def read() -> Any:
        got = b""
        while len(got) < size:
            chunk = yield from retry(reader, lambda: reader.obj.read(asked), "read")
            if not chunk:
                break
            sizes.append(len(chunk))
            got += chunk
        return got

    (written, werr), (got, rerr) = pump([(writer, write()), (reader, read())], timeout=timeout)
    for what, err in (("write", werr), ("read", rerr)):
        if err is not None:
            raise CaseFailure(f"the {what} of {size} bytes over memory BIOs failed: {type(err).__name__}: {err}",
                              expected=f"{size} bytes through", actual=f"{type(err).__name__}: {err}")
    return written, got, sizes


@table("bio/SSLObject/sizes/{direction}/{size}", spec="SSLObject", basis="spec",
       cite="Read up to *len* bytes of data from the SSL socket and return the result as a ``bytes`` instance.",
       rows=[{"direction": d, "size": s} for d in ("client-to-server", "server-to-client") for s in SIZES],
       pair=True, since=SINCE)
def sizes(env: Any, direction: str, size: int) -> Dict[str, Any]:
    client, server = ends(env)
    handshake(client, server, env.timeout)
    writer, reader = (client, server) if direction == "client-to-server" else (server, client)
    written, got, chunks = _transfer(writer, reader, size, env.timeout)
    expect_equal(written, size, f"write() of {size} bytes returns")
    expect_equal(len(got), size, f"bytes read of the {size} written")
    expect_true(got == bytes(range(256)) * (size // 256) + bytes(range(size % 256)),
                "the bytes read are the bytes written, in order")
    expect_true(max(chunks) <= 4096, "no read(4096) returned more than 4096 bytes", expected="<= 4096",
                actual=max(chunks))
    return {"reads": len(chunks), "largest": max(chunks)}


# -- against a real socket peer ---------------------------------------------------------------------
@table("bio/SSLObject/socket-peer/{role}/{version}", spec="SSLObject", basis="spec", pair=True, since=SINCE,
       cite="This class is typically used by framework authors that want to implement asynchronous IO for SSL "
            "through memory buffers.",
       rows=[{"role": r, "version": v} for r in ("client", "server") for v in VERSIONS])
def socket_peer(env: Any, role: str, version: str) -> Dict[str, Any]:
    """The SSLObject is the ``role`` side (the client of ``env``, the server of ``env.peer``); the
    other side is an SSLSocket of the other implementation over loopback; a 100 KB echo."""
    senv = env.peer or env
    for e in (env, senv):
        require_bio(e.ssl, e.impl.name)
    options = VERSIONS[version]
    cctx = env.context(trust="root-ca", verify="REQUIRED", options=options)
    sctx = senv.context(cert="server", options=options)
    payload = bytes(range(256)) * 400
    if role == "client":
        client_fn = bio_socket_body(env.ssl, cctx, payload, False, hostname="localhost", timeout=env.timeout)
        server_fn = tls_body(sctx, payload, True)
    else:
        client_fn = tls_body(cctx, payload, False, "localhost")
        server_fn = bio_socket_body(senv.ssl, sctx, payload, True, timeout=env.timeout)
    c, s = run_pair(client_fn, server_fn, timeout=env.timeout)
    out = pair_outcome(c, s)
    sides = {"client": out.client.describe(), "server": out.server.describe()}
    expect_true(out.ok, f"a 100 KB echo between an SSLObject ({role}) and an SSLSocket over loopback",
                expected="both sides ok", actual=sides)
    for name, side in (("client", out.client), ("server", out.server)):
        expect_equal(side.version, version, f"the {name}'s version()")
    return sides
