"""The protocol-version matrix: the spec's table, generalised, over loopback.

Every cell connects a client context to a server context, each described by a
*label*: a ``PROTOCOL_*`` suffix (``TLSv1_2``), or ``SSLv23`` with one
``OP_NO_*`` option (``SSLv23+NO_TLSv1``).  Rows: every protocol against every
protocol, and SSLv23 with each option on either side against every protocol,
under two cipher policies (below).  From Python 3.7 (``since="3.7"``) a
label may also bound the versions: ``SSLv23+min=TLSv1_2``,
``SSLv23+NO_TLSv1_3+min=TLSv1_2``, ``SSLv23+min=TLSv1_3+max=TLSv1_2`` set
``minimum_version`` / ``maximum_version`` to those ``TLSVersion`` members
(:data:`BOUNDED`: each bound alone, both equal, both crossed, with an
option, the magic members), on either side against a flexible and a
TLS 1.2-only peer, plus :data:`CROSSED` pairs bounded on both sides.  The
rule is ``conformance.judge.bounds``; a label that lowers the minimum
below TLS 1.2 would lift the default policy's floor, which the probe did
not measure, so it runs under the legacy policy only.  The policies:

``default``  the implementation's own defaults;
``legacy``   ``DEFAULT:@SECLEVEL=0`` through ``set_ciphers`` and, where the
             context has ``minimum_version`` (post-3.2), the floor lowered to
             the minimum supported, so old versions are tested wherever the
             library still has them (without it, ``OP_NO_TLSv1`` has no
             observable effect on CPython >= 3.10 and ignoring it would pass).

The expected outcome comes from ``conformance.judge.oracle`` given both sides'
configuration and their probed capabilities, and ``cases.judging`` judges.  Pair case: the client is
``env``, the server ``env.peer``.  A label whose ``PROTOCOL_*`` or ``OP_NO_*``
the implementation lacks makes the cell ``unsupported``; one the edition no
longer documents (``PROTOCOL_SSLv2`` from 3.12) leaves the cell out of it.

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
from ..judge.protocols import MEMBER_VERSION, MINIMUM_SUPPORTED, OPTIONS, POLICIES, PROTOCOL_NAMES, VERSIONS
from .judging import chain_of, judge_pair, label_bounds, label_until, observed, oracle_side, parse_label, require_label

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

#: Bounded labels: each bound alone, the two equal (one version), crossed
#: (minimum above maximum: none), with an ``OP_NO_*`` option (the
#: documentation's own example: ``OP_NO_TLSv1_2`` under a TLS 1.2 maximum), and
#: the magic members on the side they do not bound.
BOUNDED = ("SSLv23+min=TLSv1_2", "SSLv23+min=TLSv1_3", "SSLv23+min=TLSv1_1", "SSLv23+min=MINIMUM_SUPPORTED",
           "SSLv23+min=MAXIMUM_SUPPORTED", "SSLv23+max=TLSv1_2", "SSLv23+max=TLSv1_1",
           "SSLv23+max=MAXIMUM_SUPPORTED", "SSLv23+max=MINIMUM_SUPPORTED",
           "SSLv23+min=TLSv1_2+max=TLSv1_2", "SSLv23+min=TLSv1_1+max=TLSv1_1",
           "SSLv23+min=TLSv1_3+max=TLSv1_2", "SSLv23+NO_TLSv1_3+min=TLSv1_2", "SSLv23+NO_TLSv1_2+max=TLSv1_2")
#: What a bounded label meets on the other side.
PEERS_OF_BOUNDED = ("SSLv23", "TLSv1_2")
#: Pairs bounded on both sides: no common version, exactly one (the bound itself), crossed magic.
CROSSED = (("SSLv23+min=TLSv1_3", "SSLv23+max=TLSv1_2"), ("SSLv23+max=TLSv1_2", "SSLv23+min=TLSv1_3"),
           ("SSLv23+max=TLSv1_2", "SSLv23+min=TLSv1_2"), ("SSLv23+min=TLSv1_2", "SSLv23+max=TLSv1_2"),
           ("SSLv23+min=MAXIMUM_SUPPORTED", "SSLv23+max=TLSv1_2"),
           ("SSLv23+max=MINIMUM_SUPPORTED", "SSLv23+min=TLSv1_1"),
           ("SSLv23+max=TLSv1_1", "SSLv23+min=TLSv1_1"), ("SSLv23+min=TLSv1_1+max=TLSv1_1", "SSLv23+max=TLSv1_2"))


def lifts_floor(label: str) -> bool:
    """Does ``label`` lower ``minimum_version`` below TLS 1.2 (the floor CPython >= 3.10 starts with)?"""
    low = label_bounds(label).get("minimum")
    return low is not None and (low == MINIMUM_SUPPORTED or (
        low in MEMBER_VERSION and VERSIONS.index(MEMBER_VERSION[low]) < VERSIONS.index("TLSv1.2")))


def _bounded_rows() -> List[Dict[str, str]]:
    pairs = [(b, p) for b in BOUNDED for p in PEERS_OF_BOUNDED] + [(p, b) for b in BOUNDED for p in PEERS_OF_BOUNDED]
    pairs += list(CROSSED)
    rows = []
    for policy in POLICIES:
        for c, s in pairs:
            if policy != "legacy" and (lifts_floor(c) or lifts_floor(s)):
                continue
            bounds = {**label_bounds(s), **label_bounds(c)}
            rows.append({"policy": policy, "client": c, "server": s,
                         "bound": "minimum_version" if "minimum" in bounds else "maximum_version"})
    return rows


BOUNDED_ROWS = _bounded_rows()

#: The documentation's sentences the bounded cells check.
BOUND_CITES = {
    "plain": "The attributes :attr:`~SSLContext.maximum_version`, :attr:`~SSLContext.minimum_version` and "
             ":attr:`SSLContext.options` all affect the supported SSL and TLS versions of the context.",
    "magic": "The minimum or maximum supported SSL or TLS version.",
    "invalid": "The implementation does not prevent invalid combination.",
}


def _bound_cite(row: Dict[str, str]) -> str:
    labels = (row["client"], row["server"])
    if any("min=TLSv1_3+max=TLSv1_2" in label or "NO_TLSv1_2+max=TLSv1_2" in label for label in labels):
        return BOUND_CITES["invalid"]
    if any("SUPPORTED" in label for label in labels):
        return BOUND_CITES["magic"]
    return BOUND_CITES["plain"]


@table("matrix/{policy}/client={client}/server={server}", spec=SPEC,
       basis="spec",
       cite=MATRIX_CITE, rows=ROWS, pair=True, until=lambda row: label_until(row["client"], row["server"]))
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
    cctx = env.context(cproto, options=copts, policy=policy, trust="root-ca", verify="REQUIRED",
                       **label_bounds(client))
    sctx = senv.context(sproto, options=sopts, policy=policy, cert="server", **label_bounds(server))
    out = tls_pair(cctx, sctx, timeout=env.timeout)
    what = f"client {env.impl.name} {client} -> server {senv.impl.name} {server} ({policy} policy)"
    judge_pair(verdict, out, env.ssl, senv.ssl, what)
    return observed(verdict, out, f"{env.impl.name} {client}", f"{senv.impl.name} {server}")


@table("matrix/{policy}/client={client}/server={server}", spec="SSLContext.{bound}", basis="spec",
       cite=_bound_cite, rows=BOUNDED_ROWS, pair=True, since="3.7")
def bounded_cell(env: Any, policy: str, client: str, server: str, bound: str) -> Dict[str, Any]:
    """A cell whose labels bound the versions (``bound`` names the attribute the row is about)."""
    return matrix_cell(env, policy=policy, client=client, server=server)
