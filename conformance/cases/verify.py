"""Verify modes on both sides, judged by the oracle.

``CERT_NONE`` / ``CERT_OPTIONAL`` / ``CERT_REQUIRED`` on the verifying side x
what the other side presents:

``trusted``    the fixture's chain file (leaf, intermediate, root);
``none``       no certificate (client side only: a server always has one);
``untrusted``  a leaf issued by an unrelated root;
``expired``    a leaf from the trusted intermediate, out of date;
``wrong-ca``   the trusted chain, while the verifier trusts only the unrelated
               root;

with the trust loaded from a CA file or from a hashed ``capath`` directory.
Server certificates are checked by the client (``verify/server-cert/...``),
client certificates by the server (``verify/client-cert/...``), each under
TLS 1.2 and TLS 1.3 (in TLS 1.3 a rejected client certificate reaches the
client only after its handshake completed: it sees the alert on its first
read).  ``verify/chain/...`` is chain completion: the leaf with or without
its intermediate in the certfile, the verifier holding only the root, the
root and intermediate, or the capath.

Pair cases (client ``env``, server ``env.peer``); observed keys as in
``cases.matrix``.
"""
from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from ..judge import oracle
from ..harness.pump import TRANSPORTS, tls_connect
from ..harness.registry import table
from .judging import chain_of, judge_pair, observed
from .trust import VERIFY_MODE_CITES

VERSIONS = {"TLSv1.2": ("NO_TLSv1_3",), "TLSv1.3": ()}
MODES = ("NONE", "OPTIONAL", "REQUIRED")

#: what the peer presents -> (fixture, certfile role) per direction
PRESENTS = {
    "server-cert": {"trusted": ("server", "chain"), "untrusted": ("untrusted-leaf", "chain"),
                    "expired": ("expired", "chain"), "wrong-ca": ("server", "chain")},
    "client-cert": {"trusted": ("client", "chain"), "none": (None, None),
                    "untrusted": ("untrusted-leaf", "chain"), "expired": ("expired", "chain"),
                    "wrong-ca": ("client", "chain")},
}

#: trust form -> (what the verifier trusts for the oracle, cafile fixture, capath dir)
TRUST = {
    "cafile": (frozenset({"root-ca"}), "root-ca", None),
    "capath": (frozenset({"root-ca"}), None, "capath"),
    "wrong-cafile": (frozenset({"untrusted-root-ca"}), "untrusted-root-ca", None),
    "wrong-capath": (frozenset({"untrusted-root-ca"}), None, "capath-untrusted"),
}


def _trust_kwargs(env: Any, form: str) -> Dict[str, Optional[str]]:
    _, cafile, capath = TRUST[form]
    return {"cafile": env.certs.path(cafile) if cafile else None,
            "capath": str(env.certs.dir / capath) if capath else None}


def bundle(env: Any, names: Tuple[str, ...]) -> str:
    """A CA file holding the named fixtures, written in the case's tmp dir."""
    path = env.tmp_path / ("+".join(names) + ".pem")
    path.write_text("".join(env.certs.read(n) for n in names), encoding="ascii")
    return str(path)


def _rows() -> List[Dict[str, str]]:
    rows = []
    for version in VERSIONS:
        for direction, presents in PRESENTS.items():
            for mode in MODES:
                for peer in presents:
                    forms = ("wrong-cafile", "wrong-capath") if peer == "wrong-ca" else ("cafile", "capath")
                    for form in forms:
                        rows.append({"version": version, "direction": direction, "mode": mode,
                                     "peer": peer, "trust": form})
    return rows


@table("verify/{direction}/{version}/{mode}/peer={peer}/trust={trust}", spec="CERT_{mode}",
       basis="spec",
       cite=lambda row: VERIFY_MODE_CITES[row["mode"]],
       rows=_rows(), pair=True)
def verify_cell(env: Any, version: str, direction: str, mode: str, peer: str, trust: str,
                transport: str = "socket") -> Dict[str, Any]:
    senv = env.peer or env
    fixture, role = PRESENTS[direction][peer]
    trusts = TRUST[trust][0]
    options = VERSIONS[version]
    for e in (env, senv):
        for o in options:
            e.const("OP_" + o)
    if direction == "server-cert":
        c_side = dict(verify=mode, trusts=trusts)
        s_side = dict(cert=chain_of(env.certs, fixture, role))
        cctx = env.context(options=options, verify=mode, **_trust_kwargs(env, trust))
        sctx = senv.context(certfile=senv.certs.path(fixture, role), keyfile=senv.certs.path(fixture, "key"))
    else:
        c_side = dict(cert=chain_of(env.certs, fixture, role) if fixture else None)
        s_side = dict(verify=mode, trusts=trusts, cert=chain_of(env.certs, "server", "chain"))
        cctx = env.context(options=options)
        if fixture:
            cctx.load_cert_chain(env.certs.path(fixture, role), env.certs.path(fixture, "key"))
        sctx = senv.context(cert="server", verify=mode, **_trust_kwargs(senv, trust))
    verdict = oracle.expect(oracle.Side(options=frozenset(options), **c_side),
                            oracle.Side(**s_side))
    out = tls_connect(transport, cctx, sctx, env.ssl, senv.ssl, timeout=env.timeout)
    what = (f"{direction} {mode}, peer presents {peer}, trust {trust} ({version}, {transport}; "
            f"client {env.impl.name}, server {senv.impl.name})")
    judge_pair(verdict, out, env.ssl, senv.ssl, what)
    return observed(verdict, out, f"{env.impl.name} verify={c_side.get('verify', 'NONE')}",
                    f"{senv.impl.name} verify={s_side.get('verify', 'NONE')}")


