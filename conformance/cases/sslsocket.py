"""SSLSocket behaviour over loopback: handshake, read/write, peer certificates,
cipher(), unwrap, EOF handling, and non-blocking handshakes.

Pair cases: the client side uses the implementation under test (``env``),
the server side ``env.peer``; every ordered pair of implementations runs.
Each side is a plain function of a connected plain socket (see
``conformance.harness.loopback.run_pair``); what it returns is compared here, in
the main thread, so a failure names the side and what it saw.
"""
from __future__ import annotations

import socket
from typing import Any, Optional

from ..judge.protocols import pin_options
from ..harness.loopback import read_exactly, tls_pair
from .helpers import before_and_after, drain, pair, serve_tls, server_ctx
from ..harness.registry import Unsupported, case, expect_equal, expect_true, table

BLOB = bytes(range(256)) * 12  # 3072 bytes, more than one default read


# -- cipher() ------------------------------------------------------------------

@case("api/SSLSocket.cipher/before-and-after-handshake", spec="SSLSocket.cipher",
      basis="spec",
      cite="Returns a three-value tuple containing the name of the cipher being used, the version of the "
           "SSL protocol that defines its use, and the number of secret bits being used. If no connection "
           "has been established, returns ``None``.", pair=True)
def cipher_before_after(env: Any) -> None:
    before, after = before_and_after(env, env.context(), server_ctx(env), lambda tls: tls.cipher())
    expect_equal(before, None, "cipher() before the handshake")
    expect_true(isinstance(after, tuple) and len(after) == 3, "cipher() after the handshake is a 3-tuple",
                actual=after)
    name, version, bits = after
    expect_true(isinstance(name, str) and name, "cipher name is a non-empty str", actual=name)
    expect_true(isinstance(version, str) and ("TLS" in version or "SSL" in version),
                "protocol version names SSL or TLS", actual=version)
    expect_true(isinstance(bits, int) and bits >= 56, "secret bits is an int of a real cipher", actual=bits)


@table("api/SSLSocket.cipher/protocol-{version}", spec="SSLSocket.cipher",
       basis="spec",
       cite="the version of the SSL protocol that defines its use", pair=True,
       rows=[{"version": "TLSv1.2", "suites": "ECDHE+AESGCM"}, {"version": "TLSv1.3", "suites": None}])
