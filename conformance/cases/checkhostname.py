"""``SSLContext.check_hostname`` and ``hostname_checks_common_name`` as attributes.

What the matching itself does is ``cases.hostnames``; here is how the
attributes behave: the defaults, turning the check on over ``CERT_NONE``
(``CERT_REQUIRED`` from 3.7, a ``ValueError`` before), ``verify_mode`` held
off ``CERT_NONE`` while it is on, the check needing ``server_hostname``, and
no name matched while it is off or matched with ``CERT_OPTIONAL``.
"""
from __future__ import annotations

from typing import Any

from ..harness.loopback import tls_pair
from ..harness.registry import CaseFailure, case, expect_equal, expect_true
from .helpers import expect_raises

SPEC = "SSLContext.check_hostname"
_MUST = ("The context's :attr:`~SSLContext.verify_mode` must be set to :data:`CERT_OPTIONAL` or "
         ":data:`CERT_REQUIRED`, and you must pass *server_hostname* to :meth:`~SSLContext.wrap_socket` in order "
         "to match the hostname.")
_NOT_BACK = "It cannot be set back to :data:`CERT_NONE` as long as hostname checking is enabled."


def _client(env: Any, verify: str = "NONE") -> Any:
    return env.context(verify=verify, trust="root-ca")


@case("hostname/check_hostname/default-off", spec=SPEC, since="3.4", basis="spec",
      cite="With other protocols, hostname checking must be enabled explicitly.")
def default_off(env: Any) -> None:
    expect_equal(env.context().check_hostname, False, "check_hostname of SSLContext(PROTOCOL_SSLv23)")


@case("hostname/check_hostname/enabling-sets-cert-required", spec=SPEC, since="3.7", basis="spec",
      cite="Enabling hostname checking automatically sets :attr:`~SSLContext.verify_mode` from "
           ":data:`CERT_NONE` to :data:`CERT_REQUIRED`.")
def enabling_sets_required(env: Any) -> None:
    ctx = _client(env)
    ctx.check_hostname = True
    expect_equal(ctx.check_hostname, True, "check_hostname after enabling it")
    expect_equal(ctx.verify_mode, env.ssl.CERT_REQUIRED, "verify_mode after enabling check_hostname over CERT_NONE")


@case("hostname/check_hostname/enabling-over-cert-none-ValueError", spec=SPEC, since="3.4", until="3.7",
      basis="spec", cite="Previously the same operation would have failed with a :exc:`ValueError`.")
def enabling_fails_before_3_7(env: Any) -> None:
    ctx = _client(env)

    def enable() -> None:
        ctx.check_hostname = True

    expect_raises(env, ValueError, enable, "check_hostname = True on a CERT_NONE context")
    expect_equal(ctx.verify_mode, env.ssl.CERT_NONE, "verify_mode after the refusal")


@case("hostname/check_hostname/enabling-keeps-cert-optional", spec=SPEC, since="3.4", basis="spec", cite=_MUST)
def enabling_keeps_optional(env: Any) -> None:
    ctx = _client(env, "OPTIONAL")
    ctx.check_hostname = True
    expect_equal(ctx.verify_mode, env.ssl.CERT_OPTIONAL, "verify_mode of a CERT_OPTIONAL context after enabling")


def _refuses_cert_none(env: Any, exc_type: Any) -> None:
    ctx = _client(env, "REQUIRED")
    ctx.check_hostname = True

    def set_none() -> None:
        ctx.verify_mode = env.ssl.CERT_NONE

    expect_raises(env, exc_type, set_none, "verify_mode = CERT_NONE while check_hostname is on")
    expect_equal(ctx.verify_mode, env.ssl.CERT_REQUIRED, "verify_mode after the refusal")
    ctx.check_hostname = False
    ctx.verify_mode = env.ssl.CERT_NONE
    expect_equal(ctx.verify_mode, env.ssl.CERT_NONE, "verify_mode = CERT_NONE once check_hostname is off")


@case("hostname/check_hostname/no-cert-none-while-on", spec=SPEC, since="3.4", basis="spec", cite=_NOT_BACK)
def no_cert_none(env: Any) -> None:
    _refuses_cert_none(env, Exception)


@case("hostname/check_hostname/no-cert-none-while-on-ValueError", spec=SPEC, since="3.4", basis="cpython",
      cite="CPython raises ValueError for verify_mode = CERT_NONE while check_hostname is on")
def no_cert_none_value_error(env: Any) -> None:
    _refuses_cert_none(env, ValueError)


@case("hostname/check_hostname/needs-server-hostname-ValueError", spec=SPEC, since="3.4", basis="cpython",
      cite="CPython's wrap_socket raises ValueError ('check_hostname requires server_hostname') for a client "
           "without server_hostname while check_hostname is on")
def needs_server_hostname(env: Any) -> None:
    ctx = _client(env, "REQUIRED")
    ctx.check_hostname = True
    expect_raises(env, ValueError, lambda: ctx.wrap_socket(env.socket()), "wrap_socket() without server_hostname")


@case("hostname/check_hostname/off-matches-no-name", spec="CERT_REQUIRED", since="3.4", pair=True, basis="spec",
      cite="This mode is **not** sufficient to verify a certificate in client mode as it does not match "
           "hostnames.")
def off_matches_nothing(env: Any) -> None:
    senv = env.peer or env
    client = _client(env, "REQUIRED")
    out = tls_pair(client, senv.context(cert="host-exact"), server_hostname="wrong.example", timeout=env.timeout)
    expect_true(out.ok, "CERT_REQUIRED without check_hostname: server_hostname='wrong.example' against host-exact",
                expected="completed", actual={"client": out.client.describe(), "server": out.server.describe()})


@case("hostname/check_hostname/with-cert-optional", spec=SPEC, since="3.4", pair=True, basis="spec", cite=_MUST)
def with_optional(env: Any) -> None:
    senv = env.peer or env
    for name, accepted in (("www.example.org", True), ("wrong.example", False)):
        client = _client(env, "OPTIONAL")
        client.check_hostname = True
        out = tls_pair(client, senv.context(cert="host-exact"), server_hostname=name, timeout=env.timeout)
        if out.client.ok != accepted:
            raise CaseFailure(f"CERT_OPTIONAL with check_hostname: {name!r} against host-exact",
                              expected="accepted" if accepted else "refused", actual=out.client.describe())


@case("hostname/hostname_checks_common_name/default-true", spec="SSLContext.hostname_checks_common_name",
      since="3.7", basis="spec",
      cite="Whether :attr:`~SSLContext.check_hostname` falls back to verify the cert's subject common name in "
           "the absence of a subject alternative name extension (default: true).")
def common_name_default(env: Any) -> None:
    expect_equal(env.context().hostname_checks_common_name, True, "hostname_checks_common_name of a new context")
