"""What a failed certificate verification raises, and ``SSLError.library`` / ``.reason``.

A verifying side under ``CERT_REQUIRED`` (trusting the test root) meets a
fixture that does not verify -- expired, not yet valid, self-signed, issued
by an untrusted root, below a CA that is none, beyond a path length -- in both
directions: the client checks the server's certificate (``server-cert``: the
implementation under test is the client, ``env``) and the server checks the
client's (``client-cert``: the server, ``env.peer``).  Every connection is
first judged by the oracle, as the verify matrix judges it
(``cases.judging.judge_pair``: the verifier must fail, with "certificate
verify failed"); then:

* the documentation's part (3.7): the verifier raised
  ``SSLCertVerificationError`` (an ``SSLError``) with a numeric
  ``verify_code`` and a readable ``verify_message``;
* CPython's part: ``verify_code`` and ``verify_message`` are OpenSSL's result
  for that fixture and its wording in the verifier's OpenSSL, derived from the
  fixture's manifest verdict by ``conformance.judge.openssl_errors`` (one
  table, never a value per case); and the other side's ``SSLError.reason``
  names the alert OpenSSL sends for that result.

``library`` and ``reason`` (3.3) are string mnemonics on a failed handshake
(either side) and on ``load_cert_chain`` with a key that does not match its
certificate (documented); which mnemonics, including on an EOF without
close_notify, is CPython's (OpenSSL's) business.

Neither side writes application data before reading: a side that closes with
unread data sends a TCP reset, which may overtake the alert this module reads.
"""
from __future__ import annotations

import re
import socket
from typing import Any, Dict, Optional, Tuple

from ..harness.loopback import PairOutcome, TLSSide, run_pair
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..judge import oracle
from ..judge.openssl_errors import (KEY_MISMATCH, VERIFY_FAILED, alert_reason_suffix, openssl_of,
                                    ragged_eof_mnemonics, verify_error)
from .errors import ragged_eof
from .helpers import documented, expect_raises
from .judging import chain_of, judge_pair

#: the fixtures that do not verify, and can be presented by any implementation's default context
FIXTURES = ("expired", "not-yet-valid", "selfsigned", "untrusted-leaf", "bad-intermediate", "pathlen")
#: direction -> (who verifies, who presents)
DIRECTIONS = {"server-cert": ("client", "server"), "client-cert": ("server", "client")}
TRUSTS = frozenset({"root-ca"})
#: one fixture per alert the verifier sends (certificate_expired, bad_certificate, unknown_ca)
ALERT_FIXTURES = ("expired", "not-yet-valid", "untrusted-leaf")
_ROWS = [{"direction": d, "fixture": f} for d in DIRECTIONS for f in FIXTURES]
#: an uppercase OpenSSL mnemonic: ``SSL``, ``X509``, ``OSSL_STORE``, ``CERTIFICATE_VERIFY_FAILED``
MNEMONIC = re.compile(r"[A-Z][A-Z0-9_]*")


def _attempt(ctx: Any, server_side: bool) -> Any:
    """One side: handshake, then a read (where a TLS 1.3 client meets the server's
    verdict on its certificate); ``TLSSide`` with the exception it raised."""
    def body(sock: socket.socket) -> TLSSide:
        seen = TLSSide()
        try:
            tls = ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=False)
        except Exception as exc:  # noqa: BLE001 - judged below
            seen.error = exc
            return seen
        try:
            tls.do_handshake()
            seen.version = tls.cipher()[1] if tls.cipher() else None
            tls.read(1)
            seen.ok = True
        except Exception as exc:  # noqa: BLE001 - judged below
            seen.error = exc
        finally:
            tls.close()
        return seen
    return body


def verify_failure(env: Any, direction: str, fixture: str) -> Tuple[BaseException, Optional[BaseException], Any]:
    """Connect with ``fixture`` presented in ``direction``, judge the connection by
    the oracle; (the verifier's exception, the presenter's, the oracle's chain)."""
    senv = env.peer or env
    chain = chain_of(env.certs, fixture, "chain")
    certfile, keyfile = env.certs.path(fixture, "chain"), env.certs.path(fixture, "key")
    if direction == "server-cert":
        cctx = env.context(trust="root-ca", verify="REQUIRED")
        sctx = senv.context(certfile=certfile, keyfile=keyfile)
        client, server = oracle.Side(verify="REQUIRED", trusts=TRUSTS), oracle.Side(cert=chain)
    else:
        cctx = env.context(certfile=certfile, keyfile=keyfile)
        sctx = senv.context(cert="server", trust="root-ca", verify="REQUIRED")
        client = oracle.Side(cert=chain)
        server = oracle.Side(verify="REQUIRED", trusts=TRUSTS, cert=chain_of(env.certs, "server", "chain"))
    verdict = oracle.expect(client, server)
    c, s = run_pair(_attempt(cctx, False), _attempt(sctx, True), timeout=env.timeout)
    out = PairOutcome(client=_side(c), server=_side(s))
    judge_pair(verdict, out, env.ssl, senv.ssl, f"{direction} {fixture} under CERT_REQUIRED "
                                                 f"(client {env.impl.name}, server {senv.impl.name})")
    verifier, presenter = DIRECTIONS[direction]
    sides = {"client": out.client.error, "server": out.server.error}
    return sides[verifier], sides[presenter], chain


