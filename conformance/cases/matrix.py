"""The protocol-version matrix: the spec's table, generalised, over loopback.

Every cell connects a client context to a server context, each described by a
*label*: a ``PROTOCOL_*`` suffix (``TLSv1_2``), or ``SSLv23`` with one
``OP_NO_*`` option (``SSLv23+NO_TLSv1``).  Rows: every protocol against every
protocol, and SSLv23 with each option on either side against every protocol,
under two cipher policies:

``default``  the implementation's own defaults;
``legacy``   ``DEFAULT:@SECLEVEL=0`` through ``set_ciphers`` and, where the
             context has ``minimum_version`` (post-3.2), the floor lowered to
             the minimum supported, so old versions are tested wherever the
             library still has them (without it, ``OP_NO_TLSv1`` has no
             observable effect on CPython >= 3.10 and ignoring it would pass).

The expected outcome comes from ``conformance.judge.oracle`` given both sides'
configuration and their probed capabilities, and ``cases.judging`` judges.  Pair case: the client is
``env``, the server ``env.peer``.  A label whose ``PROTOCOL_*`` or ``OP_NO_*``
the implementation lacks makes the cell ``unsupported``.

Contract for report views: ids ``matrix/{policy}/client={client}/server={server}``;
params ``policy``, ``client``, ``server``; observed ``version`` (negotiated or
None), ``expected`` (``Verdict.short()``), ``client`` / ``server`` (impl and
label) and a few details.
"""
from __future__ import annotations

from typing import Any, Dict, List

from ..harness.loopback import tls_pair
from ..harness.registry import table
from ..judge import oracle
from ..judge.protocols import OPTIONS, POLICIES, PROTOCOL_NAMES
from .judging import chain_of, judge_pair, observed, oracle_side, parse_label, require_label

PROTOCOLS = PROTOCOL_NAMES
SPEC = "wrap_socket"
#: what every protocol-matrix cell generalises (cells are judged by the oracle, which reads the
#: spec's table for the versions the OpenSSL in use still has)
MATRIX_CITE = ("Here's a table showing which versions in a client (down the side) can connect to which "
               "versions in a server (along the top)")


def _rows() -> List[Dict[str, str]]:
    option_labels = [f"SSLv23+{o}" for o in OPTIONS]
    pairs = [(c, s) for c in PROTOCOLS for s in PROTOCOLS]
    pairs += [(o, s) for o in option_labels for s in PROTOCOLS]
    pairs += [(c, o) for c in PROTOCOLS for o in option_labels]
    return [{"policy": p, "client": c, "server": s} for p in POLICIES for c, s in pairs]


ROWS = _rows()


@table("matrix/{policy}/client={client}/server={server}", spec=SPEC,
       basis="spec",
       cite=MATRIX_CITE, rows=ROWS, pair=True)
def matrix_cell(env: Any, policy: str, client: str, server: str) -> Dict[str, Any]:
    senv = env.peer or env
    require_label(env, client)
    require_label(senv, server)
    chain = chain_of(env.certs, "server", "chain")
    verdict = oracle.expect(
        oracle_side(env, client, policy, verify="REQUIRED", trusts=frozenset({"root-ca"})),
        oracle_side(senv, server, policy, cert=chain))
    cproto, copts = parse_label(client)
    sproto, sopts = parse_label(server)
    cctx = env.context(cproto, options=copts, policy=policy, trust="root-ca", verify="REQUIRED")
    sctx = senv.context(sproto, options=sopts, policy=policy, cert="server")
    out = tls_pair(cctx, sctx, timeout=env.timeout)
    what = f"client {env.impl.name} {client} -> server {senv.impl.name} {server} ({policy} policy)"
    judge_pair(verdict, out, env.ssl, senv.ssl, what)
    return observed(verdict, out, f"{env.impl.name} {client}", f"{senv.impl.name} {server}")
