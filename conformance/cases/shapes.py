"""getpeercert() of certificates verifiers accept and strict parsers refuse: the shapes.

``fixtures/certs/shapes/`` holds legacy and odd-but-verifiable certificates
made by ``scripts/cert_shapes.py``: string types outside their alphabet (a
wildcard common name in a PrintableString) and legacy ones (TeletexString,
BMPString, UniversalString), every attribute type OpenSSL names, multi-valued
and unusual RDNs, SAN forms from otherName to x400Address, v1 and v2
certificates, serials of 0, negative, 20 and 40 bytes, BER inside
extensions, AIA and CRL distribution points with and without URIs, and a
self-signed ``CA:FALSE`` server certificate pinned as the client's cafile.
The manifest's ``shapes`` records, for each, CPython's own decoding of the
file at generation time: evidence from outside the implementation under test.

A server (``env.peer``) presents each shape over loopback to a client
(``env``) that requires and verifies it, trusting the shape's anchor; the client's ``getpeercert()`` is compared with the recorded
dict field by field, as ``decode/{name}/validated`` compares the fixtures.
A shape OpenSSL itself will not verify (an unknown critical extension, a
fractional GeneralizedTime) is a refusal case instead: the verifying side
must fail the handshake with ``SSLError``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ..harness.env import Certs
from ..harness.loopback import tls_pair
from ..harness.registry import expect_equal, expect_true, table
from .decode import as_peercert, compare_fields


def _rows() -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    verified, refused = [], []
    for shape in Certs().manifest.get("shapes", []):
        (verified if shape["verdict"] == "ok" else refused).append({"name": shape["name"]})
    return verified, refused


VERIFIED, REFUSED = _rows()


def _shape(env: Any, name: str) -> Dict[str, Any]:
    return next(s for s in env.certs.manifest["shapes"] if s["name"] == name)


def _present(env: Any, name: str) -> Any:
    """The server side serves shape *name* to a verifying client trusting its anchor."""
    shape = _shape(env, name)
    files = shape["files"]
    server = (env.peer or env).context(certfile=env.certs.path(files.get("chain", files["cert"])),
                         keyfile=env.certs.path(files["key"]))
    client = env.context(verify="REQUIRED", cafile=env.certs.path(shape["anchor"]))
    return tls_pair(client, server, timeout=env.timeout)


@table("decode/shape/{name}", spec="SSLSocket.getpeercert", basis="spec",
       cite="If the certificate was validated, it returns a dict with the keys ``subject`` (the principal "
            "for which the certificate was issued), and ``notAfter``", rows=VERIFIED, pair=True)
def verified(env: Any, name: str) -> None:
    out = _present(env, name)
    expect_true(out.ok, f"verified handshake presenting shape {name}", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    compare_fields(out.client.peercert, as_peercert(_shape(env, name)["peercert"]), f"shape {name}")


@table("decode/shape/{name}/refused", spec="CERT_REQUIRED", basis="spec",
       cite="an :class:`SSLError` will be raised if no certificate is provided, or if its validation "
            "fails.", rows=REFUSED, pair=True)
def refused(env: Any, name: str) -> None:
    out = _present(env, name)
    expect_true(not out.client.ok, f"a client refuses shape {name} ({_shape(env, name)['purpose']})",
                expected="handshake fails", actual=out.client.describe())
    expect_equal(out.client.reason, "certificate-verify-failed", f"why the client refused shape {name}")
