"""SSLContext.load_verify_locations: the forms of trusted-CA input, and its errors.

Each accepted form is proven by use: a client holding only what was loaded
verifies the ``server`` fixture (which sends its intermediate), and a
client trusting the wrong root must fail with "certificate verify failed".
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from ..harness.loopback import tls_pair
from ..harness.registry import case, expect_equal, expect_true, table
from .helpers import expect_raises
from .decode import as_peercert

SPEC = "SSLContext.load_verify_locations"

#: The spec's sentence for what each verify mode asks of the peer's certificate.
VERIFY_MODE_CITES = {
    "NONE": "In this mode (the default), no certificates will be required from the other side of the "
            "socket connection. If a certificate is received from the other end, no attempt to validate it "
            "is made.",
    "OPTIONAL": "In this mode no certificates will be required from the other side of the socket connection; "
                "but if they are provided, validation will be attempted and an :class:`SSLError` will be "
                "raised on failure.",
    "REQUIRED": "In this mode, certificates are required from the other side of the socket connection; an "
                ":class:`SSLError` will be raised if no certificate is provided, or if its validation fails.",
}


def _client(env: Any, verify: str = "REQUIRED") -> Any:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.verify_mode = env.const("CERT_" + verify)
    return ctx


def _path(env: Any, what: Optional[str]) -> Optional[str]:
    if what is None:
        return None
    if what == "capath" or what == "capath-untrusted":
        return str(env.certs.dir / what)
    return env.certs.path(what)


FORMS = [
    {"form": "cafile-positional", "cafile": "root-ca.pem", "capath": None, "call": "positional", "ok": True},
    {"form": "cafile-keyword", "cafile": "root-ca.pem", "capath": None, "call": "keyword", "ok": True},
    {"form": "bundle-root-not-first", "cafile": "ca-bundle.pem", "capath": None, "call": "keyword", "ok": True},
    {"form": "capath-keyword", "cafile": None, "capath": "capath", "call": "keyword", "ok": True},
    {"form": "capath-positional", "cafile": None, "capath": "capath", "call": "positional", "ok": True},
    {"form": "cafile-and-capath", "cafile": "root-ca.pem", "capath": "capath", "call": "keyword", "ok": True},
    {"form": "wrong-root-cafile", "cafile": "untrusted-root-ca.pem", "capath": None, "call": "keyword", "ok": False},
    {"form": "wrong-root-capath", "cafile": None, "capath": "capath-untrusted", "call": "keyword", "ok": False},
    {"form": "intermediate-only", "cafile": "intermediate-ca.pem", "capath": None, "call": "keyword", "ok": None},
]


@table("api/SSLContext.load_verify_locations/{form}", spec=SPEC,
       basis="spec",
       cite="Load a set of \"certification authority\" (CA) certificates used to validate other peers' "
            "certificates when :data:`verify_mode` is other than :data:`CERT_NONE`.", rows=FORMS)
def verify_form(env: Any, form: str, cafile: Optional[str], capath: Optional[str], call: str,
                ok: Optional[bool]) -> None:
    """``ok=None``: trusting only the intermediate may or may not anchor a chain
    (OpenSSL needs X509_V_FLAG_PARTIAL_CHAIN), so only "no crash, a clear
    verify verdict" is required there."""
    client = _client(env)
    cf, cp = _path(env, cafile), _path(env, capath)
    if call == "positional":
        client.load_verify_locations(cf, cp) if cp is not None else client.load_verify_locations(cf)
    else:
        kwargs = {k: v for k, v in (("cafile", cf), ("capath", cp)) if v is not None}
        client.load_verify_locations(**kwargs)
    out = tls_pair(client, env.context(cert="server"), timeout=env.timeout)
    if ok is None:
        expect_true(out.client.ok or out.client.reason == "certificate-verify-failed",
                    "trusting the intermediate alone either verifies or fails verification",
                    actual=out.client.describe())
    elif ok:
        expect_true(out.ok, f"verified handshake with {form}", expected="ok",
                    actual={"client": out.client.describe(), "server": out.server.describe()})
        expect_true(isinstance(out.client.peercert, dict) and "subject" in out.client.peercert,
                    "a validated peer certificate is returned as a dict with subject",
                    actual=out.client.peercert)
    else:
        expect_equal(out.client.reason, "certificate-verify-failed",
                     f"client trusting {cafile or capath} ({out.client.describe()})")


@case("api/SSLContext.load_verify_locations/empty-capath-verifies-nothing", spec=SPEC,
      basis="spec",
      cite="the path to a directory containing several CA certificates in PEM format")
def empty_capath(env: Any) -> None:
    client = _client(env)
    client.load_verify_locations(capath=str(env.tmp_path))
    out = tls_pair(client, env.context(cert="server"), timeout=env.timeout)
    expect_equal(out.client.reason, "certificate-verify-failed", f"empty capath ({out.client.describe()})")


