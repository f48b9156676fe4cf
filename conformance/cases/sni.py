"""SNI: the server sees the name the client sent, and may act on it.

A server context with a server-name callback -- ``sni_callback`` (3.7) or the
legacy ``set_servername_callback`` (3.4) -- serves one connection from a
client of the other implementation (pair cases: both directions).  The
callback records what it was called with and, per row, does one thing:

``seen`` / ``no-name`` / ``idn``
    nothing: it must have been called once, with the server's own socket,
    the name the client passed as ``server_hostname`` (None without one; an
    IDN as the A-label for ``sni_callback``, the U-label for the legacy form)
    and the context it was set on;
``switch``
    sets ``sslsocket.context`` to a second context with another certificate
    (``host-exact``): the client must see that certificate;
``alert-*`` / ``other-return`` / ``raises``
    returns an ``ALERT_DESCRIPTION_*``, returns something else, raises: the
    handshake must fail, the client seeing that alert (internal error,
    handshake failure);
``disabled``
    was set, then set to None: never called.
"""
from __future__ import annotations

import socket
from typing import Any, Callable, Dict, List, Optional

from ..harness.loopback import TLSSide, read_exactly, run_pair, tls_body
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from .decode import as_peercert
from .helpers import expect_raises

_SEEN = ("The callback function will be called with three arguments; the first being the :class:`ssl.SSLSocket`, "
         "the second is a string that represents the server name that the client is intending to communicate "
         "(or :const:`None` if the TLS Client Hello does not contain a server name) and the third argument is "
         "the original :class:`SSLContext`.")
_LEGACY = ("The given *server_name_callback* is similar to *sni_callback*, except that when the server hostname "
           "is an IDN-encoded internationalized domain name, the *server_name_callback* receives a decoded "
           "U-label (``\"pyth\u00f6n.org\"``).")
_SWITCH = ("A typical use of this callback is to change the :class:`ssl.SSLSocket`'s :attr:`SSLSocket.context` "
           "attribute to a new object of type :class:`SSLContext` representing a certificate chain that matches "
           "the server name.")
_ALERT = ("If a TLS failure is required, a constant :const:`ALERT_DESCRIPTION_* <ALERT_DESCRIPTION_INTERNAL_ERROR>` "
          "can be returned.")

IDN = "b\u00fccher.example"

#: test -> (what the client passes as server_hostname, what the callback does, the name it must get per kind)
TESTS: Dict[str, Dict[str, Any]] = {
    "seen": {"hostname": "www.example.org", "sni_callback": "www.example.org",
             "set_servername_callback": "www.example.org"},
    "no-name": {"hostname": None, "sni_callback": None, "set_servername_callback": None},
    "idn": {"hostname": IDN, "sni_callback": "xn--bcher-kva.example", "set_servername_callback": IDN},
    "switch": {"hostname": "www.example.org", "does": "switch"},
    "alert-unrecognized-name": {"hostname": "www.example.org", "does": "UNRECOGNIZED_NAME"},
    "alert-access-denied": {"hostname": "www.example.org", "does": "ACCESS_DENIED"},
    "other-return": {"hostname": "www.example.org", "does": "junk", "alert": "INTERNAL_ERROR"},
    "raises": {"hostname": "www.example.org", "does": "raise", "alert": "HANDSHAKE_FAILURE"},
    "disabled": {"hostname": "www.example.org", "does": "disable"},
}
_CITES = {
    ("sni_callback", "seen"): _SEEN, ("sni_callback", "no-name"): _SEEN,
    ("sni_callback", "idn"): "For internationalized domain name, the server name is an IDN A-label "
                             "(``\"xn--pythn-mua.org\"``).",
    ("sni_callback", "switch"): _SWITCH,
    ("sni_callback", "alert-unrecognized-name"): _ALERT, ("sni_callback", "alert-access-denied"): _ALERT,
    ("sni_callback", "other-return"): "Other return values will result in a TLS fatal error with "
                                      ":const:`ALERT_DESCRIPTION_INTERNAL_ERROR`.",
    ("sni_callback", "raises"): "If an exception is raised from the *sni_callback* function the TLS connection "
                                "will terminate with a fatal TLS alert message "
                                ":const:`ALERT_DESCRIPTION_HANDSHAKE_FAILURE`.",
    ("sni_callback", "disabled"): "If *sni_callback* is set to ``None`` then the callback is disabled.",
    ("set_servername_callback", "seen"): _LEGACY, ("set_servername_callback", "no-name"): _LEGACY,
    ("set_servername_callback", "idn"): _LEGACY, ("set_servername_callback", "switch"): _LEGACY,
    ("set_servername_callback", "alert-unrecognized-name"): "Used as the return value of the callback function "
                                                            "in :meth:`SSLContext.set_servername_callback`.",
}
ROWS = [{"kind": kind, "test": test} for kind, test in _CITES]
SINCE = {"sni_callback": "3.7", "set_servername_callback": "3.4"}


def _install(ctx: Any, kind: str, callback: Optional[Callable[..., Any]]) -> None:
    if kind == "sni_callback":
        ctx.sni_callback = callback
    else:
        ctx.set_servername_callback(callback)


