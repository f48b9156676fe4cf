"""``SSLContext.verify_flags``: the ``VERIFY_*`` flags, ``VerifyFlags``, and what they change on a connection.

* ``verify-flags/...``: the default flags, each flag set and cleared, each a
  member of ``VerifyFlags``; ``VERIFY_X509_PARTIAL_CHAIN`` on a connection
  whose verifier trusts only the intermediate CA.
* ``crl/...``: one table of (direction, flags, CRLs loaded, leaf) -> outcome.
  The verifier trusts the test root and loads the ``crls`` fixture's file
  (``leaf``: the intermediate's CRL, which revokes the ``revoked`` leaf;
  ``root``: the root's, revoking nothing; ``chain``: both) or none; the peer
  presents ``revoked`` or an ordinary leaf (``server``, or ``client`` when the
  server verifies a client certificate).  ``conformance.judge.verifyflags``
  says what must happen from the manifest's serial numbers and issuers;
  ``crl/verify-code/...`` (3.7) checks the verify error the refusing side
  reports.

Pair cases: the client is ``env``, the server ``env.peer``; the verifier is
the client for ``server-cert`` and the server for ``client-cert``.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

from ..harness.loopback import tls_pair
from ..harness.registry import case, expect_equal, expect_true, table
from ..judge import oracle, verifyflags as vf
from ..judge.editions import key as edition_key
from .judging import chain_of, judge_pair, observed

#: the documentation's sentence for each flag (3.4 unless said in SINCE)
FLAG_CITES = {
    "VERIFY_DEFAULT": "In this mode, certificate revocation lists (CRLs) are not checked.",
    "VERIFY_CRL_CHECK_LEAF": "The mode requires a valid CRL that is signed by the peer cert's issuer (its direct "
                             "ancestor CA).",
    "VERIFY_CRL_CHECK_CHAIN": "In this mode, CRLs of all certificates in the peer cert chain are checked.",
    "VERIFY_X509_STRICT": "Possible value for :attr:`SSLContext.verify_flags` to disable workarounds for broken "
                          "X.509 certificates.",
    "VERIFY_ALLOW_PROXY_CERTS": "Possible value for :attr:`SSLContext.verify_flags` to enables proxy certificate "
                                "verification.",
    "VERIFY_X509_TRUSTED_FIRST": "It instructs OpenSSL to prefer trusted certificates when building the trust "
                                 "chain to validate a certificate.",
    "VERIFY_X509_PARTIAL_CHAIN": "It instructs OpenSSL to accept intermediate CAs in the trust store to be "
                                 "treated as trust-anchors, in the same way as the self-signed root CA "
                                 "certificates.",
}
#: the first edition documenting each flag: 3.4, but TRUSTED_FIRST came in 3.4.4 (a maintenance release:
#: the first edition every release of which has it is 3.5) and the other two in 3.10
SINCE = {"VERIFY_X509_TRUSTED_FIRST": "3.5", "VERIFY_ALLOW_PROXY_CERTS": "3.10", "VERIFY_X509_PARTIAL_CHAIN": "3.10"}
SETTABLE = [f for f in FLAG_CITES if f != "VERIFY_DEFAULT"]


def _since(row: Mapping[str, Any]) -> str:
    return SINCE.get(row["flag"], "3.4")


# -- the attribute ----------------------------------------------------------------------

@case("verify-flags/default-checks-no-CRLs", spec="SSLContext.verify_flags", basis="spec",
      cite="By default OpenSSL does neither require nor verify certificate revocation lists (CRLs).",
      since="3.4")
def default_no_crl(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    crl_bits = int(env.const("VERIFY_CRL_CHECK_LEAF")) | int(env.const("VERIFY_CRL_CHECK_CHAIN"))
    flags = ctx.verify_flags
    expect_true(isinstance(flags, int), "verify_flags is an int", actual=type(flags).__name__)
    expect_equal(int(flags) & crl_bits, 0, "CRL bits of a new context's verify_flags")


@case("verify-flags/default-VERIFY_X509_TRUSTED_FIRST", spec="VERIFY_X509_TRUSTED_FIRST", basis="spec",
      cite="This flag is enabled by default.", since="3.5")
def default_trusted_first(env: Any) -> None:
    bit = int(env.const("VERIFY_X509_TRUSTED_FIRST"))
    flags = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23")).verify_flags
    expect_equal(int(flags) & bit, bit, "VERIFY_X509_TRUSTED_FIRST in a new context's verify_flags")


@table("verify-flags/set-clear/{flag}", spec="SSLContext.verify_flags", basis="spec",
       cite="You can set flags like :data:`VERIFY_CRL_CHECK_LEAF` by ORing them together.",
       rows=[{"flag": f} for f in SETTABLE], since=_since)
def set_clear(env: Any, flag: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    bit = int(env.const(flag))
    before = int(ctx.verify_flags)
    ctx.verify_flags |= bit
    expect_equal(int(ctx.verify_flags) & bit, bit, f"verify_flags after ORing in {flag}")
    expect_equal(int(ctx.verify_flags) & ~bit, before & ~bit, f"ORing in {flag} leaves the other flags alone")
    ctx.verify_flags &= ~bit
    expect_equal(int(ctx.verify_flags) & bit, 0, f"verify_flags after clearing {flag}")


@table("verify-flags/VerifyFlags/{flag}", spec="VerifyFlags", basis="spec",
       cite=":class:`enum.IntFlag` collection of VERIFY_* constants.",
       rows=[{"flag": f} for f in FLAG_CITES], since=lambda row: max(_since(row), "3.6", key=edition_key))
def verify_flags_member(env: Any, flag: str) -> None:
    cls = env.const("VerifyFlags")
    expect_true(isinstance(cls, type) and issubclass(cls, enum.IntFlag), "VerifyFlags is an enum.IntFlag",
                actual=repr(cls))
    member = getattr(cls, flag, None)
    expect_true(isinstance(member, cls), f"VerifyFlags.{flag} is a member", actual=repr(member))
    expect_equal(int(member), int(env.const(flag)), f"VerifyFlags.{flag} == {flag}")
    expect_true(isinstance(env.const(flag), cls), f"{flag} is the VerifyFlags member", actual=repr(env.const(flag)))


@case("verify-flags/returns-VerifyFlags", spec="SSLContext.verify_flags", basis="spec",
      cite=":attr:`SSLContext.verify_flags` returns :class:`VerifyFlags` flags:", since="3.6")
def returns_verify_flags(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.verify_flags |= env.const("VERIFY_CRL_CHECK_LEAF")
    expect_true(isinstance(ctx.verify_flags, env.const("VerifyFlags")), "verify_flags is a VerifyFlags",
                actual=repr(ctx.verify_flags))


# -- on a connection ----------------------------------------------------------------------

#: what the peer presents in each direction: the ordinary leaf and the revoked one
LEAVES = {"server-cert": {"ordinary": "server", "revoked": "revoked"},
          "client-cert": {"ordinary": "client", "revoked": "revoked"}}


@dataclasses.dataclass
class Setup:
    """One connection of a verify-flags cell: the two contexts and what the oracle is told."""

    client: Any
    server: Any
    verifier: str  #: "client" or "server"
    chain: oracle.Chain
    trusts: FrozenSet[str]


def _setup(env: Any, direction: str, leaf: str, trust: str = "root-ca") -> Setup:
    """Contexts for ``direction``: the verifier (CERT_REQUIRED, trusting ``trust``) and the
    peer presenting fixture ``leaf`` (chain file); the flags and CRLs are the caller's."""
    senv = env.peer or env
    chain = chain_of(env.certs, leaf, "chain")
    if direction == "server-cert":
        client = env.context(verify="REQUIRED", trust=trust)
        server = senv.context(cert=leaf)
        return Setup(client, server, "client", chain, frozenset({trust}))
    client = env.context(cert=leaf)
    server = senv.context(cert="server", verify="REQUIRED", trust=trust)
    return Setup(client, server, "server", chain, frozenset({trust}))