@case("api/SSLContext.load_verify_locations/neither-TypeError", spec=SPEC,
      basis="cpython",
      cite="CPython raises TypeError when neither cafile nor capath is given; the spec says one must be, "
           "naming no exception")
def neither(env: Any) -> None:
    client = _client(env)
    expect_raises(env, TypeError, lambda: client.load_verify_locations(), "load_verify_locations()")
    expect_raises(env, TypeError, lambda: client.load_verify_locations(None, None),
                   "load_verify_locations(None, None)")


@case("api/SSLContext.load_verify_locations/missing-cafile", spec=SPEC,
      basis="cpython",
      cite="CPython raises FileNotFoundError (an OSError) for a cafile that does not exist")
def missing(env: Any) -> None:
    client = _client(env)
    nowhere = str(env.tmp_path / "no-such-ca.pem")
    expect_raises(env, OSError, lambda: client.load_verify_locations(nowhere),
                   "load_verify_locations(missing file)", reason="bad-certificate-file")


@table("api/SSLContext.load_verify_locations/bad-cafile-{label}", spec=SPEC,
       basis="cpython",
       cite="CPython raises SSLError for a cafile without a usable PEM certificate; the spec names no error",
       rows=[{"label": n} for n in ("malformed-truncated", "malformed-badbase64", "malformed-wrong-armor", "empty")])
def bad_cafile(env: Any, label: str) -> None:
    client = _client(env)
    expect_raises(env, env.ssl.SSLError, lambda: client.load_verify_locations(env.certs.path(label)),
                   f"load_verify_locations({label}.pem)")


#: a server's verify modes that ask the client for a certificate
ASKING_MODES = ({"mode": "OPTIONAL"}, {"mode": "REQUIRED"})


def _per_asking_mode(id_template: str, rows: Iterable[Mapping[str, Any]] = ASKING_MODES) -> Callable:
    """A table of one case per row of a server's asking verify mode, cited by that mode's sentence."""
    return table(id_template, spec="CERT_{mode}", basis="spec", cite=lambda row: VERIFY_MODE_CITES[row["mode"]],
                 rows=rows)


def _asking_server(env: Any, mode: str) -> Any:
    """A server context with the ``server`` fixture that validates client certificates under ``root-ca``."""
    return env.context(cert="server", trust="root-ca", verify=mode)


@_per_asking_mode("api/CERT_{mode}/no-client-cert-{mode}",
                  rows=[{"mode": "OPTIONAL", "ok": True}, {"mode": "REQUIRED", "ok": False}])
def server_without_client_cert(env: Any, mode: str, ok: bool) -> None:
    """A server asking for client certificates: OPTIONAL accepts a client
    without one (and sees ``None``), REQUIRED refuses it."""
    server = _asking_server(env, mode)
    out = tls_pair(env.context(), server, timeout=env.timeout)
    if ok:
        expect_true(out.ok, "handshake without a client certificate", actual=out.server.describe())
        expect_equal(out.server.peercert, None, "server's getpeercert() with no client certificate")
    else:
        expect_true(not out.server.ok, "server requiring a certificate refuses a client without one",
                    expected="refused", actual=out.server.describe())
        expect_equal(out.server.reason, "certificate-required", "server's reason")


@_per_asking_mode("api/CERT_{mode}/client-cert-validated-{mode}")
def server_with_client_cert(env: Any, mode: str) -> None:
    server = _asking_server(env, mode)
    out = tls_pair(env.context(cert="client"), server, timeout=env.timeout)
    expect_true(out.ok, "handshake with a valid client certificate", actual=out.server.describe())
    expect_equal(out.server.peercert, _peercert(env, "client"), "server's view of the client certificate")


@_per_asking_mode("api/CERT_{mode}/client-cert-untrusted-{mode}")
def server_untrusted_client_cert(env: Any, mode: str) -> None:
    server = _asking_server(env, mode)
    out = tls_pair(env.context(cert="untrusted-leaf"), server, timeout=env.timeout)
    expect_true(not out.server.ok, f"CERT_{mode} server refuses a client certificate that does not validate",
                expected="refused", actual=out.server.describe())
    expect_equal(out.server.reason, "certificate-verify-failed", "server's reason")


@case("api/CERT_NONE/server-ignores-client-cert", spec="CERT_NONE",
      basis="spec",
      cite=VERIFY_MODE_CITES["NONE"])
def server_ignores(env: Any) -> None:
    out = tls_pair(env.context(cert="untrusted-leaf"), env.context(cert="server"), timeout=env.timeout)
    expect_true(out.ok, "CERT_NONE server accepts any client", actual=out.server.describe())
    expect_equal(out.server.peercert, None, "a CERT_NONE server does not request a client certificate")


def _peercert(env: Any, name: str) -> Any:
    return as_peercert(env.certs.fixture(name)["peercert"])
