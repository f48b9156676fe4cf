"""SSLContext: construction, attributes, and loading certificates, keys and CAs.

Loading cases do not stop at "no exception": a certificate/key pair that
loads is then used by a server the client verifies against the test root,
so a form that loads the wrong key or drops the chain fails the case.
"""
from __future__ import annotations

import os
import subprocess
import sys
import warnings
from typing import Any, Optional

from ..harness.impls import CHILD_LOADER
from ..harness.loopback import tls_pair
from .helpers import documented, expect_raises
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table

PROTOCOLS = ("SSLv2", "SSLv3", "SSLv23", "TLSv1")


def verified_handshake(env: Any, server_ctx: Any, client_ctx: Any = None) -> Any:
    """Handshake ``server_ctx`` against a client verifying with the test root."""
    if client_ctx is None:
        client_ctx = env.context(trust="root-ca", verify="REQUIRED")
    out = tls_pair(client_ctx, server_ctx, timeout=env.timeout)
    return out


def expect_handshake_ok(env: Any, out: Any, what: str) -> None:
    expect_true(out.ok, f"{what}: the verified handshake completes",
                expected="ok", actual={"client": out.client.describe(), "server": out.server.describe()})


# -- construction and attributes -------------------------------------------

@table("api/SSLContext/protocol-{protocol}", spec="SSLContext",
       basis="spec",
       cite="The protocol version chosen when constructing the context.",
       rows=[{"protocol": p} for p in PROTOCOLS],
       until=lambda row: "3.12" if row["protocol"] == "SSLv2" else None)  # 3.12 dropped PROTOCOL_SSLv2's entry
def construct(env: Any, protocol: str) -> None:
    const = env.const("PROTOCOL_" + protocol)
    ctx = env.ssl.SSLContext(const)
    expect_equal(ctx.protocol, const, f"SSLContext(PROTOCOL_{protocol}).protocol")


def _without_protocol(env: Any) -> Any:
    """``SSLContext()``, its DeprecationWarning (3.10 on) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return env.ssl.SSLContext()


# The protocol argument, edition by edition: required (3.2: "You must pass *protocol*"), optional with
# PROTOCOL_TLS for its default (3.6), and deprecated when left out (3.10).

@case("api/SSLContext/protocol-required", spec="SSLContext",
      basis="cpython",
      cite="CPython before 3.6 raises TypeError for SSLContext() without protocol, which the 3.2 text says "
           "you must pass", until="3.6")
def protocol_required(env: Any) -> None:
    expect_raises(env, TypeError, lambda: _without_protocol(env), "SSLContext() without protocol")


@case("api/SSLContext/protocol-default-PROTOCOL_TLS", spec="SSLContext",
      basis="spec",
      cite="If not specified, the default is :data:`PROTOCOL_TLS`; it provides the most compatibility with "
           "other versions.", since="3.6")
def protocol_default(env: Any) -> Any:
    """``PROTOCOL_TLS`` is ``PROTOCOL_SSLv23``'s value ("Alias for PROTOCOL_TLS"), either name will do."""
    ctx = _without_protocol(env)
    want = getattr(env.ssl, "PROTOCOL_TLS", None)
    want = env.const("PROTOCOL_SSLv23") if want is None else want
    expect_equal(ctx.protocol, want, "SSLContext().protocol")
    return {"protocol": int(ctx.protocol)}


@case("api/SSLContext/no-protocol-deprecated", spec="SSLContext",
      basis="spec", cite=":class:`SSLContext` without protocol argument is deprecated.", since="3.10")