def _verdict(env: Any, setup: Setup) -> oracle.Verdict:
    """The oracle's verdict for the chain alone (the verifier's peer presents ``setup.chain``)."""
    if setup.verifier == "client":
        return oracle.expect(oracle.Side(verify="REQUIRED", trusts=setup.trusts), oracle.Side(cert=setup.chain))
    return oracle.expect(oracle.Side(cert=setup.chain),
                         oracle.Side(verify="REQUIRED", trusts=setup.trusts,
                                     cert=chain_of(env.certs, "server", "chain")))


def _verifier(setup: Setup) -> Any:
    return setup.client if setup.verifier == "client" else setup.server


def _run(env: Any, setup: Setup, verdict: oracle.Verdict, what: str) -> Any:
    senv = env.peer or env
    out = tls_pair(setup.client, setup.server, timeout=env.timeout)
    judge_pair(verdict, out, env.ssl, senv.ssl, f"{what} (client {env.impl.name}, server {senv.impl.name})")
    return out


@table("verify-flags/VERIFY_X509_PARTIAL_CHAIN/{direction}/{state}", spec="VERIFY_X509_PARTIAL_CHAIN",
       basis="spec", cite=FLAG_CITES["VERIFY_X509_PARTIAL_CHAIN"], since="3.10", pair=True,
       rows=[{"direction": d, "state": s} for d in LEAVES for s in ("on", "off")])
