"""getpeercert() of every fixture certificate, presented over loopback, against the manifest.

The manifest's ``peercert`` (written by the fixture generator from the
certificates themselves) is the expected decoding; no other
implementation's output is consulted.  Comparison is field by field:

* the keys the spec promises for a validated certificate (``subject``,
  ``notAfter``, and ``subjectAltName`` when the certificate has one) must be
  present and equal;
* further keys (``issuer``, ``notBefore``, ``version``, ``serialNumber``,
  ``OCSP``...) are later additions; the 3.2 text says ``issuer`` and
  ``notBefore`` are "not returned", but returning them is taken as a
  compatible extension: if present, they must be right.

Sequences are compared as the spec shows them: tuples, not lists.

Certificates no verifier can accept (expired, broken chains, CA
certificates used as server certificates) are checked in the form the
spec gives for an unvalidated peer: ``{}`` as a dict, and the exact DER
bytes with ``binary_form=True``.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

from ..harness.env import Certs
from ..harness.loopback import tls_pair
from ..harness.registry import CaseFailure, Unsupported, expect_equal, expect_true, table

REQUIRED_KEYS = ("subject", "notAfter")
_ANCHOR = {"ok": "root-ca.pem", "weak-key": "root-ca.pem", "weak-signature": "root-ca.pem",
           "unknown-ca": "untrusted-root-ca.pem"}
_LEGACY = {"weak-key", "weak-signature"}


def as_peercert(value: Any) -> Any:
    """The manifest's JSON form turned into getpeercert()'s: lists become tuples,
    ``{"bytes": hex}`` (a BIT STRING attribute value) becomes bytes."""
    if isinstance(value, dict) and list(value) == ["bytes"]:
        return bytes.fromhex(value["bytes"])
    if isinstance(value, dict):
        return {k: as_peercert(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(as_peercert(v) for v in value)
    return value


def _rows() -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    validated, unvalidated = [], []
    for f in Certs().manifest.get("fixtures", []):
        files = f.get("files", {})
        if "cert" not in files or "key" not in files or f.get("verdict") == "key-mismatch":
            continue
        role = "client" if f.get("kind") == "client" else "server"
        row = {"name": f["name"], "role": role}
        if f.get("kind") in ("leaf", "client") and (f["verdict"] in _ANCHOR or f["verdict"] == "self-signed"):
            validated.append(row)
        unvalidated.append(row)
    return validated, unvalidated


VALIDATED, UNVALIDATED = _rows()


def _server_cert_ctx(env: Any, name: str, legacy: bool) -> Any:
    """A context of ``env``'s module presenting fixture ``name`` (chain + key)."""
    ctx = env.context(policy="legacy" if legacy else "default")
    certs = env.certs
    chain = certs.path(name, "chain")
    if not os.path.exists(chain):
        chain = certs.path(name, "cert")
    if name == "encrypted":
        try:
            ctx.load_cert_chain(chain, certs.path(name, "key"), password=certs.password)
        except TypeError:
            raise Unsupported("load_cert_chain(password=)", "needed to serve the encrypted-key fixture") from None
    else:
        ctx.load_cert_chain(chain, certs.path(name, "key"))
    return ctx


def _exchange(env: Any, name: str, role: str, verify: str) -> Any:
    """The presenting side uses ``env.peer`` (or ``env``); the decoding side is ``env``."""
    fx = env.certs.fixture(name)
    legacy = fx["verdict"] in _LEGACY
    policy = "legacy" if legacy else "default"
    presenter = env.peer or env
    anchor = env.certs.path(name) if fx["verdict"] == "self-signed" else env.certs.path(_ANCHOR.get(fx["verdict"], "root-ca.pem"))
    if role == "server":
        decoder = env.context(verify=verify, policy=policy,
                              cafile=anchor if verify != "NONE" else None)
        out = tls_pair(decoder, _server_cert_ctx(presenter, name, legacy), timeout=env.timeout)
        return out, out.client
    server = env.context(cert="server", verify=verify, policy=policy, cafile=anchor)
    if verify == "NONE":
        raise Unsupported("unvalidated client certificate", "a CERT_NONE server never requests one")
    out = tls_pair(_server_cert_ctx(presenter, name, legacy), server, timeout=env.timeout)
    return out, out.server


def compare_fields(actual: Any, expected: Dict[str, Any], what: str) -> None:
    expect_true(isinstance(actual, dict), f"{what}: getpeercert() is a dict", expected="dict",
                actual=type(actual).__name__)
    keys = list(REQUIRED_KEYS) + (["subjectAltName"] if "subjectAltName" in expected else [])
    for key in keys:
        if key not in actual:
            raise CaseFailure(f"{what}: key {key!r} missing", expected=sorted(expected), actual=sorted(actual))
    for key in sorted(actual):
        if key not in expected:
            raise CaseFailure(f"{what}: unexpected key {key!r}", expected=sorted(expected), actual=sorted(actual))
        expect_equal(actual[key], expected[key], f"{what}: {key}")


@table("decode/{name}/validated", spec="SSLSocket.getpeercert",
       basis="spec",
       cite="If the certificate was validated, it returns a dict with the keys ``subject`` (the principal "
            "for which the certificate was issued), and ``notAfter``", rows=VALIDATED, pair=True)
def validated(env: Any, name: str, role: str) -> None:
    out, side = _exchange(env, name, role, "REQUIRED")
    expect_true(out.ok, f"verified handshake presenting {name}", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    compare_fields(side.peercert, as_peercert(env.certs.fixture(name)["peercert"]), name)


@table("decode/{name}/unvalidated", spec="SSLSocket.getpeercert",
       basis="spec",
       cite="If the certificate was not validated, the dict is empty.", rows=UNVALIDATED, pair=True)
def unvalidated(env: Any, name: str, role: str) -> None:
    """Server certificates under CERT_NONE: ``{}`` and exact DER.  Client
    certificates can only be seen by a server that asks (CERT_OPTIONAL): the
    DER must be exact whether or not they validate."""
    if role == "client":
        out, side = _exchange(env, name, role, "OPTIONAL")
        expect_true(side.ok or side.reason == "certificate-verify-failed",
                    f"CERT_OPTIONAL server with client {name}", actual=side.describe())
        if not side.ok:
            return
    else:
        out, side = _exchange(env, name, role, "NONE")
        expect_true(out.ok, f"CERT_NONE handshake presenting {name}", expected="ok",
                    actual={"client": out.client.describe(), "server": out.server.describe()})
        expect_equal(side.peercert, {}, f"{name}: getpeercert() of an unvalidated certificate")
    der = env.ssl.PEM_cert_to_DER_cert(env.certs.read(name))
    expect_equal(side.peercert_der, der, f"{name}: getpeercert(True) is the certificate's DER")