def protocol_omitted_warns(env: Any) -> Any:
    """3.10: "Use of deprecated constants and functions result in deprecation warnings"."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.ssl.SSLContext()
    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    expect_true(deprecations, "SSLContext() without protocol warns (DeprecationWarning)",
                expected="DeprecationWarning", actual=[f"{w.category.__name__}: {w.message}" for w in caught])
    return {"warnings": deprecations}


@case("api/SSLContext.protocol/read-only", spec="SSLContext.protocol",
      basis="cpython",
      cite="CPython refuses assignment to the read-only protocol with AttributeError; the spec names no "
           "exception")
def protocol_read_only(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    other = env.const("PROTOCOL_TLSv1")
    expect_raises(env, AttributeError, lambda: setattr(ctx, "protocol", other), "assigning protocol")
    expect_equal(ctx.protocol, env.const("PROTOCOL_SSLv23"), "protocol after a refused assignment")


@case("api/SSLContext.verify_mode/default-CERT_NONE", spec="SSLContext.verify_mode",
      basis="spec",
      cite="In this mode (the default), no certificates will be required from the other side of the "
           "socket connection.")
def verify_default(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_equal(ctx.verify_mode, env.const("CERT_NONE"), "verify_mode of a new context")


@table("api/SSLContext.verify_mode/set-{mode}", spec="SSLContext.verify_mode",
       basis="spec",
       cite="This attribute must be one of :data:`CERT_NONE`, :data:`CERT_OPTIONAL` or "
            ":data:`CERT_REQUIRED`.",
       rows=[{"mode": m} for m in ("CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED")])
def verify_set(env: Any, mode: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.verify_mode = env.const(mode)
    expect_equal(ctx.verify_mode, env.const(mode), f"verify_mode after assigning {mode}")


@table("api/SSLContext.verify_mode/invalid-{label}", spec="SSLContext.verify_mode",
       basis="cpython",
       cite="CPython raises ValueError for a verify_mode that is not a CERT_* value; the spec names no "
            "exception",
       rows=[{"label": "42", "value": 42}, {"label": "negative", "value": -1}])
def verify_invalid(env: Any, label: str, value: int) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, ValueError, lambda: setattr(ctx, "verify_mode", value), f"verify_mode = {value}")
    expect_equal(ctx.verify_mode, env.const("CERT_NONE"), "verify_mode after a refused assignment")


@case("api/SSLContext.options/default-includes-OP_ALL", spec="SSLContext.options",
      basis="spec",
      cite="An integer representing the set of SSL options enabled on this context. The default value is "
           ":data:`OP_ALL`")
def options_default(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    op_all = int(env.const("OP_ALL"))
    expect_true(isinstance(ctx.options, int), "options is an int", actual=type(ctx.options).__name__)
    expect_equal(hex(int(ctx.options) & op_all), hex(op_all), "OP_ALL bits in a new context's options")


# A new context's options, edition by edition: OP_ALL until 3.5 ("The default value is OP_ALL, but you
# can specify other options such as OP_NO_SSLv2 by ORing them together": OP_NO_SSLv3 is one a program
# ORs in), 3.6's secure set from then on.  OP_NO_COMPRESSION is not looked at before 3.6: OpenSSL >= 1.1
# sets it in every context by itself.

@case("api/SSLContext.options/default-leaves-SSLv3-alone", spec="SSLContext.options",
      basis="spec",
      cite="The default value is :data:`OP_ALL`, but you can specify other options such as "
           ":data:`OP_NO_SSLv2` by ORing them together.", until="3.6")
def options_default_op_all(env: Any) -> Any:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    bit = int(env.const("OP_NO_SSLv3"))
    expect_equal(hex(int(ctx.options) & bit), hex(0), "OP_NO_SSLv3 in a new context's options")
    return {"options": hex(int(ctx.options))}


SECURE_DEFAULTS = ("OP_NO_COMPRESSION", "OP_CIPHER_SERVER_PREFERENCE", "OP_SINGLE_DH_USE", "OP_SINGLE_ECDH_USE",
                   "OP_NO_SSLv2", "OP_NO_SSLv3")


@case("api/SSLContext.options/default-secure-options", spec="SSLContext.options",
      basis="spec",
      cite="The options :data:`OP_NO_COMPRESSION`, :data:`OP_CIPHER_SERVER_PREFERENCE`, "
           ":data:`OP_SINGLE_DH_USE`, :data:`OP_SINGLE_ECDH_USE`, :data:`OP_NO_SSLv2`, and :data:`OP_NO_SSLv3` "
           "(except for :data:`PROTOCOL_SSLv3`) are set by default.", since="3.6")
def options_default_secure(env: Any) -> Any:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    options = int(ctx.options)
    missing = [name for name in SECURE_DEFAULTS if options & int(documented(env, name)) != int(documented(env, name))]
    expect_true(not missing, "a new context sets 3.6's secure default options", expected=list(SECURE_DEFAULTS),
                actual={"options": hex(options), "missing": missing})
    return {"options": hex(options)}


@table("api/SSLContext.options/set-clear-{option}", spec="SSLContext.options",
       basis="spec",
       cite="you can specify other options such as :data:`OP_NO_SSLv2` by ORing them together.",
       rows=[{"option": o} for o in ("OP_NO_SSLv2", "OP_NO_SSLv3", "OP_NO_TLSv1")])
def options_set_clear(env: Any, option: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    bit = int(env.const(option))
    ctx.options |= bit
    expect_equal(int(ctx.options) & bit, bit, f"{option} after setting it")
    before = int(ctx.options)
    if bit == 0:
        return  # a no-op option (SSLv2 gone from OpenSSL); setting it must still work
    try:
        ctx.options &= ~bit
    except ValueError:
        info = tuple(getattr(env.ssl, "OPENSSL_VERSION_INFO", (9,)))
        expect_true(info < (0, 9, 8, 13), "ValueError on clearing an option is allowed only before OpenSSL 0.9.8m",
                    expected="option cleared", actual=f"ValueError with OpenSSL {info}")
        return
    expect_equal(int(ctx.options) & bit, 0, f"{option} after clearing it")
    expect_equal(int(ctx.options) | bit, before, "clearing one option leaves the others alone")


# -- set_ciphers ------------------------------------------------------------

@table("api/SSLContext.set_ciphers/accepts-{label}", spec="SSLContext.set_ciphers",
       basis="spec",
       cite="It should be a string in the `OpenSSL cipher list format",
       rows=[{"label": "DEFAULT", "ciphers": "DEFAULT"}, {"label": "HIGH", "ciphers": "HIGH"},
             {"label": "exclusions", "ciphers": "HIGH:!aNULL:!eNULL:!MD5"}])
def ciphers_ok(env: Any, label: str, ciphers: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.set_ciphers(ciphers)


@table("api/SSLContext.set_ciphers/none-selectable-{label}", spec="SSLContext.set_ciphers",
       basis="spec",
       cite="If no cipher can be selected (because compile-time options or other configuration forbids "
            "use of all the specified ciphers), an :class:`SSLError` will be raised.",
       rows=[{"label": "unknown-name", "ciphers": "NO-SUCH-CIPHER"}, {"label": "empty", "ciphers": ""},
             {"label": "all-excluded", "ciphers": "!ALL"}, {"label": "null-then-excluded", "ciphers": "eNULL:!eNULL"}])
def ciphers_none(env: Any, label: str, ciphers: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, env.ssl.SSLError, lambda: ctx.set_ciphers(ciphers), f"set_ciphers({ciphers!r})")


# -- load_cert_chain ----------------------------------------------------------

LOAD_FORMS = [
    {"form": "combined", "name": "server", "certfile": "combined", "keyfile": None},
    {"form": "chain-and-key", "name": "server", "certfile": "chain", "keyfile": "key"},
    {"form": "chain-and-key-rsa", "name": "server-rsa", "certfile": "chain", "keyfile": "key"},
    {"form": "traditional-rsa-key", "name": "server-rsa", "certfile": "chain", "keyfile": "server-rsa.traditional.key"},
    {"form": "traditional-rsa-combined", "name": "server-rsa", "certfile": "server-rsa-traditional-combined.pem",
     "keyfile": None},
    {"form": "keywords", "name": "server", "certfile": "chain", "keyfile": "key", "by_name": True},
]


def _file(env: Any, name: str, role: Optional[str]) -> Optional[str]:
    if role is None:
        return None
    return env.certs.path(role) if "." in role else env.certs.path(name, role)


@table("api/SSLContext.load_cert_chain/{form}", spec="SSLContext.load_cert_chain",
       basis="spec",
       cite="Otherwise the private key will be taken from *certfile* as well.", rows=LOAD_FORMS)
def load_form(env: Any, form: str, name: str, certfile: str, keyfile: Optional[str], by_name: bool = False) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    cf, kf = _file(env, name, certfile), _file(env, name, keyfile)
    if by_name:
        ctx.load_cert_chain(certfile=cf, keyfile=kf)
    elif kf is None:
        ctx.load_cert_chain(cf)
    else:
        ctx.load_cert_chain(cf, kf)
    out = verified_handshake(env, ctx)
    expect_handshake_ok(env, out, f"server loaded with {form}")
    expect_equal(out.client.peercert_der, _der(env, name), "certificate the client received")


def _der(env: Any, name: str) -> bytes:
    return env.ssl.PEM_cert_to_DER_cert(env.certs.read(name))


@case("api/SSLContext.load_cert_chain/leaf-only-needs-chain", spec="SSLContext.load_cert_chain",
      basis="spec",
      cite="containing the certificate as well as any number of CA certificates needed to establish the "
           "certificate's authenticity.")
def leaf_without_chain(env: Any) -> None:
    """A leaf loaded without its intermediate fails verification against the root alone."""
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.load_cert_chain(env.certs.path("server"), env.certs.path("server", "key"))
    out = verified_handshake(env, ctx)
    expect_equal(out.client.reason, "certificate-verify-failed",
                 f"client verifying a server that sent no intermediate ({out.client.describe()})")


@table("api/SSLContext.load_cert_chain/key-mismatch-{label}", spec="SSLContext.load_cert_chain",
       basis="spec",
       cite="An :class:`SSLError` is raised if the private key doesn't match with the certificate.",
       rows=[{"label": "fixture", "cert": "key-mismatch.pem", "key": "key-mismatch.key"},
             {"label": "other-leaf-key", "cert": "server.pem", "key": "client.key"},
             {"label": "rsa-cert-ec-key", "cert": "server-rsa.pem", "key": "server.key", "reason": None}])
def key_mismatch(env: Any, label: str, cert: str, key: str, reason: Optional[str] = "key-mismatch") -> None:
    """A key that does not belong to the certificate is refused with SSLError.

    A key of another *type* (EC key, RSA certificate) is reported by OpenSSL
    as "no certificate assigned" (it fills a different key slot), so only
    SSLError is required there, not the key-mismatch category.
    """
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, env.ssl.SSLError,
                   lambda: ctx.load_cert_chain(env.certs.path(cert), env.certs.path(key)),
                   f"load_cert_chain({cert}, {key})", reason=reason)


@table("api/SSLContext.load_cert_chain/bad-certfile-{label}", spec="SSLContext.load_cert_chain",
       basis="cpython",
       cite="CPython raises SSLError (PEM lib) for a certfile with no usable PEM certificate; the spec "
            "names no error",
       rows=[{"label": n} for n in ("malformed-truncated", "malformed-badbase64", "malformed-wrong-armor", "empty")])
def bad_certfile(env: Any, label: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, env.ssl.SSLError,
                   lambda: ctx.load_cert_chain(env.certs.path(label), env.certs.path("server", "key")),
                   f"load_cert_chain with {label}.pem", reason="bad-certificate-file")


@case("api/SSLContext.load_cert_chain/no-key-anywhere", spec="SSLContext.load_cert_chain",
      basis="cpython",
      cite="CPython raises SSLError (PEM lib) when neither file holds a key; the spec names no error")
def no_key(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, env.ssl.SSLError, lambda: ctx.load_cert_chain(env.certs.path("server", "chain")),
                   "load_cert_chain(certfile without a key, no keyfile)")


@table("api/SSLContext.load_cert_chain/missing-{which}", spec="SSLContext.load_cert_chain",
       basis="cpython",
       cite="CPython raises FileNotFoundError (an OSError) for a file that does not exist",
       rows=[{"which": "certfile"}, {"which": "keyfile"}])
def missing_file(env: Any, which: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    nowhere = str(env.tmp_path / "does-not-exist.pem")
    args = (nowhere, env.certs.path("server", "key")) if which == "certfile" else (env.certs.path("server", "chain"), nowhere)
    expect_raises(env, OSError, lambda: ctx.load_cert_chain(*args), f"load_cert_chain with a missing {which}",
                   reason="bad-certificate-file")


_NO_PASSWORD = CHILD_LOADER + """
ctx = m.SSLContext(m.PROTOCOL_SSLv23)
try:
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
except m.SSLError as exc:
    print("SSLError", exc)