def _server(ctx: Any, seen: Dict[str, Any]) -> Callable[[socket.socket], Any]:
    """Serve one echo, keeping the server's socket and its context after the handshake."""
    def server(sock: socket.socket) -> None:
        tls = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        seen["socket"] = tls
        try:
            tls.do_handshake()
            seen["context"] = tls.context
            tls.sendall(read_exactly(tls, 4))
        finally:
            tls.close()
    return server


def _alert_words(alert: str) -> str:
    """``UNRECOGNIZED_NAME`` -> ``unrecognized name``: how OpenSSL names a received alert."""
    return alert.lower().replace("_", " ")


@table("sni/{kind}/{test}", spec="SSLContext.{kind}", pair=True, basis="spec",
       cite=lambda row: _CITES[(row["kind"], row["test"])], since=lambda row: SINCE[row["kind"]], rows=ROWS)
def sni_cell(env: Any, kind: str, test: str) -> Dict[str, Any]:
    senv = env.peer or env
    row = TESTS[test]
    does = row.get("does")
    calls: List[tuple] = []
    other = senv.context(cert="host-exact")
    sctx = senv.context(cert="server")

    def callback(sslsocket: Any, server_name: Any, context: Any) -> Any:
        calls.append((sslsocket, server_name, context))
        if does == "switch":
            sslsocket.context = other
        elif does == "raise":
            raise RuntimeError("the server-name callback raises (as the case asks)")
        elif does == "junk":
            return "junk"
        elif does not in (None, "disable"):
            return getattr(senv.ssl, "ALERT_DESCRIPTION_" + does)
        return None

    _install(sctx, kind, callback)
    if does == "disable":
        _install(sctx, kind, None)
    cctx = env.context(verify="REQUIRED", trust="root-ca")
    seen: Dict[str, Any] = {}
    c, s = run_pair(tls_body(cctx, b"ping", False, row["hostname"]), _server(sctx, seen), timeout=env.timeout)
    client = c.value if isinstance(c.value, TLSSide) else TLSSide(error=c.error)
    what = (f"{kind}, client {env.impl.name} with server_hostname={row['hostname']!r}, "
            f"server {senv.impl.name}")
    if does == "disable":
        expect_equal(len(calls), 0, f"{what}: calls of a callback set to None")
    elif len(calls) != 1:
        raise CaseFailure(f"{what}: the callback was called {len(calls)} times", expected=1, actual=len(calls))
    alert = row.get("alert", does if does not in (None, "switch", "disable") else None)
    if alert is not None:
        error = client.error
        expect_true(not client.ok and isinstance(error, env.ssl.SSLError)
                    and _alert_words(alert) in str(error).lower().replace("_", " "),
                    f"{what}: the client's handshake must fail with the alert {alert}",
                    expected=f"SSLError naming {_alert_words(alert)}", actual=client.describe())
        expect_true(s.error is not None, f"{what}: the server's handshake must fail", expected="an error",
                    actual=repr(s.error))
        return {"alert": alert, "client": client.describe()}
    if not client.ok or s.error is not None:
        raise CaseFailure(f"{what}: the handshake failed", expected="completed",
                          actual={"client": client.describe(), "server": repr(s.error)})
    if does == "switch":
        expect_equal(client.peercert["subject"], as_peercert(env.certs.fixture("host-exact")["peercert"])["subject"],
                     f"{what}: the subject of the certificate the client saw after the switch")
        expect_true(seen.get("context") is other, f"{what}: the server socket's context after the switch",
                    expected="the context switched to", actual=repr(seen.get("context")))
    elif does is None:
        sslsocket, server_name, context = calls[0]
        expect_equal(server_name, row[kind], f"{what}: the server name the callback got")
        expect_true(sslsocket is seen.get("socket"), f"{what}: the callback's first argument is the server's socket",
                    expected=repr(seen.get("socket")), actual=repr(sslsocket))
        expect_true(context is sctx, f"{what}: the callback's third argument is the context it was set on",
                    expected=repr(sctx), actual=repr(context))
    return {"names": [c[1] for c in calls]}


@case("sni/server_hostname/ip-address-not-sent", spec="SSLContext.wrap_socket", pair=True, since="3.7",
      basis="cpython", cite="CPython sends no SNI for an IP address as server_hostname (RFC 6066 allows only "
                            "host names): the server's callback gets None")
def ip_not_sent(env: Any) -> None:
    senv = env.peer or env
    names: List[Any] = []
    sctx = senv.context(cert="server")
    sctx.sni_callback = lambda sslsocket, server_name, context: names.append(server_name)
    c, s = run_pair(tls_body(env.context(), b"ping", False, "127.0.0.1"), _server(sctx, {}), timeout=env.timeout)
    client = c.value if isinstance(c.value, TLSSide) else TLSSide(error=c.error)
    expect_true(client.ok and s.error is None, "the handshake with server_hostname='127.0.0.1'",
                expected="completed", actual=client.describe())
    expect_equal(names, [None], "the server names the callback got")


@table("sni/{kind}/not-callable-TypeError", spec="SSLContext.{kind}", since=lambda row: SINCE[row["kind"]],
       basis="cpython", cite="CPython raises TypeError ('not a callable object') for a callback that is not callable",
       rows=[{"kind": "sni_callback"}, {"kind": "set_servername_callback"}])
def not_callable(env: Any, kind: str) -> None:
    ctx = env.context()
    expect_raises(env, TypeError, lambda: _install(ctx, kind, 3), f"{kind} = 3")