def _side(result: Any) -> TLSSide:
    side = result.value if isinstance(result.value, TLSSide) else TLSSide(error=result.error)
    side.timed_out = result.timed_out
    return side


def _env_of(env: Any, role: str) -> Any:
    return env if role == "client" else (env.peer or env)


@table("errors/SSLCertVerificationError/{direction}/{fixture}", spec="SSLCertVerificationError", basis="spec",
       cite="A subclass of :exc:`SSLError` raised when certificate validation has failed.", since="3.7",
       rows=_ROWS, pair=True)
def cert_verification_error(env: Any, direction: str, fixture: str) -> Dict[str, Any]:
    venv = _env_of(env, DIRECTIONS[direction][0])
    cls = documented(venv, "SSLCertVerificationError")
    err, _, _ = verify_failure(env, direction, fixture)
    expect_true(isinstance(err, cls), f"the verifying {DIRECTIONS[direction][0]} ({venv.impl.name}) raises "
                f"SSLCertVerificationError", expected="SSLCertVerificationError", actual=f"{type(err).__name__}: {err}")
    expect_true(isinstance(err, venv.ssl.SSLError), "SSLCertVerificationError is an SSLError")
    code, message = getattr(err, "verify_code", None), getattr(err, "verify_message", None)
    expect_true(isinstance(code, int) and not isinstance(code, bool) and code != 0,
                "verify_code: a numeric error number that denotes the verification error", actual=repr(code))
    expect_true(isinstance(message, str) and message.strip(),
                "verify_message: a human readable string of the verification error", actual=repr(message))
    return {"verify_code": code, "verify_message": message}


@table("errors/SSLCertVerificationError.verify_code/{direction}/{fixture}",
       spec="SSLCertVerificationError.verify_code", basis="cpython",
       cite="CPython's verify_code and verify_message are OpenSSL's X509_V_ERR result and its "
            "X509_verify_cert_error_string", since="3.7", rows=_ROWS, pair=True)
def verify_code(env: Any, direction: str, fixture: str) -> Dict[str, Any]:
    venv = _env_of(env, DIRECTIONS[direction][0])
    err, _, chain = verify_failure(env, direction, fixture)
    want = verify_error(env.certs.fixture(fixture).get("verdict", "ok"), chain, TRUSTS, openssl_of(venv.ssl))
    if want is None:
        raise CaseFailure(f"the oracle says {fixture} verifies; it is not a row of this table")
    got = (getattr(err, "verify_code", None), getattr(err, "verify_message", None))
    expect_equal(got, (want.code, want.message),
                 f"(verify_code, verify_message) of X509_V_ERR_{want.name} in {venv.impl.name}'s OpenSSL")
    return {"x509_v_err": want.name}


@table("errors/SSLError.reason/peer-alert/{direction}/{fixture}", spec="SSLError.reason", basis="cpython",
       cite="CPython's SSLError.reason on the side that receives a TLS alert is OpenSSL's mnemonic naming it",
       since="3.3", rows=[{"direction": d, "fixture": f} for d in DIRECTIONS for f in ALERT_FIXTURES], pair=True)
def peer_alert(env: Any, direction: str, fixture: str) -> Dict[str, Any]:
    verifier, presenter = DIRECTIONS[direction]
    venv, penv = _env_of(env, verifier), _env_of(env, presenter)
    _, err, chain = verify_failure(env, direction, fixture)
    want = verify_error(env.certs.fixture(fixture).get("verdict", "ok"), chain, TRUSTS, openssl_of(venv.ssl))
    assert want is not None
    expect_true(isinstance(err, penv.ssl.SSLError), f"the {presenter} ({penv.impl.name}) raises SSLError at the "
                f"{verifier}'s alert", expected="SSLError", actual=repr(err))
    reason, suffix = getattr(err, "reason", None), alert_reason_suffix(want.alert)
    expect_true(getattr(err, "library", None) == "SSL" and isinstance(reason, str) and reason.endswith(suffix),
                f"library/reason of the {want.alert} alert (X509_V_ERR_{want.name})",
                expected=f"SSL / *{suffix}", actual=f"{getattr(err, 'library', None)} / {reason}")
    return {"alert": want.alert, "reason": reason}


