"""ALPN (Python 3.5): ``SSLContext.set_alpn_protocols``, ``SSLSocket.selected_alpn_protocol``, ``HAS_ALPN``.

* ``alpn/agreed/...`` (pairs, every ordered pair of implementations, on TLS
  1.2 and TLS 1.3): both sides report the protocol the oracle
  (``conformance.judge.alpn.agreed``) says -- the server's preference among
  the client's offer, ``None`` without overlap or without ALPN on one side,
  the handshake completing in every row;
* ``bio/alpn/agreed/...``: the same rows between two ``SSLObject``s over
  memory BIOs (``wrap_bio``, Python 3.5);
* ``alpn/before-handshake``: ``None`` until the handshake, the protocol after;
* ``alpn/invalid/...``: the protocol lists CPython refuses (an empty name, a
  name over 255 bytes, a non-ASCII name) and the longest one it takes;
* ``alpn/HAS_ALPN``: the flag says whether ``set_alpn_protocols`` works;
* ``alpn/openssl-cli/...``: the same choice against ``openssl s_server
  -alpn`` / ``s_client -alpn``, the implementation on either side.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ..harness.pump import TRANSPORTS, tls_connect
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..judge.alpn import agreed, valid_protocol
from ..judge.editions import key as edition_key
from ..peers import PeerConfig, impl_client_to_peer, peer_client_to_impl, require
from .helpers import before_and_after, expect_raises, server_ctx

SINCE = "3.5"
AGREED = ("After a successful handshake, the :meth:`SSLSocket.selected_alpn_protocol` method will "
          "return the agreed-upon protocol.")
NONE_CITES = {
    "no-overlap": "if this socket does not support any of the client's proposed protocols",
    "client-only": "if the other party does not support ALPN",
    "server-only": "If :meth:`SSLContext.set_alpn_protocols` was not called",
}
PREFERENCE = ("CPython's server chooses with SSL_select_next_proto, its own list first: the server's most "
              "preferred protocol that the client offered")
EMPTY_LIST = "CPython takes an empty list in set_alpn_protocols as no ALPN at all: nothing is offered"

#: name, client's list, server's list (None: set_alpn_protocols not called)
AGREE_ROWS = [
    ("same", ["h2"], ["h2"]),
    ("server-subset", ["a", "b", "c"], ["c"]),
    ("server-preference", ["http/1.1", "h2"], ["h2", "http/1.1"]),
    ("server-preference-reversed", ["h2", "http/1.1"], ["http/1.1", "h2"]),
    ("no-overlap", ["a"], ["b"]),
    ("client-only", ["a"], None),
    ("server-only", None, ["a"]),
    ("empty-client-list", [], ["a"]),
]
#: version name -> TLSVersion member that bounds both sides to it
VERSIONS = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}


def _basis(row: Dict[str, Any]) -> str:
    return "cpython" if row["name"].startswith("server-preference") or row["name"] == "empty-client-list" else "spec"


def _cite(row: Dict[str, Any]) -> str:
    name = row["name"]
    if name.startswith("server-preference"):
        return PREFERENCE
    if name == "empty-client-list":
        return EMPTY_LIST
    return NONE_CITES.get(name, AGREED)


def _with_alpn(ctx: Any, protocols: Optional[Sequence[str]]) -> Any:
    if protocols is not None:
        ctx.set_alpn_protocols(list(protocols))
    return ctx


@table("alpn/agreed/{name}/{version}", spec="SSLSocket.selected_alpn_protocol", basis=_basis, cite=_cite,
       pair=True, since=SINCE,
       rows=[{"name": n, "client": c, "server": s, "version": v} for n, c, s in AGREE_ROWS for v in VERSIONS])
def agreed_protocol(env: Any, name: str, client: Optional[List[str]], server: Optional[List[str]],
                    version: str, transport: str = "socket") -> Dict[str, Any]:
    """Both sides of one handshake report the oracle's protocol, and the handshake completes."""
    member = VERSIONS[version]
    senv = env.peer or env
    cctx = _with_alpn(env.context(minimum=member, maximum=member), client)
    sctx = _with_alpn(senv.context(cert="server", minimum=member, maximum=member), server)
    want = agreed(client, server)
    out = tls_connect(transport, cctx, sctx, env.ssl, senv.ssl, timeout=env.timeout)
    expect_true(out.ok, f"the {version} handshake completes (client offers {client}, server has {server}, {transport})",
                expected="ok", actual={"client": out.client.describe(), "server": out.server.describe()})
    expect_equal(out.client.alpn, want, f"client's selected_alpn_protocol() ({client} -> {server})")
    expect_equal(out.server.alpn, want, f"server's selected_alpn_protocol() ({client} -> {server})")
    return {"version": out.client.version, "alpn": want}


#: the same over memory BIOs: SSLObject.selected_alpn_protocol on both ends
table("bio/alpn/agreed/{name}/{version}", spec="SSLSocket.selected_alpn_protocol", basis=_basis, cite=_cite, pair=True,
      since=max(SINCE, TRANSPORTS["bio"], key=edition_key),
      rows=[{"name": n, "client": c, "server": s, "version": v, "transport": "bio"}
            for n, c, s in AGREE_ROWS for v in VERSIONS])(agreed_protocol)


@case("alpn/before-handshake", spec="SSLSocket.selected_alpn_protocol", basis="spec",
      cite="or if the handshake has not happened yet, ``None`` is returned.", pair=True, since=SINCE)
