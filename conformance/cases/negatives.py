"""Certificates no verifier may accept, in both directions, under CERT_REQUIRED.

Every fixture whose manifest verdict is a failure (expired, not yet valid,
unknown CA, self-signed leaf, an intermediate with ``CA:FALSE``, a violated
``pathLenConstraint``, an RSA-1024 key, a SHA-1 signature) is presented by a
server to a client that requires and verifies it (``negative/server-cert/...``),
and by a client to a server that does (``negative/client-cert/...``); the
verifier trusts the test root.  No such handshake may ever complete and carry
data: either the presenting side already refuses the certificate when it is
loaded (OpenSSL's security level rejects weak keys and digests at load time
on some builds; that is an ``SSLError`` from ``load_cert_chain``), or the
verifying side fails the handshake with ``SSLError``.

The reason category is checked where the cause is unambiguous: a verifier
rejecting a chain says "certificate verify failed", and the presenter hears
the alert ("peer rejected certificate") or sees the connection end.

Pair cases: client ``env``, server ``env.peer``.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List

from ..harness.env import CERTS_DIR
from ..harness.loopback import tls_pair
from ..harness.pump import TRANSPORTS, tls_connect
from ..harness.registry import CaseFailure, expect_true, table

#: a verifying side may report a refused chain only as one of these
VERIFY_REASONS = frozenset({"certificate-verify-failed"})


def _bad_fixtures() -> List[str]:
    """Fixture names whose verdict, for a verifier trusting the root, is a failure."""
    try:
        manifest = json.loads((CERTS_DIR / "manifest.json").read_text(encoding="utf-8"))
    except OSError:
        return []
    bad = {"expired", "not-yet-valid", "unknown-ca", "self-signed", "invalid-ca",
           "path-length", "weak-key", "weak-signature"}
    return sorted(f["name"] for f in manifest["fixtures"]
                  if f.get("verdict") in bad and "chain" in f.get("files", {}) and "key" in f["files"]
                  and not f["name"].endswith("-ca"))


ROWS = [{"direction": d, "fixture": f} for d in ("server-cert", "client-cert") for f in _bad_fixtures()]
REFUSED_CITE = ("an :class:`SSLError` will be raised if no certificate is provided, or if its validation "
                "fails.")


@table("negative/{direction}/{fixture}", spec="CERT_REQUIRED", basis="spec", cite=REFUSED_CITE, rows=ROWS,
       pair=True)
def refused(env: Any, direction: str, fixture: str, transport: str = "socket") -> Dict[str, Any]:
    server_env = env.peer or env
    presenter = server_env if direction == "server-cert" else env
    try:
        if direction == "server-cert":
            server = server_env.context(cert=fixture)
            client = env.context(trust="root-ca", verify="REQUIRED")
        else:
            server = server_env.context(cert="server", trust="root-ca", verify="REQUIRED")
            client = env.context(cert=fixture)
    except presenter.ssl.SSLError as exc:
        return {"refused": "at load", "by": presenter.impl.name, "error": f"{type(exc).__name__}: {exc}"}
    out = tls_connect(transport, client, server, env.ssl, server_env.ssl, timeout=env.timeout)
    sides = {"client": out.client.describe(), "server": out.server.describe()}
    if out.client.ok and out.server.ok:
        raise CaseFailure(f"a handshake with the {fixture} certificate completed and carried data",
                          expected="SSLError on the verifying side", actual=sides)
    verifier, verifier_env = ((out.client, env) if direction == "server-cert" else (out.server, server_env))
    expect_true(not verifier.ok and isinstance(verifier.error, verifier_env.ssl.SSLError),
                f"the verifying side ({'client' if direction == 'server-cert' else 'server'}) "
                f"raises SSLError on the {fixture} certificate", expected="SSLError", actual=sides)
    expect_true(verifier.reason in VERIFY_REASONS,
                "the verifier's error names the certificate verification",
                expected=sorted(VERIFY_REASONS), actual=f"{verifier.reason}: {verifier.error}")
    expect_true(not verifier.timed_out, "the verifier fails promptly, not by timeout", actual=sides)
    return {"refused": "in handshake", **sides}


table("bio/negative/{direction}/{fixture}", spec="CERT_REQUIRED", basis="spec", cite=REFUSED_CITE,
      rows=[dict(r, transport="bio") for r in ROWS], pair=True, since=TRANSPORTS["bio"])(refused)


@table("negative/nul-name/{field}", spec="SSLSocket.getpeercert",
       basis="spec",
       cite="The \"subject\" field is a tuple containing the sequence of relative distinguished names "
            "(RDNs) given in the certificate's data structure for the principal", pair=True,
       rows=[{"field": "commonName"}, {"field": "subjectAltName"}])
def nul_name(env: Any, field: str) -> Dict[str, Any]:
    """A name with an embedded NUL (CVE-2013-4238) is shown whole, never cut at the NUL:
    ``localhost\\x00.evil.example`` must not read as ``localhost``."""
    server_env = env.peer or env
    out = tls_pair(env.context(trust="root-ca", verify="REQUIRED"), server_env.context(cert="nul-name"),
                   timeout=env.timeout)
    expect_true(out.ok, "the handshake with the nul-name certificate (valid, trusted) completes",
                expected="ok", actual={"client": out.client.describe(), "server": out.server.describe()})
    cert = out.client.peercert or {}
    if field == "commonName":
        names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
    else:
        names = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
    want = "localhost\x00.evil.example"
    expect_true(names == [want], f"getpeercert() shows the full {field} with its NUL byte",
                expected=[want], actual=names)
    return {"names": names}
