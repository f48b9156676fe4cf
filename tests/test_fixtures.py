"""The committed certificate fixtures do what ``fixtures/certs/manifest.json`` claims.

Each claim is held against a real judge, not against a copy of itself:

* a fixture's ``verdict`` is what the stdlib ``ssl`` module concludes when a
  client trusting ``root-ca.pem`` handshakes over loopback with a server that
  presents the fixture (client certificates: the other way round);
* ``hostname_ok`` is what the same client concludes with ``check_hostname``;
* ``peercert`` is what CPython's (or PyPy's) own decoder makes of the file, and
  what ``getpeercert()`` returns after a verified handshake;
* capath file names are OpenSSL's subject hash (the ``openssl`` CLI when
  present, and in any case the stdlib's capath lookup finding the root);
* each certificate shape's ``verdict`` is what the stdlib concludes trusting
  its ``anchor``, and its ``peercert`` is the interpreter's decoding of the
  file and what ``getpeercert()`` returns after the handshake.

Everything here but the generator tests at the bottom needs only the stdlib and
pytest, so it runs on PyPy too.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
CERTS = ROOT / "fixtures" / "certs"
MANIFEST = json.loads((CERTS / "manifest.json").read_text())
FIXTURES = {entry["name"]: entry for entry in MANIFEST["fixtures"]}
SHAPES = [pytest.param(entry, id=entry["name"]) for entry in MANIFEST["shapes"]]
TIMEOUT = 5.0

# verify_message (lower case, "self signed" spelt with a hyphen) -> verdict
VERIFY_MESSAGES = {
    "certificate has expired": "expired",
    "certificate is not yet valid": "not-yet-valid",
    "self-signed certificate": "self-signed",
    "self-signed certificate in certificate chain": "unknown-ca",
    "unable to get local issuer certificate": "unknown-ca",
    "unable to get issuer certificate": "unknown-ca",
    "invalid ca certificate": "invalid-ca",
    "path length constraint exceeded": "path-length",
    "ee certificate key too weak": "weak-key",
    "ca certificate key too weak": "weak-key",
    "ca signature digest algorithm too weak": "weak-signature",
    "hostname mismatch": "hostname-mismatch",
    "unhandled critical extension": "unhandled-critical-extension",
    "format error in certificate's notbefore field": "bad-not-before",
}


def entries(*kinds: str, having: str = "") -> List[Any]:
    """Manifest entries of the given kinds (all when none), as pytest params."""
    return [pytest.param(e, id=e["name"]) for e in MANIFEST["fixtures"]
            if (not kinds or e.get("kind") in kinds) and (not having or e.get(having) is not None)]


def path(name: str, role: str = "cert") -> str:
    return str(CERTS / FIXTURES[name]["files"][role])


def pem_blocks(data: str) -> List[str]:
    """The PEM blocks of *data*, each from BEGIN to END line inclusive."""
    blocks, current = [], None
    for line in data.splitlines(keepends=True):
        if line.startswith("-----BEGIN "):
            current = [line]
        elif current is not None:
            current.append(line)
            if line.startswith("-----END "):
                blocks.append("".join(current))
                current = None
    return blocks


def decode_block(block: str, tmp_path: Path) -> Dict[str, Any]:
    """The interpreter's own decoding of one PEM certificate block."""
    target = tmp_path / "block.pem"
    target.write_text(block)
    return ssl._ssl._test_decode_cert(str(target))


