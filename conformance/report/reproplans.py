"""Connection reproducers: one loopback connection, written out with the public API only.

A failing matrix cell (``matrix/...``) or verify cell (``verify/...``) is two
``SSLContext`` objects and one connection between them.  :func:`plan_for`
turns such a record back into a *plan* -- each side's module, protocol,
``OP_NO_*`` options, cipher policy, certificate files, trusted CAs and verify
mode, plus the oracle's verdict -- and :data:`CONNECTION_BODY` is the script
that runs it: a threaded handshake with a timeout on every socket, the echo,
the negotiated version and each side's ``getpeercert()`` form, compared with
the verdict.  Nothing of the suite is imported by the script; it needs only
the certificate fixtures beside it (``repro/certs/``).

Matrix cells take the oracle's verdict from the record; verify cells
recompute it from the same tables the cases use (``cases.verify``), which
need no probed capability.  Other records get no plan (``conformance.report.repro``
writes its generic runner for them), nor does a matrix cell that failed
before the oracle gave a verdict (its capability probe broke).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from ..cases import verify as cells
from ..cases.judging import chain_of
from ..judge import oracle
from ..judge.protocols import PROTOCOL_NAMES

__all__ = ["plan_for", "CONNECTION_BODY"]

_OPTION = re.compile(r"NO_(SSLv2|SSLv3|TLSv1(_[123])?)\Z")
Files = Union[str, List[str], None]


def _label(value: Any) -> Optional[Dict[str, Any]]:
    """``SSLv23+NO_TLSv1`` -> ``{"protocol": "SSLv23", "options": ["NO_TLSv1"]}``."""
    parts = [p for p in re.split(r"[+ ,/|]+", str(value)) if p]
    if not parts or parts[0] not in PROTOCOL_NAMES:
        return None
    options = [p[3:] if p.startswith("OP_") else p for p in parts[1:]]
    if not all(_OPTION.match(o) for o in options):
        return None
    return {"protocol": parts[0], "options": options}


def _version(value: Any) -> Optional[str]:
    if isinstance(value, str) and re.match(r"(TLSv1(\.[123])?|SSLv[23])\Z", value):
        return value
    return None


def _side(module: str, protocol: str = "SSLv23", options: Any = (), policy: str = "default", *,
          certfile: Files = None, keyfile: Files = None, cafile: Files = None,
          capath: Optional[str] = None, verify: Optional[str] = None) -> Dict[str, Any]:
    return {"module": module, "protocol": protocol, "options": list(options), "policy": policy,
            "certfile": certfile, "keyfile": keyfile, "cafile": cafile, "capath": capath, "verify": verify}


def _matrix(rec: Mapping[str, Any], client_mod: str, server_mod: str) -> Optional[Dict[str, Any]]:
    params = rec.get("params") or {}
    client, server = _label(params.get("client")), _label(params.get("server"))
    if client is None or server is None:
        return None
    policy = str(params.get("policy", "default"))
    observed = rec.get("observed") if isinstance(rec.get("observed"), dict) else {}
    verdict = observed.get("expected", rec.get("expected"))
    if not (_version(verdict) or str(verdict).startswith("fail:")):
        return None  # no verdict to compare with (a capability probe broke): the generic runner
    return {"client": _side(client_mod, client["protocol"], client["options"], policy, verify="REQUIRED",
                            cafile="root-ca.pem"),
            "server": _side(server_mod, server["protocol"], server["options"], policy,
                            certfile="server-chain.pem", keyfile="server.key"),
            "oracle": verdict, "expected_version": _version(verdict), "peercert": {},
            "suite_saw": observed.get("version") or rec.get("actual")}


def _verify(rec: Mapping[str, Any], client_mod: str, server_mod: str, certs: Any) -> Optional[Dict[str, Any]]:
    p = rec.get("params") or {}
    name = lambda fixture, role="cert": Path(certs.path(fixture, role)).name  # noqa: E731
    if str(rec["id"]).startswith("verify/chain/"):
        names = cells.CERTFILES[p["certfile"]]
        leaf = chain_of(certs, "server", "cert")
        chain = oracle.Chain(issuers=leaf.issuers, sent=frozenset(names[1:]), defect=leaf.defect)
        trusts = {"root-ca", "intermediate-ca"} if p["trust"] == "root+intermediate" else {"root-ca"}
        verdict = oracle.expect(oracle.Side(verify="REQUIRED", trusts=frozenset(trusts)), oracle.Side(cert=chain))
        trust: Dict[str, Any] = ({"capath": "capath"} if p["trust"] == "capath" else
                                 {"cafile": [name("intermediate-ca"), name("root-ca")]
                                  if p["trust"] == "root+intermediate" else name("root-ca")})
        client = _side(client_mod, verify="REQUIRED", **trust)
        server = _side(server_mod, certfile=[name(n) for n in names], keyfile=name("server", "key"))
    else:
        fixture, role = cells.PRESENTS[p["direction"]][p["peer"]]
        trusts, cafile, capath = cells.TRUST[p["trust"]]
        trust = {"cafile": name(cafile) if cafile else None, "capath": capath}
        options = cells.VERSIONS[p["version"]]
        presented = dict(certfile=name(fixture, role), keyfile=name(fixture, "key")) if fixture else {}
        if p["direction"] == "server-cert":
            client = _side(client_mod, options=options, verify=p["mode"], **trust)
            server = _side(server_mod, **presented)
            c_side = dict(verify=p["mode"], trusts=trusts)
            s_side = dict(cert=chain_of(certs, fixture, role))
        else:
            client = _side(client_mod, options=options, **presented)
            server = _side(server_mod, certfile=name("server", "chain"), keyfile=name("server", "key"),
                           verify=p["mode"], **trust)
            c_side = dict(cert=chain_of(certs, fixture, role) if fixture else None)
            s_side = dict(verify=p["mode"], trusts=trusts, cert=chain_of(certs, "server", "chain"))
        verdict = oracle.expect(oracle.Side(options=frozenset(options), **c_side), oracle.Side(**s_side))
    return {"client": client, "server": server, "oracle": verdict.short(),
            "expected_version": verdict.version if verdict.ok else None,
            "peercert": {"client": verdict.client_peercert, "server": verdict.server_peercert} if verdict.ok else {},
            "suite_saw": rec.get("actual")}


def plan_for(rec: Mapping[str, Any], certs: Any) -> Optional[Dict[str, Any]]:
    """The connection plan of a matrix or verify record, or None for any other."""
    client_mod, _, server_mod = str(rec["impl"]).partition("->")
    server_mod = server_mod or client_mod
    case_id = str(rec["id"])
    try:
        if case_id.startswith("matrix/"):
            return _matrix(rec, client_mod, server_mod)
        if case_id.startswith("verify/"):
            return _verify(rec, client_mod, server_mod, certs)
    except (KeyError, ValueError, OSError):  # a record from another version of the suite
        return None
    return None


CONNECTION_BODY = '''
import shutil
import socket
import tempfile
import threading

CLIENT = {client!r}
SERVER = {server!r}
#: The oracle's verdict, the version it implies (None: no connection) and the
#: getpeercert() form each side should see ("validated" dict, "unvalidated" {{}}, "none").
ORACLE = {oracle!r}
EXPECTED_VERSION = {expected!r}
EXPECTED_PEERCERT = {peercert!r}
SUITE_SAW = {saw!r}


def cert_file(names, scratch):
    """A fixture file in certs/; a list of them is concatenated into one."""
    if isinstance(names, str):
        return os.path.join(CERTS, names)
    path = os.path.join(scratch, "+".join(names))
    with open(path, "w") as out:
        for name in names:
            with open(os.path.join(CERTS, name)) as part:
                out.write(part.read())
    return path


def context(side, scratch):
    m = load(side["module"])
    ctx = m.SSLContext(getattr(m, "PROTOCOL_" + side["protocol"]))
    if side["policy"] == "legacy":  # every version and cipher the library still has
        if hasattr(m, "TLSVersion") and hasattr(ctx, "minimum_version"):
            try:
                ctx.minimum_version = m.TLSVersion.MINIMUM_SUPPORTED
            except (ValueError, AttributeError):
                pass
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    for name in side["options"]:
        ctx.options |= getattr(m, "OP_" + name)
    if side["certfile"]:
        ctx.load_cert_chain(cert_file(side["certfile"], scratch), cert_file(side["keyfile"], scratch))
    if side["cafile"] or side["capath"]:
        ctx.load_verify_locations(side["cafile"] and cert_file(side["cafile"], scratch),
                                  side["capath"] and os.path.join(CERTS, side["capath"]))
    if side["verify"]:
        ctx.verify_mode = getattr(m, "CERT_" + side["verify"])
    return ctx


def version_of(conn):
    v = conn.version() if hasattr(conn, "version") else None
    return v or conn.cipher()[1]


def form(cert):
    if cert is None:
        return "none"
    if cert == {{}}:
        return "unvalidated"
    return "validated" if isinstance(cert, dict) and "subject" in cert else repr(cert)


def describe(side):
    words = [side["module"], side["protocol"]] + ["+OP_" + o for o in side["options"]]
    words += ["%s=%s" % (k, side[k]) for k in ("certfile", "cafile", "capath", "verify") if side[k]]
    return " ".join(str(w) for w in words)


def connect(server_ctx, client_ctx):
    listener = socket.socket()
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    seen = {{}}

    def serve():
        try:
            raw, _ = listener.accept()
            raw.settimeout(TIMEOUT)
            conn = server_ctx.wrap_socket(raw, server_side=True)
            seen["server"], seen["server_peercert"] = version_of(conn), form(conn.getpeercert())
            conn.sendall(conn.recv(64))
            conn.close()
        except Exception as exc:
            seen["server_error"] = "%s: %s" % (type(exc).__name__, exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
    try:
        conn = client_ctx.wrap_socket(raw)
        version, peercert = version_of(conn), form(conn.getpeercert())
        conn.sendall(b"ping")
        if conn.recv(64) != b"ping":
            raise OSError("the echo came back wrong")
        seen["client"], seen["client_peercert"] = version, peercert
        conn.close()
    except Exception as exc:
        seen["client_error"] = "%s: %s" % (type(exc).__name__, exc)
        raw.close()
    thread.join(TIMEOUT)
    listener.close()
    return seen


def main():
    scratch = tempfile.mkdtemp()
    try:
        seen = connect(context(SERVER, scratch), context(CLIENT, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("client:", describe(CLIENT))
    print("server:", describe(SERVER))
    print("policy:", CLIENT["policy"])
    for role in ("client", "server"):
        print("%s side: %s" % (role, seen.get(role) or seen.get(role + "_error", "no connection")),
              "(getpeercert: %s)" % seen[role + "_peercert"] if role + "_peercert" in seen else "")
    print("oracle:", ORACLE)
    print("the suite saw:", SUITE_SAW)
    client = seen.get("client")
    if client != EXPECTED_VERSION:
        print("DIFFERENCE: expected %s, got %s" % (EXPECTED_VERSION or "no connection", client or "no connection"))
        return 1
    for role, want in sorted(EXPECTED_PEERCERT.items()):
        if want and seen.get(role + "_peercert") not in (None, want):
            print("DIFFERENCE: the %s's getpeercert() is %s, expected %s" % (role, seen[role + "_peercert"], want))
            return 1
    print("no difference: the connection behaves as the oracle says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
