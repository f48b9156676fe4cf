"""What a context trusts: ``cadata``, ``get_ca_certs``, ``cert_store_stats`` and the default CA locations (3.4).

* ``context/load_verify_locations/cadata-...``: PEM text and DER bytes, one
  certificate and several, each proven by use over loopback in both
  directions (the client verifying the server, the server verifying a client
  certificate), judged by the oracle from the CAs the data holds; and the
  errors of data that holds no certificate.
* ``context/get_ca_certs/...`` and ``context/cert_store_stats/...``: what was
  loaded, derived from the loaded files themselves (their PEM blocks) and the
  manifest (which of them are CAs, their ``getpeercert()`` form).
* ``context/get_default_verify_paths/...``, ``.../set_default_verify_paths/...``,
  ``.../load_default_certs/...``: in a child process whose environment points
  the documented key (``get_default_verify_paths().openssl_cafile_env``) at
  the test root, so "the default CA certificates" are a file the case knows;
  the child reports whether its context then verifies a server the root vouches for.
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..harness.impls import CHILD_LOADER
from ..harness.loopback import tls_pair
from ..harness.reasons import classify
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..judge import oracle
from .decode import as_peercert
from .helpers import expect_raises
from .judging import chain_of, judge_pair, observed

SPEC = "SSLContext.load_verify_locations"
CADATA_CITE = ("The *cadata* object, if present, is either an ASCII string of one or more PEM-encoded certificates "
               "or a :term:`bytes-like object` of DER-encoded certificates.")
EXTRA_LINES_CITE = ("Like with *capath* extra lines around PEM-encoded certificates are ignored but at least one "
                    "certificate must be present.")

_BLOCK = re.compile(r"-----BEGIN (CERTIFICATE|X509 CRL)-----.*?-----END \1-----", re.S)


def pem_blocks(text: str, kind: str = "CERTIFICATE") -> List[str]:
    """The PEM blocks of ``kind`` in ``text``, in order."""
    return [m.group(0) for m in _BLOCK.finditer(text) if m.group(1) == kind]


def der_of(block: str) -> bytes:
    """The DER inside one PEM block (read here, not by the module under test)."""
    return base64.b64decode("".join(block.strip().splitlines()[1:-1]))


def ca_names(env: Any, text: str) -> Tuple[str, ...]:
    """The manifest's CA fixtures whose certificate is in ``text``, in the text's order."""
    found = []
    for block in pem_blocks(text):
        found += [f["name"] for f in env.certs.manifest["fixtures"]
                  if f.get("kind") == "ca" and env.certs.read(f["name"]).strip() == block.strip()]
    return tuple(found)


# -- cadata, proven by use ---------------------------------------------------------------

#: form -> (PEM files whose certificates the data holds, encoding, how the data is passed)
CADATA = {
    "pem-one": (("root-ca.pem",), "pem", str),
    "pem-several": (("ca-bundle.pem",), "pem", str),
    "pem-extra-lines": (("root-ca.pem",), "pem-extra", str),
    "pem-untrusted-root": (("untrusted-root-ca.pem",), "pem", str),
    "der-one": (("root-ca.pem",), "der", bytes),
    "der-several": (("ca-bundle.pem",), "der", bytes),
    "der-bytearray": (("root-ca.pem",), "der", bytearray),
    "der-memoryview": (("root-ca.pem",), "der", memoryview),
    "der-untrusted-root": (("untrusted-root-ca.pem",), "der", bytes),
}


def cadata_of(env: Any, form: str) -> Any:
    files, encoding, kind = CADATA[form]
    text = "".join(env.certs.read(f) for f in files)
    if encoding == "pem":
        return text
    if encoding == "pem-extra":
        return "a line before\n\n" + text + "\nand one after\n"
    return kind(b"".join(der_of(b) for b in pem_blocks(text)))


def _trusted(env: Any, form: str) -> frozenset:
    return frozenset(ca_names(env, "".join(env.certs.read(f) for f in CADATA[form][0])))


@table("context/load_verify_locations/cadata-{form}/{direction}", spec=SPEC, basis="spec",
       cite=lambda row: EXTRA_LINES_CITE if row["form"] == "pem-extra-lines" else CADATA_CITE,
       rows=[{"form": f, "direction": d} for f in CADATA for d in ("server-cert", "client-cert")],
       since="3.4", pair=True)
def cadata_cell(env: Any, form: str, direction: str) -> Dict[str, Any]:
    senv = env.peer or env
    trusts = _trusted(env, form)
    if direction == "server-cert":
        client = env.context(verify="REQUIRED")
        client.load_verify_locations(cadata=cadata_of(env, form))
        server = senv.context(cert="server")
        verdict = oracle.expect(oracle.Side(verify="REQUIRED", trusts=trusts),
                                oracle.Side(cert=chain_of(env.certs, "server", "chain")))
    else:
        client = env.context(cert="client")
        server = senv.context(cert="server", verify="REQUIRED")
        server.load_verify_locations(cadata=cadata_of(senv, form))
        verdict = oracle.expect(oracle.Side(cert=chain_of(env.certs, "client", "chain")),
                                oracle.Side(verify="REQUIRED", trusts=trusts,
                                            cert=chain_of(env.certs, "server", "chain")))
    out = tls_pair(client, server, timeout=env.timeout)
    judge_pair(verdict, out, env.ssl, senv.ssl, f"{direction}, the verifier's cadata is {form} "
               f"(client {env.impl.name}, server {senv.impl.name})")
    return observed(verdict, out, env.impl.name, senv.impl.name)


def _root_text(env: Any) -> str:
    return env.certs.read("root-ca.pem")


#: data without a usable certificate -> (how it is made, what CPython raises)
BAD_CADATA = {
    "empty-str": (lambda env: "", "ValueError"),
    "empty-bytes": (lambda env: b"", "ValueError"),
    "text-without-certificate": (lambda env: "no certificate here\n", "SSLError"),
    "bytes-without-certificate": (lambda env: b"no certificate here", "SSLError"),
    "pem-as-bytes": (lambda env: _root_text(env).encode("ascii"), "SSLError"),
    "der-truncated": (lambda env: der_of(pem_blocks(_root_text(env))[0])[:-5], "SSLError"),
    "non-ascii-text": (lambda env: "caf\u00e9\n" + _root_text(env), "TypeError"),
    "int": (lambda env: 42, "TypeError"),
}


@table("context/load_verify_locations/cadata-bad-{label}", spec=SPEC, basis="cpython",
       cite="CPython raises ValueError for empty cadata, TypeError for cadata that is neither ASCII text nor "
            "bytes-like, and SSLError for data in which no certificate is found",
       rows=[{"label": label} for label in BAD_CADATA], since="3.4")
def cadata_bad(env: Any, label: str) -> None:
    make, error = BAD_CADATA[label]
    value = make(env)
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    kind = env.ssl.SSLError if error == "SSLError" else {"ValueError": ValueError, "TypeError": TypeError}[error]
    expect_raises(env, kind, lambda: ctx.load_verify_locations(cadata=value), f"load_verify_locations(cadata={label})")


# -- what was loaded ------------------------------------------------------------------------

#: source -> what is loaded: files (cafile) or a capath directory
SOURCES = {
    "root-ca": ("root-ca.pem",),
    "server-chain": ("server-chain.pem",),
    "intermediate-and-root": ("intermediate-ca.pem", "root-ca.pem"),
    "root-and-crls": ("root-ca.pem", "crl-chain.pem"),
    "same-file-twice": ("root-ca.pem", "root-ca.pem"),
    "capath": (),
    "nothing": (),
}


def _loaded(env: Any, source: str) -> Tuple[Any, str]:
    """A context that loaded ``source``, and the text of everything it loaded from files."""
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    for name in SOURCES[source]:
        ctx.load_verify_locations(env.certs.path(name))
    if source == "capath":
        ctx.load_verify_locations(capath=str(env.certs.dir / "capath"))
    return ctx, "".join(env.certs.read(name) for name in SOURCES[source])


def _unique(items: Sequence[Any]) -> List[Any]:
    return list(dict.fromkeys(items))


@table("context/get_ca_certs/{source}/{form}", spec="SSLContext.get_ca_certs", basis="spec",
       cite=lambda row: ("The returned list does not contain certificates from *capath* unless a certificate was "
                         "requested and loaded by a SSL connection." if row["source"] == "capath" else
                         "If the ``binary_form`` parameter is :const:`False` each list entry is a dict like the "
                         "output of :meth:`SSLSocket.getpeercert`. Otherwise the method returns a list of "
                         "DER-encoded certificates."),
       rows=[{"source": s, "form": f} for s in SOURCES for f in ("dict", "binary")], since="3.4")
def ca_certs(env: Any, source: str, form: str) -> None:
    """The CA certificates loaded, each once (the store keeps one copy), in any order."""
    ctx, text = _loaded(env, source)
    names = _unique(ca_names(env, text))
    if form == "binary":
        got = ctx.get_ca_certs(binary_form=True)
        expected = [der_of(pem_blocks(env.certs.read(n))[0]) for n in names]
        expect_true(all(isinstance(d, bytes) for d in got), "binary_form entries are bytes",
                    actual=[type(d).__name__ for d in got])
        expect_equal(sorted(got), sorted(expected), f"get_ca_certs(binary_form=True) after loading {source}")
        return
    got = ctx.get_ca_certs()
    expected_dicts = [as_peercert(env.certs.fixture(n)["peercert"]) for n in names]
    key = repr
    expect_equal(sorted(got, key=key), sorted(expected_dicts, key=key), f"get_ca_certs() after loading {source}")


@table("context/cert_store_stats/{source}", spec="SSLContext.cert_store_stats", basis="spec",
       cite="Get statistics about quantities of loaded X.509 certificates, count of X.509 certificates flagged "
            "as CA certificates and certificate revocation lists as dictionary.",
       rows=[{"source": s} for s in SOURCES], since="3.4")
def store_stats(env: Any, source: str) -> None:
    """Counts derived from the loaded files: distinct certificates, those that are CAs, distinct CRLs.
    A capath's certificates are not loaded until a connection looks one up."""
    ctx, text = _loaded(env, source)
    certs = _unique(der_of(b) for b in pem_blocks(text))
    expected = {"x509": len(certs), "crl": len(_unique(pem_blocks(text, "X509 CRL"))),
                "x509_ca": len(_unique(ca_names(env, text)))}
    got = ctx.cert_store_stats()
    expect_true(isinstance(got, dict), "cert_store_stats() is a dict", actual=type(got).__name__)
    expect_equal(dict(got), expected, f"cert_store_stats() after loading {source}")