def jsonable(value: Any) -> Any:
    """The manifest's JSON form of a ``getpeercert()`` value (bytes as ``{"bytes": hex}``)."""
    if isinstance(value, (tuple, list)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    return value


# -- a loopback handshake ---------------------------------------------------------

def server_context(entry: Optional[Dict[str, Any]], require_client: bool = False
                   ) -> ssl.SSLContext:
    """A server presenting *entry*'s chain; security level 0 so weak fixtures load."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    files = (entry or FIXTURES["server"])["files"]
    password = MANIFEST["password"] if (entry or {}).get("name") == "encrypted" else None
    ctx.load_cert_chain(str(CERTS / files.get("chain", files["cert"])),
                        str(CERTS / files["key"]), password=password)
    if require_client:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(path("root-ca"))
    return ctx


def client_context(cafile: Optional[str] = None, capath: Optional[str] = None,
                   check_hostname: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = check_hostname
    ctx.load_verify_locations(cafile=cafile, capath=capath)
    return ctx


def handshake(client_ctx: ssl.SSLContext, server_ctx: ssl.SSLContext,
              server_hostname: Optional[str] = None) -> Tuple[Any, Any]:
    """Handshake over 127.0.0.1; returns (client, server) outcomes.

    An outcome is the exception that side raised, or on success the client's
    ``getpeercert()`` / the server's ``True``.  Every socket has a timeout and
    the server thread is joined before returning.
    """
    outcome: Dict[str, Any] = {}
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError as exc:
            outcome["server"] = exc
            return
        conn.settimeout(TIMEOUT)
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"k")  # after the client's certificate has been judged
                outcome["server"] = True
        except (OSError, ValueError) as exc:
            outcome["server"] = exc
        finally:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as sock:
            with client_ctx.wrap_socket(sock, server_hostname=server_hostname) as tls:
                peercert = tls.getpeercert()
                if tls.recv(1) != b"k":
                    raise ConnectionError("server closed without its byte")
                outcome["client"] = peercert
    except (OSError, ValueError) as exc:
        outcome["client"] = exc
    finally:
        thread.join(TIMEOUT * 2)
        listener.close()
    assert not thread.is_alive(), "server thread did not finish"
    return outcome["client"], outcome["server"]


def verdict_of(result: Any) -> str:
    """"ok" or the verdict an ``SSLCertVerificationError`` stands for."""
    if not isinstance(result, BaseException):
        return "ok"
    if isinstance(result, ssl.SSLCertVerificationError):
        message = str(result.verify_message).lower().replace("self signed", "self-signed")
        message = message.split(",")[0]  # CPython appends the host to "Hostname mismatch"
        return VERIFY_MESSAGES.get(message, "unmapped: " + message)
    return "error: %r" % (result,)


# -- the files ----------------------------------------------------------------------

def test_manifest_shape() -> None:
    assert MANIFEST["format"] == 1 and MANIFEST["password"] == "conformance"
    required = {"name", "purpose", "files", "subject", "issuer", "san", "not_before",
                "not_after", "serial_number", "key_type", "verdict", "peercert"}
    for entry in MANIFEST["fixtures"]:
        assert required <= set(entry), entry["name"]
    contract = {"root-ca", "intermediate-ca", "untrusted-root-ca", "server", "server-rsa",
                "client", "client-rsa", "selfsigned", "expired", "not-yet-valid",
                "wrong-host", "untrusted-leaf", "bad-intermediate", "pathlen", "weak-key",
                "sha1", "rich-names", "nul-name", "encrypted", "key-mismatch", "ca-bundle",
                "capath", "capath-untrusted", "malformed-truncated", "malformed-badbase64",
                "malformed-wrong-armor", "empty"}
    assert contract <= set(FIXTURES)


@pytest.mark.parametrize("entry", entries())
def test_files_exist(entry: Dict[str, Any]) -> None:
    for role, filename in entry["files"].items():
        assert (CERTS / filename).exists(), (role, filename)


@pytest.mark.parametrize("entry", entries("leaf", "client"))
def test_leaf_file_forms(entry: Dict[str, Any]) -> None:
    """NAME.pem alone, NAME.key PKCS#8, chain starting with the leaf, combined key first."""
    name, files = entry["name"], entry["files"]
    assert files["cert"] == name + ".pem" and files["key"] == name + ".key"
    leaf = (CERTS / files["cert"]).read_text()
    assert len(pem_blocks(leaf)) == 1 and "BEGIN CERTIFICATE" in leaf
    key = (CERTS / files["key"]).read_text()
    armor = "ENCRYPTED PRIVATE KEY" if name == "encrypted" else "PRIVATE KEY"
    assert key.startswith("-----BEGIN %s-----" % armor)
    chain = (CERTS / files["chain"]).read_text()
    assert pem_blocks(chain)[0] == pem_blocks(leaf)[0]
    combined = (CERTS / files["combined"]).read_text()
    assert pem_blocks(combined) == pem_blocks(key) + pem_blocks(chain)


@pytest.mark.parametrize("entry", entries("leaf", "client"))
def test_chain_order(entry: Dict[str, Any], tmp_path: Path) -> None:
    """leaf -> intermediate(s) -> root: each block issued by the next, the last self-issued."""
    blocks = pem_blocks((CERTS / entry["files"]["chain"]).read_text())
    decoded = [decode_block(block, tmp_path) for block in blocks]
    for child, parent in zip(decoded, decoded[1:]):
        assert child["issuer"] == parent["subject"]
    assert decoded[-1]["issuer"] == decoded[-1]["subject"]
    if entry["issuer"] == FIXTURES["intermediate-ca"]["subject"]:
        assert blocks[1:] == pem_blocks((CERTS / "intermediate-ca.pem").read_text()) + \
            pem_blocks((CERTS / "root-ca.pem").read_text())


@pytest.mark.parametrize("entry", entries(having="peercert"))
def test_peercert_matches_interpreter_decoder(entry: Dict[str, Any]) -> None:
    decoded = ssl._ssl._test_decode_cert(str(CERTS / entry["files"]["cert"]))
    assert jsonable(decoded) == entry["peercert"]


def test_traditional_rsa_key_form() -> None:
    files = FIXTURES["server-rsa"]["files"]
    key = (CERTS / files["traditional-key"]).read_text()
    assert key.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    combined = (CERTS / files["traditional-combined"]).read_text()
    assert pem_blocks(combined) == pem_blocks(key) + pem_blocks(
        (CERTS / files["chain"]).read_text())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(CERTS / files["cert"]), str(CERTS / files["traditional-key"]))
    ctx.load_cert_chain(str(CERTS / files["traditional-combined"]))