except OSError as exc:
    print("OSError", type(exc).__name__, exc)
except Exception as exc:
    print(type(exc).__name__, exc)
else:
    print("loaded")
"""


@case("api/SSLContext.load_cert_chain/encrypted-key-no-password", spec="SSLContext.load_cert_chain",
      basis="cpython",
      cite="CPython fails to load an encrypted key without a password with SSLError or OSError (EINVAL "
           "from the failed prompt)")
def encrypted_without_password(env: Any) -> None:
    """The 3.2 API has no password argument: an encrypted key cannot be loaded.

    The load must fail with an error of the ``socket.error`` family (SSLError
    is one): CPython reports the failed terminal prompt as ``OSError``
    (EINVAL) rather than SSLError, which the spec does not rule out.

    OpenSSL's default would prompt on the controlling terminal, so this runs
    in a child process without one (new session, stdin closed).
    """
    cmd = [sys.executable, "-c", _NO_PASSWORD, env.impl.location,
           env.certs.path("encrypted", "chain"), env.certs.path("encrypted", "key")]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=4 * env.timeout, start_new_session=True, cwd=os.getcwd(),
                              env=env.impl.child_environ())
    except subprocess.TimeoutExpired:
        raise CaseFailure("loading an encrypted key without a password did not return",
                          expected="SSLError", actual="hung (waiting for a password?)") from None
    first = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-200:]])[0]
    expect_true(first.startswith(("SSLError", "OSError")),
                "load_cert_chain(chain, encrypted key) raises SSLError (or another OSError)",
                expected="SSLError", actual=first)