# -- the default locations, in a child whose environment names the test root ----------------

_CHILD = CHILD_LOADER + r"""
import json, socket, threading
scenario, cafile, capath, chain, key, timeout = sys.argv[2:8]
timeout = float(timeout)
out = {}


def handshake(ctx):
    # the context verifies a server presenting the test fixture 'server' (its chain file)
    a, b = socket.socketpair()
    a.settimeout(timeout)
    b.settimeout(timeout)
    server = m.SSLContext(m.PROTOCOL_SSLv23)
    server.load_cert_chain(chain, key)

    def serve():
        try:
            server.wrap_socket(b, server_side=True).close()
        except Exception:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        ctx.check_hostname = False
        ctx.verify_mode = m.CERT_REQUIRED
        ctx.wrap_socket(a).close()
        return "ok"
    except Exception as exc:
        return "%s: %s" % (type(exc).__name__, exc)
    finally:
        a.close()
        thread.join(timeout)
        b.close()


try:
    paths = m.get_default_verify_paths()
    os.environ[paths.openssl_cafile_env] = cafile
    os.environ[paths.openssl_capath_env] = capath
    if scenario == "paths":
        now = m.get_default_verify_paths()
        out["fields"] = list(type(now)._fields)
        out["paths"] = [p if p is None or isinstance(p, str) else repr(p) for p in now]
    else:
        if scenario == "create_default_context":
            ctx = m.create_default_context()
        elif scenario == "create_default_context-cadata":
            ctx = m.create_default_context(cadata=sys.argv[8])
        else:
            ctx = m.SSLContext(m.PROTOCOL_SSLv23)
            if scenario == "set_default_verify_paths":
                ctx.set_default_verify_paths()
            elif scenario == "load_default_certs":
                ctx.load_default_certs()
            else:
                ctx.load_default_certs(getattr(m.Purpose, scenario.split("-", 1)[1]))
        out["handshake"] = handshake(ctx)
except Exception as exc:
    out["error"] = "%s: %s" % (type(exc).__name__, exc)
print(json.dumps(out))
"""