def test_der_copy() -> None:
    der = (CERTS / FIXTURES["server"]["files"]["der"]).read_bytes()
    pem = (CERTS / "server.pem").read_text()
    assert ssl.PEM_cert_to_DER_cert(pem) == der


def test_key_mismatch_is_refused() -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl.SSLError):
        ctx.load_cert_chain(path("key-mismatch"), path("key-mismatch", "key"))


@pytest.mark.parametrize("entry", entries("malformed"))
def test_malformed_files_are_refused(entry: Dict[str, Any]) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ssl.SSLError):
        ctx.load_verify_locations(str(CERTS / entry["files"]["cert"]))


def test_encrypted_key_needs_the_password() -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl.SSLError):
        ctx.load_cert_chain(path("encrypted"), path("encrypted", "key"), password="wrong")
    ctx.load_cert_chain(path("encrypted"), path("encrypted", "key"),
                        password=MANIFEST["password"])


def test_ca_bundle_order(tmp_path: Path) -> None:
    entry = FIXTURES["ca-bundle"]
    blocks = pem_blocks((CERTS / entry["files"]["cert"]).read_text())
    root = pem_blocks((CERTS / "root-ca.pem").read_text())[0]
    assert len(blocks) >= 2 and root in blocks and blocks[0] != root
    subjects = [jsonable(decode_block(b, tmp_path)["subject"]) for b in blocks]
    assert len(set(map(repr, subjects))) == len(blocks)


@pytest.mark.parametrize("entry", entries("capath"))
def test_capath_hash_names(entry: Dict[str, Any]) -> None:
    cert = CERTS / entry["files"]["cert"]
    assert cert.parent == CERTS / entry["files"]["dir"]
    assert [p.name for p in cert.parent.iterdir()] == [cert.name]
    stem, dot, suffix = cert.name.partition(".")
    assert len(stem) == 8 and int(stem, 16) >= 0 and suffix == "0"
    openssl = shutil.which("openssl")
    if openssl:
        out = subprocess.run([openssl, "x509", "-noout", "-subject_hash", "-in", str(cert)],
                             capture_output=True, text=True, timeout=30, check=True)
        assert out.stdout.strip() == stem


# -- verdicts over loopback ---------------------------------------------------------

@pytest.mark.parametrize("entry", entries("ca", "leaf", having="verdict"))
def test_server_verdict(entry: Dict[str, Any]) -> None:
    """A client trusting root-ca concludes the manifest's verdict; peercert as claimed."""
    client, server = handshake(client_context(path("root-ca")), server_context(entry))
    assert verdict_of(client) == entry["verdict"], client
    if entry["verdict"] == "ok":
        assert jsonable(client) == entry["peercert"]


@pytest.mark.parametrize("entry", entries("client"))
def test_client_verdict(entry: Dict[str, Any]) -> None:
    """A server requiring a certificate and trusting root-ca accepts the client fixture."""
    ctx = client_context(path("root-ca"))
    ctx.load_cert_chain(str(CERTS / entry["files"]["chain"]), str(CERTS / entry["files"]["key"]))
    client, server = handshake(ctx, server_context(None, require_client=True))
    assert verdict_of(server) == entry["verdict"], server
    assert verdict_of(client) == "ok", client


@pytest.mark.parametrize("entry", entries(having="hostname_ok"))
def test_hostname_ok(entry: Dict[str, Any]) -> None:
    ctx = client_context(path("root-ca"), check_hostname=True)
    client, _ = handshake(ctx, server_context(entry), server_hostname=entry["hostname"])
    expected = "ok" if entry["hostname_ok"] else "hostname-mismatch"
    assert verdict_of(client) == expected, client


