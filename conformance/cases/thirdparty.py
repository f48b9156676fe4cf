"""The matrix against peers that are not Python ``ssl`` modules.

* ``peers/openssl-cli/...``: ``openssl s_server`` / ``s_client`` pinned to one
  version (``-tls1`` ... ``-tls1_3``, always at ``@SECLEVEL=0`` so the peer
  offers what it is pinned to), against the implementation as client and as
  server;
* ``peers/tlslite/...``: tlslite-ng pinned to SSLv3, TLS 1.0, 1.2 or 1.3: a
  real SSLv3 offer, which the implementation must refuse, and TLS 1.0, which
  it must refuse under ``OP_NO_TLSv1``;
* ``sslv2-hello/...``: an SSLv2 CLIENT-HELLO crafted byte by byte on a raw
  socket, to every server configuration: refused unless the implementation
  claims SSLv2 (for the ``0x0002`` hello) or SSLv3 (an SSLv2-format hello
  asking for ``0x0300``).

The oracle judges every cell: a peer pinned to one version is a flexible
side with one version enabled.  Missing peers make their cells
``unsupported`` with the reason (``conformance.peers.require``).
"""
from __future__ import annotations

import socket
import struct
from typing import Any, Dict, List, Optional

from ..judge import oracle
from ..harness.loopback import negotiated_version, run_pair
from ..peers import PeerConfig, impl_client_to_peer, peer_client_to_impl, require
from ..harness.registry import CaseFailure, expect_true, table
from ..judge.protocols import OPTION_VERSION, OPTIONS, POLICIES, PROTOCOL_NAMES as PROTOCOLS
from .judging import chain_of, judge_impl_side, oracle_side, parse_label, require_label
from .matrix import MATRIX_CITE


def _peer_side(version: str, capable: Any, **extra: Any) -> oracle.Side:
    """A peer pinned to ``version``: flexible, everything else disabled."""
    others = frozenset(o for o, v in OPTION_VERSION.items() if v != version)
    return oracle.Side(options=others, capable=frozenset(capable), **extra)


def _rows(endpoint: str, labels: List[str], versions: List[str]) -> List[Dict[str, str]]:
    rows = []
    for policy in POLICIES:
        for version in versions:
            for label in labels:
                peer = f"{endpoint}:{version}"
                rows.append({"endpoint": endpoint, "policy": policy, "client": label, "server": peer})
                rows.append({"endpoint": endpoint, "policy": policy, "client": peer, "server": label})
    return rows