def in_child(env: Any, scenario: str, cafile: str, capath: str, *extra: str) -> Dict[str, Any]:
    """Run ``scenario`` of :data:`_CHILD` with the implementation under test, its environment's
    default CA file and directory set to ``cafile`` and ``capath``; its JSON report."""
    cmd = [sys.executable, "-c", _CHILD, env.impl.location, scenario, cafile, capath,
           env.certs.path("server", "chain"), env.certs.path("server", "key"), str(env.timeout), *extra]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=4 * env.timeout, cwd=os.getcwd(), env=env.impl.child_environ())
    except subprocess.TimeoutExpired:
        raise CaseFailure(f"the child running {scenario} did not finish", actual="timeout") from None
    try:
        report = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise CaseFailure(f"the child running {scenario} printed no report",
                          actual=(proc.stderr or proc.stdout)[-300:]) from None
    if "error" in report:
        raise CaseFailure(f"{scenario} raised {report['error']}", actual=report["error"])
    return report


def _empty_dir(env: Any) -> str:
    path = env.tmp_path / "no-certs"
    path.mkdir(exist_ok=True)
    return str(path)


def expect_verified(report: Dict[str, Any], trusted: bool, what: str) -> None:
    """The child's handshake verified the server (``trusted``) or failed verification."""
    got = report["handshake"]
    if trusted:
        expect_equal(got, "ok", f"{what}: a server the test root vouches for is verified")
    else:
        expect_equal(classify(Exception(got)), "certificate-verify-failed",
                     f"{what}: a server the test root vouches for is refused ({got})")


