"""``PROTOCOL_TLS``, the role-bound ``PROTOCOL_TLS_CLIENT`` / ``_SERVER`` (3.6), and ``create_default_context`` (3.4).

* ``context/PROTOCOL_*/...``: each protocol's documented defaults
  (``verify_mode``, ``check_hostname``), then the two role-bound protocols on
  a connection with nothing configured but a CA and a certificate: the
  client verifies by default, the server asks for no client certificate.
* ``context/create_default_context/...``: the documented settings, one row
  per span where an edition changed them (the protocol in 3.10, the verify
  flags in 3.13), the trust arguments proven by use, and 3.13's partial
  chains on a connection.  Whether it loads the default CAs when given none
  is checked in ``conformance.cases.castore`` (in a child process).

Only the defaults of ``check_hostname`` are checked here; what it does is
the hostname cases' business.
"""
from __future__ import annotations

import socket
from typing import Any, Dict, Optional

from ..harness.loopback import tls_pair
from ..harness.registry import case, expect_equal, expect_true, table
from ..judge import oracle, verifyflags as vf
from .castore import cadata_of
from .helpers import expect_raises
from .judging import chain_of, judge_pair, observed, oracle_side

CLIENT_CITE = ("The protocol enables :data:`CERT_REQUIRED` and :attr:`~SSLContext.check_hostname` by default.")

#: protocol suffix -> (default verify_mode, default check_hostname)
PROTOCOL_DEFAULTS = {"TLS": ("CERT_NONE", False), "TLS_CLIENT": ("CERT_REQUIRED", True),
                     "TLS_SERVER": ("CERT_NONE", False)}


@table("context/PROTOCOL_{protocol}/verify_mode-default", spec="PROTOCOL_{protocol}", basis="spec",
       cite=lambda row: CLIENT_CITE if row["protocol"] == "TLS_CLIENT" else
       "Except for :const:`PROTOCOL_TLS_CLIENT`, it is the default mode.",
       rows=[{"protocol": p} for p in PROTOCOL_DEFAULTS], since="3.6")
