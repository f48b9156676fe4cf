"""TLS-PSK (Python 3.13): ``SSLContext.set_psk_client_callback``, ``set_psk_server_callback``, ``HAS_PSK``.

Pairs over loopback, the client of ``env`` and the server of ``env.peer``,
on TLS 1.2 (``set_ciphers('PSK')``, as the documentation's example) and on
TLS 1.3, with no certificate on either side.  The callbacks are the
documentation's tables: the client's key is looked up by the server's hint,
the server's by the client's identity; each callback records what it was
given.  The rows (:data:`ROWS`) say what each side's table holds; the
outcome follows from the documentation's rules alone:

* both sides find the same key: the handshake completes and the echo comes
  back; the client was given the server's ``identity_hint`` on TLS 1.2 and
  ``None`` on TLS 1.3 ("the ``hint`` parameter is always None"), the server
  the client's identity;
* either side answers with a zero-length key ("Return a zero length PSK to
  reject the connection"), or the keys differ: no connection, on both sides;
  a client that rejected offered no identity, so the server's callback was
  never called.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..harness.loopback import tls_pair
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from .helpers import documented, expect_raises

SINCE = "3.13"
KEY = bytes.fromhex("c0ffee")
OTHER_KEY = bytes.fromhex("facade")
HINT, IDENTITY = "ServerId_1", "ClientId_1"
MEMBER = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}

#: name -> (the client's key for HINT, the server's key for IDENTITY); ``b""``: not in the table
ROWS = {
    "same-key": (KEY, KEY),
    "client-rejects": (b"", KEY),
    "server-rejects": (KEY, b""),
    "keys-differ": (KEY, OTHER_KEY),
}
CITES = {
    "same-key": "The return value is a tuple in the form (client-identity, psk).",
    "client-rejects": "Return a zero length PSK to reject the connection.",
    "server-rejects": "Return a zero length PSK to reject the connection.",
    "keys-differ": "CPython's PSK handshake fails on both sides when the two keys differ (the Finished "
                   "messages do not verify)",
}
HINT_CITES = {"TLSv1.2": "The ``hint`` parameter is an optional identity hint sent by the server.",
              "TLSv1.3": "the ``hint`` parameter is always :const:`None`."}


def _contexts(env: Any, version: str, client_key: bytes, server_key: bytes, seen: Dict[str, Any]) -> Any:
    member = MEMBER[version]
    ciphers = "PSK" if version == "TLSv1.2" else None
    cctx = env.context(minimum=member, maximum=member, ciphers=ciphers)
    sctx = (env.peer or env).context("TLS_SERVER", minimum=member, maximum=member, ciphers=ciphers)

    def client_callback(hint: Optional[str]) -> Any:
        seen["hint"] = hint
        return IDENTITY, {HINT: client_key}.get(hint or HINT, b"")

    def server_callback(identity: Optional[str]) -> bytes:
        seen["identity"] = identity
        return {IDENTITY: server_key}.get(identity or "", b"")

    documented(env, "set_psk_client_callback", cctx)(client_callback)
    documented(env.peer or env, "set_psk_server_callback", sctx)(server_callback, HINT)
    return cctx, sctx


@table("psk/{name}/{version}", spec="SSLContext.set_psk_client_callback",
       basis=lambda row: "cpython" if row["name"] == "keys-differ" else "spec",
       cite=lambda row: CITES[row["name"]], pair=True, since=SINCE,
       rows=[{"name": n, "version": v} for n in ROWS for v in MEMBER])
def handshake(env: Any, name: str, version: str) -> Dict[str, Any]:
    """One PSK handshake and echo; it completes exactly when both sides found the same key."""
    client_key, server_key = ROWS[name]
    seen: Dict[str, Any] = {}
    out = tls_pair(*_contexts(env, version, client_key, server_key, seen), timeout=env.timeout)
    agreed = bool(client_key) and client_key == server_key
    sides = {"client": out.client.describe(), "server": out.server.describe()}
    if agreed:
        expect_true(out.ok, f"the {version} PSK handshake with the same key on both sides completes",
                    expected="ok", actual=sides)
        expect_equal(out.client.version, version, "the version negotiated")
    else:
        for side_name, side in (("client", out.client), ("server", out.server)):
            if side.ok:
                raise CaseFailure(f"the {side_name} connected although {name} ({version})",
                                  expected="no connection", actual=sides)
            expect_true(isinstance(side.error, OSError), f"the {side_name}'s failure is an SSLError or socket error",
                        expected="OSError", actual=repr(side.error))
    if "hint" in seen:
        expect_equal(seen["hint"], HINT if version == "TLSv1.2" else None,
                     f"the hint the client's callback was given on {version}")
    if client_key:
        expect_equal(seen.get("identity"), IDENTITY, "the identity the server's callback was given")
    else:  # the client refused: it offered no identity, so the server was never asked for a key
        expect_equal(seen.get("identity", "not called"), "not called",
                     "the server's callback after the client's callback rejected")
    return {"connected": out.ok, "seen": seen}


@table("psk/hint/{version}", spec="SSLContext.set_psk_client_callback", basis="spec",
       cite=lambda row: HINT_CITES[row["version"]], pair=True, since=SINCE,
       rows=[{"version": v} for v in MEMBER])
def hint(env: Any, version: str) -> Dict[str, Any]:
    """The client's callback is called once per handshake, with the server's hint (TLS 1.2) or None."""
    seen: Dict[str, Any] = {}
    out = tls_pair(*_contexts(env, version, KEY, KEY, seen), timeout=env.timeout)
    expect_true("hint" in seen, "the client's PSK callback was called", expected="called",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    expect_equal(seen["hint"], HINT if version == "TLSv1.2" else None, f"the hint given on {version}")
    return {"hint": seen["hint"]}


@case("psk/callback-removed", spec="SSLContext.set_psk_client_callback", basis="spec",
      cite="Setting ``callback`` to :const:`None` removes any existing callback.", pair=True, since=SINCE)
def removed(env: Any) -> None:
    """A client whose callback was set and then removed offers no PSK: a PSK-only server refuses it."""
    seen: Dict[str, Any] = {}
    cctx, sctx = _contexts(env, "TLSv1.2", KEY, KEY, seen)
    cctx.set_psk_client_callback(None)
    out = tls_pair(cctx, sctx, timeout=env.timeout)
    expect_true(not out.ok and "hint" not in seen, "no PSK handshake once the client's callback is removed",
                expected="no connection, callback not called",
                actual={"client": out.client.describe(), "server": out.server.describe(), "seen": seen})


@case("psk/HAS_PSK", spec="HAS_PSK", basis="spec", since=SINCE,
      cite="This method will raise :exc:`NotImplementedError` if :data:`HAS_PSK` is ``False``.")
def has_psk(env: Any) -> None:
    flag = documented(env, "HAS_PSK")
    expect_true(isinstance(flag, bool), "HAS_PSK is a bool", actual=repr(flag))
    ctx = env.context("TLS_CLIENT")
    if flag:
        ctx.set_psk_client_callback(lambda hint: (IDENTITY, KEY))
    else:
        expect_raises(env, NotImplementedError, lambda: ctx.set_psk_client_callback(lambda hint: (IDENTITY, KEY)),
                      "set_psk_client_callback with HAS_PSK False")


ROLE_CITE = ("CPython raises SSLError ('Cannot add PSK client callback to a PROTOCOL_TLS_SERVER context', and the "
             "server's on a PROTOCOL_TLS_CLIENT one), and TypeError for a callback that is not callable")


@table("psk/refused/{name}", spec="SSLContext.set_psk_server_callback", basis="cpython", cite=ROLE_CITE,
       since=SINCE, rows=[{"name": n} for n in ("client-callback-on-server", "server-callback-on-client",
                                                  "not-callable")])
def refused(env: Any, name: str) -> None:
    if name == "client-callback-on-server":
        ctx = env.context("TLS_SERVER")
        expect_raises(env, env.ssl.SSLError, lambda: ctx.set_psk_client_callback(lambda hint: (IDENTITY, KEY)), name)
    elif name == "server-callback-on-client":
        ctx = env.context("TLS_CLIENT")
        expect_raises(env, env.ssl.SSLError, lambda: ctx.set_psk_server_callback(lambda identity: KEY), name)
    else:
        ctx = env.context("TLS_CLIENT")
        expect_raises(env, TypeError, lambda: ctx.set_psk_client_callback("not callable"), name)