def partial_chain(env: Any, direction: str, state: str) -> Dict[str, Any]:
    """The verifier trusts only the intermediate CA: a chain through it verifies with the flag, not without."""
    setup = _setup(env, direction, LEAVES[direction]["ordinary"], trust="intermediate-ca")
    verifier = _verifier(setup)
    bit = int((env if setup.verifier == "client" else (env.peer or env)).const("VERIFY_X509_PARTIAL_CHAIN"))
    verifier.verify_flags = (verifier.verify_flags | bit) if state == "on" else (verifier.verify_flags & ~bit)
    if state == "on":
        setup.chain = vf.anchored(setup.chain, setup.trusts)
    verdict = _verdict(env, setup)
    out = _run(env, setup, verdict, f"{direction}, verifier trusts only the intermediate, partial chains {state}")
    return observed(verdict, out, env.impl.name, (env.peer or env).impl.name)


# -- CRLs ---------------------------------------------------------------------------------

CRL_SETTINGS = ("VERIFY_DEFAULT", "VERIFY_CRL_CHECK_LEAF", "VERIFY_CRL_CHECK_CHAIN")
CRL_FILES = ("none", "leaf", "root", "chain")


def crl_chain(certs: Any, leaf: str) -> List[vf.Cert]:
    """The leaf and its CAs up to the root, with serials and issuers from the manifest."""
    names = (leaf,) + chain_of(certs, leaf, "cert").issuers
    return [vf.Cert(name, certs.fixture(name)["serial_number"], names[min(i + 1, len(names) - 1)])
            for i, name in enumerate(names)]


def loaded_crls(certs: Any, role: str) -> Dict[str, FrozenSet[str]]:
    """Issuer -> revoked serials of the ``crls`` fixture's file ``role`` (``none``: nothing).

    The manifest names the CRL entry's issuer (the intermediate) and what its
    CRL revokes; ``root`` is the root's CRL, which revokes nothing; ``chain``
    holds both."""
    if role == "none":
        return {}
    entry = certs.fixture("crls")
    cas = {f["subject"]: f["name"] for f in certs.manifest["fixtures"] if f.get("kind") == "ca"}
    issuer = cas[entry["issuer"]]
    root = cas[certs.fixture(issuer)["issuer"]]
    crls = {"leaf": {issuer: frozenset(entry["revoked_serials"])}, "root": {root: frozenset()}}
    return crls[role] if role in crls else {**crls["leaf"], **crls["root"]}


