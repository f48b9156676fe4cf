"""The module-level wrap_socket(): settings as arguments instead of a context.

Documented until 3.12, which removed it (``until="3.12"``): a run of a later
edition does not run these cases.  Inside their span an implementation
without it fails, as for any documented name it lacks (CPython >= 3.12 at
3.3 ... 3.11 is a listed deviation, ``expectations/ssl.json``), except at
the base edition, where it is ``unsupported`` (``judge.availability``: a
later release removed it, and 3.2 is every run's default).
"""
from __future__ import annotations

import socket
from typing import Any, Optional

from ..harness.reasons import classify
from ..harness.registry import expect_equal, expect_true, table
from .helpers import documented, pair, serve_tls, server_ctx

#: the first edition that no longer documents the module-level wrap_socket
REMOVED_IN = "3.12"


def _wrap(env: Any) -> Any:
    return documented(env, "wrap_socket")


ROWS = [
    {"label": "defaults", "kwargs": {}, "result": "ok", "cert": "empty"},
    {"label": "cert-required-trusted", "kwargs": {"cert_reqs": "CERT_REQUIRED", "ca_certs": "root-ca.pem"},
     "result": "ok", "cert": "dict"},
    {"label": "cert-optional-trusted", "kwargs": {"cert_reqs": "CERT_OPTIONAL", "ca_certs": "root-ca.pem"},
     "result": "ok", "cert": "dict"},
    {"label": "cert-required-wrong-root",
     "kwargs": {"cert_reqs": "CERT_REQUIRED", "ca_certs": "untrusted-root-ca.pem"},
     "result": "certificate-verify-failed", "cert": None},
    {"label": "ciphers-HIGH", "kwargs": {"ciphers": "HIGH"}, "result": "ok", "cert": "empty"},
    {"label": "client-certificate", "kwargs": {"certfile": "client-chain.pem", "keyfile": "client.key"},
     "result": "ok", "cert": "empty"},
]


@table("api/wrap_socket/{label}", spec="wrap_socket",
       basis="spec",
       cite="Takes an instance ``sock`` of :class:`socket.socket`, and returns an instance of "
            ":class:`ssl.SSLSocket`, a subtype of :class:`socket.socket`, which wraps the underlying "
            "socket in an SSL context.", rows=ROWS, pair=True, until=REMOVED_IN)
def wrap_client(env: Any, label: str, kwargs: dict, result: str, cert: Optional[str]) -> None:
    wrap = _wrap(env)
    args = {}
    for k, v in kwargs.items():
        args[k] = env.const(v) if k == "cert_reqs" else env.certs.path(v) if k.endswith(("certs", "file")) else v

    def client(sock: socket.socket) -> Any:
        try:
            tls = wrap(sock, **args)
        except Exception as exc:
            return exc
        try:
            tls.write(b"ping")
            return tls.read(4), tls.getpeercert()
        finally:
            tls.close()

    def server_then(tls: Any) -> Any:
        tls.write(tls.read(4))
        return tls.getpeercert(True)

    def server(sock: socket.socket) -> Any:
        try:
            return serve_tls(server_ctx(env, verify="OPTIONAL"), server_then)(sock)
        except Exception as exc:
            return exc

    got, server_saw = pair(env, client, server)
    if result != "ok":
        expect_true(isinstance(got, env.ssl.SSLError), f"wrap_socket({label}) fails with SSLError",
                    expected="SSLError", actual=repr(got))
        expect_equal(classify(got), result, "reason")
        return
    expect_true(isinstance(got, tuple), f"wrap_socket({label}) handshake", expected="echo", actual=repr(got))
    echoed, peercert = got
    expect_equal(echoed, b"ping", "echo")
    if cert == "empty":
        expect_equal(peercert, {}, "getpeercert() with cert_reqs=CERT_NONE (the default)")
    else:
        expect_true(isinstance(peercert, dict) and "subject" in peercert, "validated getpeercert()",
                    actual=peercert)
    if "certfile" in kwargs:
        want = env.ssl.PEM_cert_to_DER_cert(env.certs.read("client"))
        expect_equal(server_saw, want, "certificate the server received from certfile")


@table("api/wrap_socket/ciphers-none-selectable", spec="wrap_socket",
       basis="cpython",
       cite="CPython's wrap_socket raises SSLError for a cipher string that selects nothing; the spec "
            "says so of set_ciphers only", rows=[{}], until=REMOVED_IN)
def wrap_bad_ciphers(env: Any) -> None:
    wrap = _wrap(env)
    sock = env.socket()
    try:
        tls = wrap(sock, ciphers="NO-SUCH-CIPHER")
    except env.ssl.SSLError:
        return
    env.cleanup(tls.close)
    expect_true(False, "wrap_socket(ciphers='NO-SUCH-CIPHER') raises SSLError", expected="SSLError",
                actual="no exception")