PEER_ROWS = (_rows("openssl-cli", ["SSLv23", "SSLv23+NO_TLSv1", "SSLv23+NO_TLSv1_3", "TLSv1_2"],
                   ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"])
             + _rows("tlslite", ["SSLv23", "SSLv23+NO_SSLv3", "SSLv23+NO_TLSv1", "TLSv1"],
                     ["SSLv3", "TLSv1", "TLSv1.2", "TLSv1.3"]))

#: the fixture each endpoint's cells use (tlslite: RSA, since SSLv3 has no ECDSA suites)
CERT = {"openssl-cli": "server", "tlslite": "server-rsa"}


@table("peers/{endpoint}/{policy}/client={client}/server={server}", spec="wrap_socket",
       basis="spec",
       cite=MATRIX_CITE, rows=PEER_ROWS)
def peer_cell(env: Any, endpoint: str, policy: str, client: str, server: str) -> Dict[str, Any]:
    impl_is_client = not client.startswith(endpoint + ":")
    label, peer_label = (client, server) if impl_is_client else (server, client)
    version = peer_label.split(":", 1)[1]
    ep = require(endpoint, version=version, policy="legacy")
    require_label(env, label)
    cert = CERT[endpoint]
    chain = _chain(env, cert)
    proto, opts = parse_label(label)
    capable = ep.versions("legacy")
    if impl_is_client:
        me = oracle_side(env, label, policy, verify="REQUIRED", trusts=frozenset({"root-ca"}))
        verdict = oracle.expect(me, _peer_side(version, capable, cert=chain))
        ctx = env.context(proto, options=opts, policy=policy, trust="root-ca", verify="REQUIRED")
        mine, theirs = impl_client_to_peer(env, ctx, ep, PeerConfig(version=version, cert=cert, policy="legacy"))
    else:
        verify = "REQUIRED" if endpoint == "openssl-cli" else "NONE"
        peer = _peer_side(version, capable, verify=verify, trusts=frozenset({"root-ca"}))
        verdict = oracle.expect(peer, oracle_side(env, label, policy, cert=chain))
        ctx = env.context(proto, options=opts, policy=policy, cert=cert)
        theirs, mine = peer_client_to_impl(env, ctx, ep, PeerConfig(version=version, verify=verify,
                                                                    trust="root-ca", policy="legacy"))
    what = f"client {client} -> server {server} ({policy} policy; {env.impl.name} against {ep.describe()})"
    judge_impl_side(verdict, mine, theirs, "client" if impl_is_client else "server", env.ssl, what)
    return {"version": mine.version if verdict.ok or mine.ok else None, "expected": verdict.short(),
            "client": client, "server": server, "peer": ep.describe(),
            "impl_reason": mine.reason, "peer_reason": theirs.reason, "peer_error": theirs.error[:200]}


def _chain(env: Any, name: str) -> oracle.Chain:
    return chain_of(env.certs, name, "chain")


# -- the SSLv2 CLIENT-HELLO -------------------------------------------------------
#: SSLv2 cipher kinds (RC4-MD5, DES-EDE3-CBC-MD5, RC2-CBC-MD5) and, for the
#: SSLv3 ask, a few SSLv3/TLS suites in their three-byte SSLv2 form.
V2_KINDS = (0x010080, 0x0700C0, 0x030080)
V3_KINDS = (0x00002F, 0x000035, 0x00000A, 0x00C013, 0x00C009)
HELLOS = {"sslv2": (0x0002, V2_KINDS, "SSLv2"), "sslv2-format-sslv3": (0x0300, V2_KINDS + V3_KINDS, "SSLv3")}


def sslv2_client_hello(version: int, kinds: tuple, challenge: bytes = bytes(range(16))) -> bytes:
    """An SSLv2 CLIENT-HELLO record: 2-byte length with the high bit set,
    MSG-CLIENT-HELLO (1), version, lengths, cipher kinds, no session id, challenge."""
    body = (bytes([1]) + struct.pack(">HHHH", version, 3 * len(kinds), 0, len(challenge))
            + b"".join(k.to_bytes(3, "big") for k in kinds) + challenge)
    return struct.pack(">H", 0x8000 | len(body)) + body


def server_hello_kind(data: bytes) -> Optional[str]:
    """What the server's first bytes are: an SSLv2 SERVER-HELLO, a TLS ServerHello, or neither."""
    if len(data) >= 3 and data[0] & 0x80 and data[2] == 4:
        return "SSLv2 SERVER-HELLO"
    if len(data) >= 6 and data[0] == 0x16 and data[5] == 2:
        return f"ServerHello {data[1]}.{data[2]}"
    return None


SERVER_LABELS = list(PROTOCOLS) + [f"SSLv23+{o}" for o in OPTIONS]
HELLO_ROWS = [{"policy": p, "hello": h, "server": s} for p in POLICIES for h in HELLOS for s in SERVER_LABELS]


@table("sslv2-hello/{policy}/{hello}/server={server}", spec="PROTOCOL_SSLv2",
       basis="spec",
       cite="Selects SSL version 2 as the channel encryption protocol.", rows=HELLO_ROWS,
       until=lambda row: "3.12" if row["server"] == "SSLv2" else None)  # 3.12 dropped PROTOCOL_SSLv2's entry
def sslv2_hello_cell(env: Any, policy: str, hello: str, server: str) -> Dict[str, Any]:
    require_label(env, server)
    version, kinds, asks = HELLOS[hello]
    claims = asks in env.caps.versions(policy) and env.impl.has("PROTOCOL_" + asks)
    proto, opts = parse_label(server)
    ctx = env.context(proto, options=opts, policy=policy, cert="server-rsa")

    def client(sock: socket.socket) -> bytes:
        sock.sendall(sslv2_client_hello(version, kinds))
        data = b""
        try:
            while len(data) < 16:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass  # a reset is a refusal too
        return data

    def serve(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
            return negotiated(tls)
        finally:
            tls.close()

    c, s = run_pair(client, serve, timeout=env.timeout)
    answer = server_hello_kind(c.value or b"")
    seen = {"version": s.value if s.error is None else None, "expected": "answered" if claims else "refused",
            "client": f"raw {hello}", "server": f"{env.impl.name} {server}", "answer": answer,
            "server_error": f"{type(s.error).__name__}: {s.error}" if s.error else None}
    if claims:
        expect_true(answer is not None, f"{server} claims {asks} but did not answer an {hello} hello",
                    expected="a server hello", actual=seen)
        return seen
    if answer is not None:
        raise CaseFailure(f"{env.impl.name} {server} ({policy}) answered an SSLv2 hello asking for {asks} "
                          f"with an {answer}; it does not claim {asks}", expected="refused", actual=seen)
    expect_true(s.error is not None and isinstance(s.error, env.ssl.SSLError) and not s.timed_out,
                f"the {server} server must raise SSLError promptly on an SSLv2 hello asking for {asks}",
                expected="SSLError", actual=seen)
    return seen


def negotiated(tls: Any) -> Optional[str]:
    return negotiated_version(tls)