def _crl_setup(env: Any, direction: str, flags: str, crls: str, leaf: str) -> Tuple[Setup, vf.Outcome]:
    setup = _setup(env, direction, LEAVES[direction][leaf])
    verifier = _verifier(setup)
    venv = env if setup.verifier == "client" else (env.peer or env)
    if crls != "none":
        verifier.load_verify_locations(env.certs.path("crls", crls))
    verifier.verify_flags |= venv.const(flags)
    outcome = vf.check(flags, crl_chain(env.certs, LEAVES[direction][leaf]), loaded_crls(env.certs, crls))
    return setup, outcome


def _crl_verdict(env: Any, setup: Setup, outcome: vf.Outcome) -> oracle.Verdict:
    verdict = _verdict(env, setup)
    if verdict.ok and not outcome.ok:
        return oracle.Verdict(ok=False, failing=setup.verifier, reasons=("certificate-verify-failed",),
                              why=f"{outcome.message} (verify error {outcome.code}): {outcome.why}")
    return verdict


def _crl_rows() -> List[Dict[str, str]]:
    return [{"direction": d, "flags": f, "crls": c, "leaf": leaf}
            for d in LEAVES for f in CRL_SETTINGS for c in CRL_FILES for leaf in ("ordinary", "revoked")]


@table("crl/{direction}/{flags}/crls={crls}/leaf={leaf}", spec="{flags}", basis="spec",
       cite=lambda row: FLAG_CITES[row["flags"]], rows=_crl_rows(), since="3.4", pair=True)
def crl_cell(env: Any, direction: str, flags: str, crls: str, leaf: str) -> Dict[str, Any]:
    setup, outcome = _crl_setup(env, direction, flags, crls, leaf)
    verdict = _crl_verdict(env, setup, outcome)
    out = _run(env, setup, verdict, f"{direction}: {flags}, CRLs loaded: {crls}, peer presents the {leaf} leaf")
    return observed(verdict, out, env.impl.name, (env.peer or env).impl.name)


def _refusals() -> List[Dict[str, str]]:
    """One row per distinct refusal: no CRL for the leaf, a revoked leaf, no CRL higher up."""
    combos = (("VERIFY_CRL_CHECK_LEAF", "none", "ordinary"), ("VERIFY_CRL_CHECK_LEAF", "leaf", "revoked"),
              ("VERIFY_CRL_CHECK_CHAIN", "leaf", "ordinary"), ("VERIFY_CRL_CHECK_CHAIN", "chain", "revoked"))
    return [{"direction": d, "flags": f, "crls": c, "leaf": leaf} for d in LEAVES for f, c, leaf in combos]


@table("crl/verify-code/{direction}/{flags}/crls={crls}/leaf={leaf}", spec="SSLCertVerificationError",
       basis="spec", cite="A numeric error number that denotes the verification error.", rows=_refusals(),
       since="3.7", pair=True)
def crl_verify_code(env: Any, direction: str, flags: str, crls: str, leaf: str) -> None:
    """The refusing side raises SSLCertVerificationError carrying OpenSSL's verify error."""
    setup, outcome = _crl_setup(env, direction, flags, crls, leaf)
    expect_true(not outcome.ok, f"the oracle refuses this row ({outcome.why})")
    out = _run(env, setup, _crl_verdict(env, setup, outcome), f"{direction}: {flags}, CRLs {crls}, {leaf} leaf")
    side, venv = (out.client, env) if setup.verifier == "client" else (out.server, env.peer or env)
    error: Optional[BaseException] = side.error
    expect_true(isinstance(error, venv.const("SSLCertVerificationError")),
                f"the {setup.verifier} raises SSLCertVerificationError", actual=repr(error))
    expect_equal(getattr(error, "verify_code", None), outcome.code, "verify_code")
    expect_equal(getattr(error, "verify_message", None), outcome.message, "verify_message")