DEFAULT_LOADERS = [
    {"scenario": "set_default_verify_paths", "spec": "SSLContext.set_default_verify_paths", "since": "3.4",
     "cite": "The paths are the same as used by :meth:`SSLContext.set_default_verify_paths`."},
    {"scenario": "load_default_certs", "spec": "SSLContext.load_default_certs", "since": "3.4",
     "cite": "On all systems it calls :meth:`SSLContext.set_default_verify_paths`."},
    {"scenario": "load_default_certs-CLIENT_AUTH", "spec": "SSLContext.load_default_certs", "since": "3.4",
     "cite": "On all systems it calls :meth:`SSLContext.set_default_verify_paths`."},
    {"scenario": "create_default_context", "spec": "create_default_context", "since": "3.4",
     "cite": "or uses :meth:`SSLContext.load_default_certs` to load default CA certificates."},
]


@table("context/{scenario}/loads-the-default-cafile", spec="{spec}", basis="spec", cite=lambda row: row["cite"],
       rows=DEFAULT_LOADERS, since=lambda row: row["since"])
def loads_default_cafile(env: Any, scenario: str, spec: str, since: str, cite: str) -> None:
    """With the documented environment key naming the test root, the default CAs are the test root:
    the context verifies a server the root vouches for."""
    report = in_child(env, scenario, env.certs.path("root-ca.pem"), _empty_dir(env))
    expect_verified(report, True, scenario)


@case("context/create_default_context/ca-arguments-replace-the-defaults", spec="create_default_context",
      basis="spec", cite="either loads CA certificates (when at least one of *cafile*, *capath* or *cadata* is "
                         "given) or uses :meth:`SSLContext.load_default_certs` to load default CA certificates.",
      since="3.4")
def ca_arguments_replace_defaults(env: Any) -> None:
    """Given a CA (an unrelated root), the context does not also trust the default CAs (the test root)."""
    untrusted = env.certs.read("untrusted-root-ca.pem")
    report = in_child(env, "create_default_context-cadata", env.certs.path("root-ca.pem"), _empty_dir(env),
                      untrusted)
    expect_verified(report, False, "create_default_context(cadata=<an unrelated root>)")


VERIFY_PATHS_FIELDS = ["cafile", "capath", "openssl_cafile_env", "openssl_cafile", "openssl_capath_env",
                       "openssl_capath"]


@table("context/get_default_verify_paths/{label}", spec="get_default_verify_paths", basis="spec",
       cite=lambda row: row["cite"], since="3.4", rows=[
           {"label": "names-the-environment-paths", "missing": False,
            "cite": ":attr:`openssl_cafile_env` - OpenSSL's environment key that points to a cafile,"},
           {"label": "None-for-missing-paths", "missing": True,
            "cite": ":attr:`cafile` - resolved path to cafile or ``None`` if the file doesn't exist,"}])
def verify_paths(env: Any, label: str, missing: bool, cite: str) -> None:
    """A named tuple of the documented fields; the environment's paths resolved, or None."""
    cafile, capath = env.certs.path("root-ca.pem"), str(env.certs.dir / "capath")
    if missing:
        cafile, capath = str(env.tmp_path / "no-such-file.pem"), str(env.tmp_path / "no-such-dir")
    report = in_child(env, "paths", cafile, capath)
    expect_equal(report["fields"], VERIFY_PATHS_FIELDS, "DefaultVerifyPaths fields")
    got = dict(zip(report["fields"], report["paths"]))
    expect_equal(got["cafile"], None if missing else cafile, "cafile")
    expect_equal(got["capath"], None if missing else capath, "capath")
    for field in VERIFY_PATHS_FIELDS[2:]:
        expect_true(isinstance(got[field], str) and got[field], f"{field} is a non-empty str", actual=got[field])