@pytest.mark.parametrize("entry", entries("bundle", "capath"))
def test_trust_store_forms(entry: Dict[str, Any]) -> None:
    """ca-bundle / capath as the client's trust store, against the server fixture."""
    files = entry["files"]
    if "dir" in files:
        ctx = client_context(capath=str(CERTS / files["dir"]))
    else:
        ctx = client_context(cafile=str(CERTS / files["cert"]))
    client, _ = handshake(ctx, server_context(FIXTURES["server"]))
    assert verdict_of(client) == (entry["verdict"] or "ok"), client


# -- the certificate shapes -----------------------------------------------------------

def test_shapes_manifest() -> None:
    names = [entry["name"] for entry in MANIFEST["shapes"]]
    assert len(names) == len(set(names)) >= 40
    for entry in MANIFEST["shapes"]:
        assert set(entry) == {"name", "purpose", "files", "anchor", "verdict", "peercert"}
        assert all((CERTS / f).exists() for f in entry["files"].values()), entry["name"]
        assert (entry["peercert"] is None) == (entry["verdict"] != "ok"), entry["name"]
    refused = {e["verdict"] for e in MANIFEST["shapes"] if e["verdict"] != "ok"}
    assert refused and refused <= set(VERIFY_MESSAGES.values())
    pinned = next(e for e in MANIFEST["shapes"] if e["name"] == "pinned-selfsigned")
    assert pinned["anchor"] == pinned["files"]["cert"]


@pytest.mark.parametrize("entry", [e for e in SHAPES if e.values[0]["peercert"]])
def test_shape_peercert_is_the_interpreters(entry: Dict[str, Any]) -> None:
    decoded = ssl._ssl._test_decode_cert(str(CERTS / entry["files"]["cert"]))
    assert jsonable(decoded) == entry["peercert"]


@pytest.mark.parametrize("entry", SHAPES)
def test_shape_verdict(entry: Dict[str, Any]) -> None:
    """A client trusting the shape's anchor concludes its verdict; peercert as recorded."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    files = entry["files"]
    server.load_cert_chain(str(CERTS / files.get("chain", files["cert"])), str(CERTS / files["key"]))
    client, _ = handshake(client_context(str(CERTS / entry["anchor"])), server)
    assert verdict_of(client) == entry["verdict"], client
    if entry["verdict"] == "ok":
        assert jsonable(client) == entry["peercert"]


# -- the generator (needs trustme, cryptography and pyasn1) -----------------------------

GEN = [sys.executable, str(ROOT / "scripts" / "gen_certs.py")]


def _generator_deps() -> None:
    pytest.importorskip("cryptography")
    pytest.importorskip("trustme")
    pytest.importorskip("pyasn1_modules")


def _listing(directory: Path) -> List[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_generator_reproduces_the_set(tmp_path: Path) -> None:
    _generator_deps()
    out = tmp_path / "certs"
    run = subprocess.run(GEN + ["--out", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "wrote %d fixtures and %d shapes" % (len(FIXTURES), len(SHAPES)) in run.stdout
    assert _listing(out) == _listing(CERTS)
    fresh = json.loads((out / "manifest.json").read_text())
    assert [sorted(e) for e in fresh["fixtures"]] == [sorted(e) for e in MANIFEST["fixtures"]]
    stable = ("name", "kind", "files", "subject", "san", "key_type", "verdict", "hostname_ok")
    assert [[e.get(k) for k in stable] for e in fresh["fixtures"]] == [
        [e.get(k) for k in stable] for e in MANIFEST["fixtures"]]
    assert fresh["shapes"] == MANIFEST["shapes"]  # serials from the names: all stable
    check = subprocess.run(GEN + ["--check", "--out", str(out)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout


def test_generator_refuses_to_overwrite(tmp_path: Path) -> None:
    _generator_deps()
    out = tmp_path / "certs"
    out.mkdir()
    (out / "keep.pem").write_text("mine")
    run = subprocess.run(GEN + ["--out", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "--force" in run.stderr
    assert _listing(out) == ["keep.pem"]
    run = subprocess.run(GEN + ["--out", str(out), "--force"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "keep.pem" not in _listing(out) and "manifest.json" in _listing(out)


def test_check_accepts_committed_and_catches_tampering(tmp_path: Path) -> None:
    _generator_deps()
    run = subprocess.run(GEN + ["--check"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout
    copy = tmp_path / "certs"
    shutil.copytree(CERTS, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["fixtures"][3]["serial_number"] = "00"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    os.remove(copy / "capath" / os.listdir(copy / "capath")[0])
    run = subprocess.run(GEN + ["--check", "--out", str(copy)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1
    assert "serial_number" in run.stdout and "capath" in run.stdout


def test_generator_help() -> None:
    _generator_deps()
    run = subprocess.run(GEN + ["--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "--out" in run.stdout and "--check" in run.stdout