def before_handshake(env: Any) -> None:
    before, after = before_and_after(env, _with_alpn(env.context(), ["h2"]), _with_alpn(server_ctx(env), ["h2"]),
                                     lambda tls: tls.selected_alpn_protocol())
    expect_equal(before, None, "selected_alpn_protocol() before the handshake")
    expect_equal(after, "h2", "selected_alpn_protocol() after the handshake")


INVALID_ROWS = [
    {"name": "empty-name", "protocols": [""]},
    {"name": "empty-name-after-a-good-one", "protocols": ["h2", ""]},
    {"name": "256-bytes", "protocols": ["x" * 256]},
    {"name": "non-ascii", "protocols": ["h\u00e9"]},
    {"name": "255-bytes-accepted", "protocols": ["x" * 255]},
]
INVALID_CITE = ("CPython's set_alpn_protocols encodes each protocol as ASCII (UnicodeEncodeError otherwise) and "
                "raises SSLError('ALPN protocols must be 1 to 255 in length') for an empty or longer one")


@table("alpn/invalid/{name}", spec="SSLContext.set_alpn_protocols", basis="cpython", cite=INVALID_CITE,
       rows=INVALID_ROWS, since=SINCE)
def invalid_list(env: Any, name: str, protocols: List[str]) -> None:
    ctx = env.context()
    bad = [p for p in protocols if not valid_protocol(p)]
    if not bad:
        ctx.set_alpn_protocols(protocols)
        return
    ascii_only = all(p.isascii() for p in bad)
    exc_type = env.ssl.SSLError if ascii_only else UnicodeEncodeError
    expect_raises(env, exc_type, lambda: ctx.set_alpn_protocols(protocols), f"set_alpn_protocols({name})")


@case("alpn/HAS_ALPN", spec="HAS_ALPN", basis="spec",
      cite="This method will raise :exc:`NotImplementedError` if :data:`HAS_ALPN` is ``False``.", since=SINCE)
def has_alpn(env: Any) -> None:
    flag = env.const("HAS_ALPN")
    expect_true(isinstance(flag, bool), "HAS_ALPN is a bool", actual=repr(flag))
    ctx = env.context()
    if flag:
        ctx.set_alpn_protocols(["h2"])
    else:
        expect_raises(env, NotImplementedError, lambda: ctx.set_alpn_protocols(["h2"]),
                      "set_alpn_protocols with HAS_ALPN False")


# -- against the openssl CLI ---------------------------------------------------------
CLI_ROWS = [{"role": role, "name": n, "client": c, "server": s}
            for role in ("impl-client", "impl-server")
            for n, c, s in (("server-preference", ["a", "b"], ["b", "a"]), ("no-overlap", ["a"], ["b"]))]
#: ``openssl s_server -alpn`` answers an offer it shares nothing with by a fatal
#: ``no_application_protocol`` alert (RFC 7301, section 3.2), where a Python server goes on without ALPN
ABORT_CITE = ("CPython's client raises SSLError (TLSV1_ALERT_NO_APPLICATION_PROTOCOL) when the server, as "
              "openssl s_server -alpn does, refuses an offer it shares nothing with by a fatal alert")


def _cli_basis(row: Dict[str, Any]) -> str:
    return "spec" if (row["role"], row["name"]) == ("impl-server", "no-overlap") else "cpython"


def _cli_cite(row: Dict[str, Any]) -> str:
    if row["name"] == "server-preference":
        return PREFERENCE
    return NONE_CITES["no-overlap"] if row["role"] == "impl-server" else ABORT_CITE


@table("alpn/openssl-cli/{role}/{name}", spec="SSLSocket.selected_alpn_protocol", basis=_cli_basis,
       cite=_cli_cite, rows=CLI_ROWS, since=SINCE)
def against_openssl_cli(env: Any, role: str, name: str, client: List[str], server: List[str]) -> Dict[str, Any]:
    """``openssl s_server -alpn`` / ``s_client -alpn`` and the implementation agree on the oracle's
    choice; against ``s_server``, no overlap ends the handshake with an ``SSLError`` on the client."""
    ep = require("openssl-cli")
    want = agreed(client, server)
    if role == "impl-client":
        ctx = _with_alpn(env.context(), client)
        mine, theirs = impl_client_to_peer(env, ctx, ep, PeerConfig(cert="server", alpn=tuple(server)))
        if want is None:
            expect_true(isinstance(mine.error, env.ssl.SSLError) and not theirs.ok,
                        "openssl s_server refuses an offer without overlap: the client raises SSLError",
                        expected="SSLError", actual={"impl": mine.describe(), "peer": theirs.describe()})
            return {"alpn": None, "peer": ep.describe()}
    else:
        ctx = _with_alpn(env.context(cert="server"), server)
        theirs, mine = peer_client_to_impl(env, ctx, ep, PeerConfig(alpn=tuple(client)))
    if not (mine.ok and theirs.ok):
        raise CaseFailure(f"the handshake with {ep.describe()} fails", expected="ok",
                          actual={"impl": mine.describe(), "peer": theirs.describe()})
    expect_equal(mine.alpn, want, f"{env.impl.name}'s selected_alpn_protocol() ({client} -> {server})")
    if role == "impl-client":
        expect_equal(theirs.alpn, want, f"the protocol openssl s_server selected ({client} -> {server})")
    return {"alpn": want, "peer": ep.describe()}