CHAIN_ROWS = [{"certfile": c, "trust": t} for c in ("leaf", "leaf+intermediate", "full-chain")
              for t in ("root", "root+intermediate", "capath")]
CERTFILES = {"leaf": ("server",), "leaf+intermediate": ("server", "intermediate-ca"),
              "full-chain": ("server", "intermediate-ca", "root-ca")}


@table("verify/chain/certfile={certfile}/trust={trust}", spec="SSLContext.load_cert_chain",
       basis="spec",
       cite="you only need the root certificates, and the remote peer is supposed to furnish the other "
            "certificates necessary to chain from its certificate to a root certificate.",
       rows=CHAIN_ROWS, pair=True)
def chain_cell(env: Any, certfile: str, trust: str, transport: str = "socket") -> Dict[str, Any]:
    """The spec: with SSLv3/TLS 'you only need the root certificates [in the CA
    file], and the remote peer is supposed to furnish the other certificates'."""
    senv = env.peer or env
    names = CERTFILES[certfile]
    certpath = bundle(senv, names)
    trusts: FrozenSet[str] = frozenset({"root-ca", "intermediate-ca"} if trust == "root+intermediate"
                                       else {"root-ca"})
    leaf = chain_of(env.certs, "server", "cert")
    chain = oracle.Chain(issuers=leaf.issuers, sent=frozenset(names[1:]), defect=leaf.defect)
    verdict = oracle.expect(oracle.Side(verify="REQUIRED", trusts=trusts), oracle.Side(cert=chain))
    if trust == "capath":
        cctx = env.context(verify="REQUIRED", capath=str(env.certs.dir / "capath"))
    else:
        cctx = env.context(verify="REQUIRED", cafile=bundle(env, ("intermediate-ca", "root-ca"))
                           if trust == "root+intermediate" else env.certs.path("root-ca"))
    sctx = senv.context(certfile=certpath, keyfile=senv.certs.path("server", "key"))
    out = tls_connect(transport, cctx, sctx, env.ssl, senv.ssl, timeout=env.timeout)
    what = f"server certfile {certfile}, client trusts {trust} ({transport}; client {env.impl.name}, server {senv.impl.name})"
    judge_pair(verdict, out, env.ssl, senv.ssl, what)
    return observed(verdict, out, f"{env.impl.name} trusts {trust}", f"{senv.impl.name} certfile {certfile}")


# -- the same tables over memory BIOs (SSLContext.wrap_bio, documented since 3.5) ----------------
#: the verify modes as the current documentation words them (a case of a later edition quotes it)
CURRENT_CITES = {
    ("NONE", "server-cert"): "Validation errors, such as untrusted or expired cert, are ignored and do not "
                             "abort the TLS/SSL handshake.",
    ("NONE", "client-cert"): "In server mode, no certificate is requested from the client, so the client does "
                             "not send any for client cert authentication.",
    ("OPTIONAL", "server-cert"): "In client mode, :const:`CERT_OPTIONAL` has the same meaning as "
                                 ":const:`CERT_REQUIRED`.",
    ("OPTIONAL", "client-cert"): "If the client chooses to send a certificate, it is verified.  Any verification "
                                 "error immediately aborts the TLS handshake.",
}


def _current_cite(row: Dict[str, str]) -> str:
    return CURRENT_CITES.get((row["mode"], row["direction"]), VERIFY_MODE_CITES[row["mode"]])


table("bio/verify/{direction}/{version}/{mode}/peer={peer}/trust={trust}", spec="CERT_{mode}", basis="spec",
      cite=_current_cite, rows=[dict(r, transport="bio") for r in _rows()],
      pair=True, since=TRANSPORTS["bio"])(verify_cell)
table("bio/verify/chain/certfile={certfile}/trust={trust}", spec="SSLContext.load_cert_chain", basis="spec",
      cite="The certificates should just be concatenated together in the certificate file.",
      rows=[dict(r, transport="bio") for r in CHAIN_ROWS], pair=True, since=TRANSPORTS["bio"])(chain_cell)