def cipher_protocol(env: Any, version: str, suites: Any) -> dict:
    """cipher()[1] is "the version of the SSL protocol that defines its use": with
    the client held to ``version`` and offered only suites that ``version``
    defines (TLS 1.2's ECDHE AES-GCM; TLS 1.3's own suites), it is ``version``."""
    options = pin_options(env.ssl, version)
    if options is None:
        raise Unsupported(version, f"{env.impl.name} cannot hold a client to {version}")
    out = tls_pair(env.context(options=options, ciphers=suites), server_ctx(env), timeout=env.timeout)
    expect_true(out.ok, f"a {version} handshake completes", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    expect_equal(out.client.cipher[1], version, f"cipher()[1] of a {version} connection ({out.client.cipher[0]})")
    return {"version": out.client.version, "cipher": list(out.client.cipher)}


# -- getpeercert forms ------------------------------------------------------------

PEER_FORMS = [
    {"form": "validated", "verify": "REQUIRED", "want": "dict"},
    {"form": "not-validated", "verify": "NONE", "want": "empty"},
]
_PEER_FORM_CITES = {
    "validated": "If the certificate was validated, it returns a dict with the keys ``subject``",
    "not-validated": "If the certificate was not validated, the dict is empty.",
}


@table("api/SSLSocket.getpeercert/server-cert-{form}", spec="SSLSocket.getpeercert",
       basis="spec",
       cite=lambda row: _PEER_FORM_CITES[row["form"]], rows=PEER_FORMS, pair=True)
def peercert_forms(env: Any, form: str, verify: str, want: str) -> None:
    ctx = env.context(trust="root-ca", verify=verify)

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            return tls.getpeercert(), tls.getpeercert(True), tls.getpeercert(binary_form=True)
        finally:
            tls.close()

    (cert, der, der_kw), _ = pair(env, client, serve_tls(server_ctx(env)))
    if want == "empty":
        expect_equal(cert, {}, "getpeercert() of a certificate that was not validated")
    else:
        expect_true(isinstance(cert, dict) and "subject" in cert and "notAfter" in cert,
                    "getpeercert() of a validated certificate has subject and notAfter", actual=cert)
    server_der = env.ssl.PEM_cert_to_DER_cert(env.certs.read("server"))
    expect_equal(der, server_der, "getpeercert(True): the DER, independent of validation")
    expect_equal(der_kw, server_der, "getpeercert(binary_form=True)")


@case("api/SSLSocket.getpeercert/no-certificate-None", spec="SSLSocket.getpeercert",
      basis="spec",
      cite="If there is no certificate for the peer on the other end of the connection, returns ``None``.",
      pair=True)
def peercert_none(env: Any) -> None:
    """A server that did not ask for a client certificate has none: None in both forms."""
    def server_then(tls: Any) -> Any:
        return tls.getpeercert(), tls.getpeercert(True)

    ctx = env.context()
    _, (cert, der) = pair(env, lambda s: ctx.wrap_socket(s).close(),
                           serve_tls(server_ctx(env), server_then))
    expect_equal(cert, None, "server's getpeercert() without a client certificate")
    expect_equal(der, None, "server's getpeercert(True) without a client certificate")


# -- read / write ----------------------------------------------------------------

_READ_CITE = "Reads up to ``nbytes`` bytes from the SSL-encrypted channel and returns them."
#: the spec says where the bytes go, not what read(n, buffer) returns
_READ_INTO_NOTE = "CPython's read(nbytes, buffer) returns the number of bytes it placed in the buffer"
READS = [
    {"how": "nbytes-10", "nbytes": 10, "buffer": None},
    {"how": "nbytes-1", "nbytes": 1, "buffer": None},
    {"how": "default", "nbytes": None, "buffer": None},
    {"how": "buffer-64", "nbytes": None, "buffer": 64},
    {"how": "buffer-64-nbytes-16", "nbytes": 16, "buffer": 64},
    {"how": "buffer-2048-nbytes-100", "nbytes": 100, "buffer": 2048},
]


@table("api/SSLSocket.read/{how}", spec="SSLSocket.read",
       basis=lambda row: "spec" if row["buffer"] is None else "cpython",
       cite=lambda row: _READ_CITE if row["buffer"] is None else _READ_INTO_NOTE, rows=READS, pair=True)
def read_forms(env: Any, how: str, nbytes: Optional[int], buffer: Optional[int]) -> None:
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            tls.write(b"go")
            if buffer is None:
                got = tls.read() if nbytes is None else tls.read(nbytes)
                return got, None
            buf = bytearray(buffer)
            n = tls.read(nbytes, buf) if nbytes is not None else tls.read(1024, buf)
            return n, bytes(buf)
        finally:
            tls.close()

    def server_then(tls: Any) -> None:
        tls.read(2)
        tls.write(BLOB)

    (got, buf), _ = pair(env, client, serve_tls(server_ctx(env), server_then))
    limit = min(x for x in (nbytes if nbytes is not None else 1024, buffer) if x is not None)
    if buffer is None:
        expect_true(isinstance(got, bytes), "read() returns bytes", actual=type(got).__name__)
        expect_true(0 < len(got) <= limit, f"read returns 1..{limit} bytes", actual=len(got))
        expect_equal(got, BLOB[:len(got)], "bytes read")
    else:
        expect_true(isinstance(got, int) and 0 < got <= limit, f"read into a buffer reports 1..{limit} bytes",
                    actual=got)
        expect_equal(buf[:got], BLOB[:got], "bytes placed in the buffer")
        expect_equal(buf[got:], bytes(len(buf) - got), "the rest of the buffer is untouched")


@table("api/SSLSocket.write/{size}-bytes", spec="SSLSocket.write",
       basis="spec",
       cite="Writes the ``data`` to the other side of the connection, using the SSL channel to encrypt. "
            "Returns the number of bytes written.",
       rows=[{"size": n} for n in (1, 1000, 20000)], pair=True)
def write_count(env: Any, size: int) -> None:
    ctx = env.context()
    payload = (BLOB * (size // len(BLOB) + 1))[:size]

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            written = tls.write(payload)
            # Until the server, having read it all, closes: a client that closed first, with the
            # server's TLS 1.3 tickets unread, could reset the connection under the last record.
            drain(tls)
            return written
        finally:
            tls.close()

    written, received = pair(env, client, serve_tls(server_ctx(env), lambda tls: read_exactly(tls, size)))
    expect_equal(written, size, "write() returns the number of bytes written")
    expect_equal(received, payload, "bytes the peer read")


@case("api/SSLSocket.read/eof-after-clean-close", spec="SSLSocket.read",
      basis="spec",
      cite="empty data means the client is finished with us", pair=True)
def read_clean_eof(env: Any) -> None:
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, suppress_ragged_eofs=False)
        try:
            data = drain(tls)
            tls.unwrap()  # answer the peer's close_notify
            return data
        finally:
            tls.close()

    def server_then(tls: Any) -> None:
        tls.write(b"bye")
        tls.unwrap()

    got, _ = pair(env, client, serve_tls(server_ctx(env), server_then))
    expect_equal(got, b"bye", "data then an ordinary EOF after the peer's TLS shutdown")