def verify_mode_default(env: Any, protocol: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_" + protocol))
    expect_equal(ctx.verify_mode, env.const(PROTOCOL_DEFAULTS[protocol][0]), f"verify_mode of PROTOCOL_{protocol}")


@table("context/PROTOCOL_{protocol}/check_hostname-default", spec="PROTOCOL_{protocol}", basis="spec",
       cite=lambda row: CLIENT_CITE if row["protocol"] == "TLS_CLIENT" else
       "With other protocols, hostname checking must be enabled explicitly.",
       rows=[{"protocol": p} for p in PROTOCOL_DEFAULTS], since="3.6")
def check_hostname_default(env: Any, protocol: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_" + protocol))
    expect_equal(ctx.check_hostname, PROTOCOL_DEFAULTS[protocol][1], f"check_hostname of PROTOCOL_{protocol}")


@case("context/PROTOCOL_SSLv23/alias-of-PROTOCOL_TLS", spec="PROTOCOL_SSLv23", basis="spec",
      cite="Alias for :data:`PROTOCOL_TLS`.", since="3.6")
def sslv23_alias(env: Any) -> None:
    expect_equal(env.const("PROTOCOL_SSLv23"), env.const("PROTOCOL_TLS"), "PROTOCOL_SSLv23")


#: what the server presents -> whether the client trusts its chain (the oracle decides)
PRESENTS = ("server", "untrusted-leaf")


@table("context/PROTOCOL_TLS_CLIENT+PROTOCOL_TLS_SERVER/server={presents}", spec="PROTOCOL_TLS_CLIENT",
       basis="spec", cite=CLIENT_CITE, rows=[{"presents": p} for p in PRESENTS], since="3.6", pair=True)
def role_pair(env: Any, presents: str) -> Dict[str, Any]:
    """Left at their defaults, a TLS_CLIENT client verifies the server (it trusts the test root) and a
    TLS_SERVER server asks for no client certificate, though the client has one."""
    senv = env.peer or env
    client = env.ssl.SSLContext(env.const("PROTOCOL_TLS_CLIENT"))
    client.load_verify_locations(env.certs.path("root-ca"))
    client.load_cert_chain(env.certs.path("client", "chain"), env.certs.path("client", "key"))
    server = senv.ssl.SSLContext(senv.const("PROTOCOL_TLS_SERVER"))
    server.load_cert_chain(senv.certs.path(presents, "chain"), senv.certs.path(presents, "key"))
    verdict = oracle.expect(
        oracle_side(env, "SSLv23", "default", verify="REQUIRED", trusts=frozenset({"root-ca"}),
                    cert=chain_of(env.certs, "client", "chain")),
        oracle_side(senv, "SSLv23", "default", cert=chain_of(env.certs, presents, "chain")))
    out = tls_pair(client, server, server_hostname="localhost", timeout=env.timeout)
    judge_pair(verdict, out, env.ssl, senv.ssl, f"TLS_CLIENT {env.impl.name} to TLS_SERVER {senv.impl.name} "
               f"presenting {presents}")
    return observed(verdict, out, f"{env.impl.name} TLS_CLIENT", f"{senv.impl.name} TLS_SERVER")


@table("context/PROTOCOL_{protocol}/no-{other}-sockets", spec="PROTOCOL_{protocol}", basis="cpython",
       cite="CPython refuses to wrap a socket of the other role with SSLError (\"Cannot create a server socket "
            "with a PROTOCOL_TLS_CLIENT context\")",
       rows=[{"protocol": "TLS_CLIENT", "other": "server"}, {"protocol": "TLS_SERVER", "other": "client"}],
       since="3.6")
def wrong_role(env: Any, protocol: str, other: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_" + protocol))
    if protocol == "TLS_CLIENT":
        ctx.check_hostname = False  # so that nothing but the role is in the way
    a, b = socket.socketpair()
    for s in (a, b):
        s.settimeout(env.timeout)
        env.cleanup(s.close)
    expect_raises(env, env.ssl.SSLError,
                  lambda: env.cleanup(ctx.wrap_socket(a, server_side=other == "server",
                                                      do_handshake_on_connect=False).close),
                  f"wrapping a {other} socket with a PROTOCOL_{protocol} context")


# -- create_default_context -------------------------------------------------------------

PURPOSES = ("SERVER_AUTH", "CLIENT_AUTH")
PROTOCOL_CITE = ("The context now uses :data:`PROTOCOL_TLS_CLIENT` or :data:`PROTOCOL_TLS_SERVER` protocol "
                 "instead of generic :data:`PROTOCOL_TLS`.")
FLAGS_CITE = ("The context now uses :data:`VERIFY_X509_PARTIAL_CHAIN` and :data:`VERIFY_X509_STRICT` in its "
              "default verify flags.")
SETTINGS_CITE = ("The settings are: :data:`PROTOCOL_TLS_CLIENT` or :data:`PROTOCOL_TLS_SERVER`, "
                 ":data:`OP_NO_SSLv2`, and :data:`OP_NO_SSLv3` with high encryption cipher suites without RC4 "
                 "and without unauthenticated cipher suites.")


def default_context(env: Any, purpose: str = "SERVER_AUTH", **kwargs: Any) -> Any:
    return env.ssl.create_default_context(getattr(env.const("Purpose"), purpose), **kwargs)


@table("context/create_default_context/{purpose}/returns-SSLContext", spec="create_default_context",
       basis="spec", cite="Return a new :class:`SSLContext` object with default settings for the given *purpose*.",
       rows=[{"purpose": p} for p in PURPOSES], since="3.4")
def returns_context(env: Any, purpose: str) -> None:
    ctx, other = default_context(env, purpose), default_context(env, purpose)
    expect_true(isinstance(ctx, env.ssl.SSLContext), "create_default_context() returns an SSLContext",
                actual=type(ctx).__name__)
    expect_true(ctx is not other, "each call returns a new context")


PROTOCOL_ROWS = [{"purpose": p, "protocol": "SSLv23", "since": "3.4", "until": "3.10"} for p in PURPOSES] + [
    {"purpose": "SERVER_AUTH", "protocol": "TLS_CLIENT", "since": "3.10", "until": None},
    {"purpose": "CLIENT_AUTH", "protocol": "TLS_SERVER", "since": "3.10", "until": None}]


@table("context/create_default_context/{purpose}/protocol-PROTOCOL_{protocol}", spec="create_default_context",
       basis="spec", cite=PROTOCOL_CITE, rows=PROTOCOL_ROWS, since=lambda row: row["since"],
       until=lambda row: row["until"])
def default_protocol(env: Any, purpose: str, protocol: str, since: str, until: Optional[str]) -> None:
    expect_equal(default_context(env, purpose).protocol, env.const("PROTOCOL_" + protocol),
                 f"protocol of create_default_context(Purpose.{purpose})")


@table("context/create_default_context/{purpose}/{attribute}", spec="create_default_context",
       basis=lambda row: row["basis"], cite=lambda row: row["cite"], since="3.4", rows=[
           {"purpose": "SERVER_AUTH", "attribute": "verify_mode", "value": "CERT_REQUIRED", "basis": "spec",
            "cite": "Passing :const:`~Purpose.SERVER_AUTH` as *purpose* sets :data:`~SSLContext.verify_mode` "
                    "to :data:`CERT_REQUIRED`"},
           {"purpose": "SERVER_AUTH", "attribute": "check_hostname", "value": True, "basis": "spec",
            "cite": "It will load the system's trusted CA certificates, enable certificate validation and "
                    "hostname checking, and try to choose reasonably secure protocol and cipher settings."},
           {"purpose": "CLIENT_AUTH", "attribute": "verify_mode", "value": "CERT_NONE", "basis": "cpython",
            "cite": "CPython's create_default_context(Purpose.CLIENT_AUTH) leaves verify_mode at CERT_NONE: "
                    "a server asks for client certificates only when told to"},
           {"purpose": "CLIENT_AUTH", "attribute": "check_hostname", "value": False, "basis": "cpython",
            "cite": "CPython's create_default_context(Purpose.CLIENT_AUTH) leaves check_hostname off"}])
def default_attribute(env: Any, purpose: str, attribute: str, value: Any, basis: str, cite: str) -> None:
    expected = env.const(value) if isinstance(value, str) else value
    expect_equal(getattr(default_context(env, purpose), attribute), expected,
                 f"{attribute} of create_default_context(Purpose.{purpose})")


@table("context/create_default_context/{purpose}/options-OP_NO_SSLv2-OP_NO_SSLv3", spec="create_default_context",
       basis="spec", cite=SETTINGS_CITE, rows=[{"purpose": p} for p in PURPOSES], since="3.4")
def default_options(env: Any, purpose: str) -> None:
    bits = int(env.const("OP_NO_SSLv2")) | int(env.const("OP_NO_SSLv3"))
    expect_equal(hex(int(default_context(env, purpose).options) & bits), hex(bits), "OP_NO_SSLv2|OP_NO_SSLv3 bits")


@table("context/create_default_context/{purpose}/ciphers-high-no-RC4-authenticated", spec="create_default_context",
       basis="spec", cite=SETTINGS_CITE, rows=[{"purpose": p} for p in PURPOSES], since="3.6")
def default_ciphers(env: Any, purpose: str) -> None:
    """Every enabled cipher (``get_ciphers``, 3.6) encrypts with 128 bits or more, is no RC4, and authenticates."""
    weak = [c.get("name") for c in default_context(env, purpose).get_ciphers()
            if "RC4" in str(c.get("name")) or c.get("auth") == "auth-null" or c.get("symmetric") is None
            or not isinstance(c.get("strength_bits"), int) or c["strength_bits"] < 128]
    expect_equal(weak, [], "ciphers of create_default_context() that are weak, RC4 or unauthenticated")


FLAG_ROWS = [{"flag": f, "state": "off", "since": s, "until": "3.13"}
             for f, s in (("VERIFY_X509_STRICT", "3.4"), ("VERIFY_X509_PARTIAL_CHAIN", "3.10"))] + [
    {"flag": f, "state": "on", "since": "3.13", "until": None}
    for f in ("VERIFY_X509_STRICT", "VERIFY_X509_PARTIAL_CHAIN")]


@table("context/create_default_context/verify_flags/{flag}-{state}", spec="create_default_context",
       basis="spec", cite=FLAGS_CITE, rows=FLAG_ROWS, since=lambda row: row["since"], until=lambda row: row["until"])
def default_flags(env: Any, flag: str, state: str, since: str, until: Optional[str]) -> None:
    bit = int(env.const(flag))
    expect_equal(int(default_context(env).verify_flags) & bit, bit if state == "on" else 0,
                 f"{flag} in create_default_context().verify_flags")


@table("context/create_default_context/trusts-the-intermediate-alone/{state}", spec="create_default_context",
       basis="spec", cite=FLAGS_CITE, since=lambda row: row["since"], until=lambda row: row["until"], pair=True,
       rows=[{"state": "partial-chain", "since": "3.13", "until": None},
             {"state": "whole-chain", "since": "3.4", "until": "3.13"}])
def default_partial_chain(env: Any, state: str, since: str, until: Optional[str]) -> Dict[str, Any]:
    """Trusting only the intermediate CA, the 3.13 context verifies a server sending only its leaf;
    before 3.13 the chain must reach a root."""
    senv = env.peer or env
    client = default_context(env, cafile=env.certs.path("intermediate-ca"))
    server = senv.context(certfile=senv.certs.path("server"), keyfile=senv.certs.path("server", "key"))
    trusts = frozenset({"intermediate-ca"})
    chain = chain_of(env.certs, "server", "cert")
    if state == "partial-chain":
        chain = vf.anchored(chain, trusts)
    verdict = oracle.expect(oracle.Side(verify="REQUIRED", trusts=trusts), oracle.Side(cert=chain))
    out = tls_pair(client, server, server_hostname="localhost", timeout=env.timeout)
    judge_pair(verdict, out, env.ssl, senv.ssl, f"create_default_context(cafile=intermediate) of {env.impl.name} "
               f"to a {senv.impl.name} server sending its leaf alone")
    return observed(verdict, out, env.impl.name, senv.impl.name)


#: how the CAs are given -> (keyword, what is passed, the fixture it trusts)
TRUST_FORMS = {
    "cafile": lambda env: {"cafile": env.certs.path("root-ca")},
    "capath": lambda env: {"capath": str(env.certs.dir / "capath")},
    "cadata-pem": lambda env: {"cadata": cadata_of(env, "pem-one")},
    "cadata-der": lambda env: {"cadata": cadata_of(env, "der-one")},
    "cafile-untrusted-root": lambda env: {"cafile": env.certs.path("untrusted-root-ca")},
}
TRUSTS = {"cafile-untrusted-root": "untrusted-root-ca"}


@table("context/create_default_context/{purpose}/trusts-{form}", spec="create_default_context", basis="spec",
       cite="*cafile*, *capath*, *cadata* represent optional CA certificates to trust for certificate "
            "verification, as in :meth:`SSLContext.load_verify_locations`.",
       rows=[{"purpose": p, "form": f} for p in PURPOSES for f in TRUST_FORMS], since="3.4", pair=True)
def default_trusts(env: Any, purpose: str, form: str) -> Dict[str, Any]:
    """SERVER_AUTH: a client verifying the ``server`` fixture; CLIENT_AUTH: a server (told to ask for a
    certificate) verifying the ``client`` fixture.  Either trusts only what it was given."""
    senv = env.peer or env
    trusts = frozenset({TRUSTS.get(form, "root-ca")})
    if purpose == "SERVER_AUTH":
        client = default_context(env, purpose, **TRUST_FORMS[form](env))
        server = senv.context(cert="server")
        verdict = oracle.expect(oracle.Side(verify="REQUIRED", trusts=trusts),
                                oracle.Side(cert=chain_of(env.certs, "server", "chain")))
    else:
        client = env.context(cert="client")
        server = default_context(senv, purpose, **TRUST_FORMS[form](senv))
        server.load_cert_chain(senv.certs.path("server", "chain"), senv.certs.path("server", "key"))
        server.verify_mode = senv.const("CERT_REQUIRED")
        verdict = oracle.expect(oracle.Side(cert=chain_of(env.certs, "client", "chain")),
                                oracle.Side(verify="REQUIRED", trusts=trusts,
                                            cert=chain_of(env.certs, "server", "chain")))
    out = tls_pair(client, server, server_hostname="localhost", timeout=env.timeout)
    judge_pair(verdict, out, env.ssl, senv.ssl, f"create_default_context(Purpose.{purpose}, {form}) "
               f"(client {env.impl.name}, server {senv.impl.name})")
    return observed(verdict, out, env.impl.name, senv.impl.name)


# -- Purpose ---------------------------------------------------------------------------------

@case("context/Purpose/two-purposes", spec="Purpose.SERVER_AUTH", basis="spec",
      cite="This value indicates that the context may be used to authenticate web servers (therefore, it will be "
           "used to create client-side sockets).", since="3.4")
def purposes(env: Any) -> None:
    purpose = env.const("Purpose")
    expect_true(purpose.SERVER_AUTH != purpose.CLIENT_AUTH, "Purpose.SERVER_AUTH and CLIENT_AUTH differ",
                actual=[repr(purpose.SERVER_AUTH), repr(purpose.CLIENT_AUTH)])


@table("context/Purpose/{member}/oid", spec="Purpose.{member}", basis="cpython",
       cite="CPython's Purpose members are ASN.1 objects (nid, shortname, longname, oid) of the extended key "
            "usages serverAuth (1.3.6.1.5.5.7.3.1) and clientAuth (1.3.6.1.5.5.7.3.2)",
       rows=[{"member": "SERVER_AUTH", "oid": "1.3.6.1.5.5.7.3.1", "shortname": "serverAuth"},
             {"member": "CLIENT_AUTH", "oid": "1.3.6.1.5.5.7.3.2", "shortname": "clientAuth"}], since="3.4")
def purpose_oid(env: Any, member: str, oid: str, shortname: str) -> None:
    value = getattr(env.const("Purpose"), member)
    expect_equal(getattr(value, "oid", None), oid, f"Purpose.{member}.oid")
    expect_equal(getattr(value, "shortname", None), shortname, f"Purpose.{member}.shortname")


@case("context/create_default_context/purpose-not-a-Purpose", spec="create_default_context", basis="cpython",
      cite="CPython raises TypeError for a purpose that is not a Purpose (an ASN.1 object)", since="3.4")
def bad_purpose(env: Any) -> None:
    expect_raises(env, TypeError, lambda: env.ssl.create_default_context("serverAuth"),
                  "create_default_context('serverAuth')")