# -- library / reason ------------------------------------------------------------------------

_LIBRARY = ("A string mnemonic designating the OpenSSL submodule in which the error occurred, such as ``SSL``, "
            "``PEM`` or ``X509``.")
_REASON = ("A string mnemonic designating the reason this error occurred, for example "
           "``CERTIFICATE_VERIFY_FAILED``.")
_HANDSHAKES = [{"attr": a, "side": s} for a in ("library", "reason") for s in ("client", "server")]


def _mnemonic(err: Any, attr: str, what: str) -> str:
    value = getattr(err, attr, None)
    expect_true(isinstance(value, str) and MNEMONIC.fullmatch(value), f"SSLError.{attr} of {what} is a string "
                "mnemonic", expected="e.g. SSL, X509, CERTIFICATE_VERIFY_FAILED", actual=repr(value))
    return value


def _verify_failed(env: Any, side: str) -> BaseException:
    """The verifier's error: ``untrusted-leaf`` presented to ``side``."""
    err, _, _ = verify_failure(env, "server-cert" if side == "client" else "client-cert", "untrusted-leaf")
    return err


@table("errors/SSLError.{attr}/failed-handshake/{side}", spec="SSLError.{attr}", basis="spec",
       cite=lambda row: _LIBRARY if row["attr"] == "library" else _REASON, since="3.3", rows=_HANDSHAKES,
       pair=True)
def failed_handshake(env: Any, attr: str, side: str) -> Dict[str, Any]:
    return {attr: _mnemonic(_verify_failed(env, side), attr, f"a handshake that failed on the {side}")}


def _key_mismatch(env: Any) -> BaseException:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    return expect_raises(env, env.ssl.SSLError, lambda: ctx.load_cert_chain(
        env.certs.path("key-mismatch", "cert"), env.certs.path("key-mismatch", "key")),
        "load_cert_chain with a key that does not match", reason="key-mismatch")


@table("errors/SSLError.{attr}/load_cert_chain-key-mismatch", spec="SSLError.{attr}", basis="spec",
       cite=lambda row: _LIBRARY if row["attr"] == "library" else _REASON, since="3.3",
       rows=[{"attr": "library"}, {"attr": "reason"}])
def key_mismatch(env: Any, attr: str) -> Dict[str, Any]:
    return {attr: _mnemonic(_key_mismatch(env), attr, "load_cert_chain with a mismatched key")}


def _values(err: Any) -> Tuple[Any, Any]:
    return getattr(err, "library", None), getattr(err, "reason", None)


@table("errors/SSLError.reason/failed-handshake/{side}/openssl-mnemonics", spec="SSLError.reason",
       basis="cpython", cite="CPython's verifying side reports library SSL, reason CERTIFICATE_VERIFY_FAILED",
       since="3.3", rows=[{"side": "client"}, {"side": "server"}], pair=True)
def failed_handshake_values(env: Any, side: str) -> None:
    expect_equal(_values(_verify_failed(env, side)), VERIFY_FAILED, f"(library, reason) on the verifying {side}")


@case("errors/SSLError.reason/load_cert_chain-key-mismatch/openssl-mnemonics", spec="SSLError.reason",
      basis="cpython", cite="CPython reports a key that does not match as library X509, reason KEY_VALUES_MISMATCH",
      since="3.3")
def key_mismatch_values(env: Any) -> None:
    expect_equal(_values(_key_mismatch(env)), KEY_MISMATCH, "(library, reason) of load_cert_chain")


@table("errors/SSLError.reason/ragged-eof/{side}/openssl-mnemonics", spec="SSLError.reason", basis="cpython",
       cite="CPython's SSLEOFError names OpenSSL 3's UNEXPECTED_EOF_WHILE_READING (library SSL); before 3.0 none",
       since="3.3", rows=[{"side": "client"}, {"side": "server"}], pair=True)
def ragged_eof_values(env: Any, side: str) -> None:
    senv = _env_of(env, side)

    def judge(seen: Any) -> None:
        expect_true(isinstance(seen, senv.ssl.SSLError), f"the {side} ({senv.impl.name}) raises SSLError at a "
                    "ragged EOF", actual=repr(seen))
        expect_equal(_values(seen), ragged_eof_mnemonics(openssl_of(senv.ssl)),
                     f"(library, reason) of the {side}'s SSLEOFError in {senv.impl.name}'s OpenSSL")

    ragged_eof(env, side, judge)
