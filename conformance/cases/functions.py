"""Module-level functions and the OPENSSL_VERSION trio.

Expected values are derived independently with the standard library
(``calendar.timegm``, ``base64``), from the manifest, or from a loopback
server presenting a known fixture; never copied from an implementation.
"""
from __future__ import annotations

import base64
import calendar
import datetime
import os
import re
import subprocess
import sys
import time
from typing import Any, Dict, List

from ..harness.env import Certs
from ..harness.impls import CHILD_LOADER
from ..harness.loopback import serve
from ..harness.reasons import classify
from ..harness.registry import CaseFailure, Unsupported, case, expect_equal, expect_true, table
from .helpers import documented

_PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.S)

# -- cert_time_to_seconds ------------------------------------------------------
# Decision: the timestring ends in "GMT", so the result is seconds since the
# epoch for that UTC instant, whatever the local time zone.  The 3.2 example
# (1178694000.0 for May 9 2007) is the same instant read as US/Pacific local
# time, a bug later fixed in CPython (3.5); it is not required here.
#
# Editions: 3.5 rewrote the entry -- the time is read as UTC in so many words
# ("Local timezone was used previously") and the result is an int -- so the
# float and the time-zone rows have one span per text: the 3.2 text until 3.5,
# the current text from 3.5.  The 3.3 and 3.4 documentation repeat the 3.2
# text word for word (the float, the same example), so they are judged as 3.2
# is: by the decision above, not by CPython 3.3's local-time reading, which the
# 3.5 note reports as an implementation's past, not as a documented promise.


def _time_rows() -> List[Dict[str, Any]]:
    rows = [{"label": "spec-example", "text": "May  9 00:00:00 2007 GMT",
             "iso": "2007-05-09T00:00:00Z"},
            {"label": "single-digit-day-padded", "text": "Jan  5 09:34:43 2018 GMT",
             "iso": "2018-01-05T09:34:43Z"},
            {"label": "end-of-1999", "text": "Dec 31 23:59:59 1999 GMT", "iso": "1999-12-31T23:59:59Z"}]
    seen = set()
    for f in Certs().manifest.get("fixtures", []):
        pc = f.get("peercert") or {}
        for key, iso_key in (("notBefore", "not_before"), ("notAfter", "not_after")):
            text, iso = pc.get(key), f.get(iso_key)
            if text and iso and text not in seen and int(iso[:4]) < 3000:
                seen.add(text)
                rows.append({"label": f"{f['name']}-{key}", "text": text, "iso": iso})
    return rows


def _epoch(iso: str) -> int:
    return calendar.timegm(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").timetuple())


@table("api/cert_time_to_seconds/{label}", spec="cert_time_to_seconds",
       basis="spec",
       cite="Returns a floating-point value containing a normal seconds-after-the-epoch time value, given "
            "the time-string representing the \"notBefore\" or \"notAfter\" date from a certificate.",
       rows=_time_rows())
def time_value(env: Any, label: str, text: str, iso: str) -> None:
    got = env.ssl.cert_time_to_seconds(text)
    expect_equal(got, _epoch(iso), f"cert_time_to_seconds({text!r})")


def _expect_type(env: Any, want: type) -> None:
    got = env.ssl.cert_time_to_seconds("May  9 00:00:00 2007 GMT")
    expect_true(isinstance(got, want) and not isinstance(got, bool),
                f"cert_time_to_seconds returns a{'n' if want is int else ''} {want.__name__}",
                expected=want.__name__, actual=type(got).__name__)


@case("api/cert_time_to_seconds/returns-float", spec="cert_time_to_seconds",
      basis="spec",
      cite="Returns a floating-point value containing a normal seconds-after-the-epoch time value",
      until="3.5")
def time_is_float(env: Any) -> None:
    _expect_type(env, float)


@case("api/cert_time_to_seconds/returns-int", spec="cert_time_to_seconds",
      basis="spec", cite="Return an integer (no fractions of a second in the input format)", since="3.5")
def time_is_int(env: Any) -> None:
    _expect_type(env, int)


#: the child of the TZ cases: prints ``cert_time_to_seconds(argv[2])``
_TZ_PROBE = CHILD_LOADER + "print(repr(float(m.cert_time_to_seconds(sys.argv[2]))))\n"


TZ_ROWS = [{"tz": "UTC"}, {"tz": "America/Los_Angeles"}, {"tz": "Asia/Kolkata"}]


@table("api/cert_time_to_seconds/tz-{tz}", spec="cert_time_to_seconds",
       basis="spec",
       cite="Returns a floating-point value containing a normal seconds-after-the-epoch time value",
       rows=TZ_ROWS, until="3.5")
@table("api/cert_time_to_seconds/utc-tz-{tz}", spec="cert_time_to_seconds",
       basis="spec",
       cite="Interpret the input time as a time in UTC as specified by 'GMT' timezone in the input string.",
       rows=TZ_ROWS, since="3.5")
def time_independent_of_tz(env: Any, tz: str) -> None:
    """Run in a child process with ``TZ`` set: the result must not move."""
    text = "May  9 00:00:00 2007 GMT"
    child_env = dict(env.impl.child_environ(), TZ=tz, PYTHONWARNINGS="ignore")
    proc = subprocess.run([sys.executable, "-c", _TZ_PROBE, env.impl.location, text], capture_output=True,
                          text=True, timeout=6 * env.timeout, env=child_env, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise CaseFailure(f"child process failed: {proc.stderr.strip()[-300:]}", actual=proc.returncode)
    expect_equal(float(proc.stdout.strip()), float(_epoch("2007-05-09T00:00:00Z")),
                 f"cert_time_to_seconds({text!r}) with TZ={tz}")


# -- DER <-> PEM ---------------------------------------------------------------

def _cert_names() -> List[Dict[str, str]]:
    return [{"name": f["name"]} for f in Certs().manifest.get("fixtures", [])
            if "cert" in f.get("files", {}) and f.get("kind") not in ("malformed", "bundle", "capath", "hostname")]


def _der_of(env: Any, name: str) -> bytes:
    body = _PEM_RE.search(env.certs.read(name)).group(1)
    return base64.b64decode("".join(body.split()))


@table("api/PEM_cert_to_DER_cert/{name}", spec="PEM_cert_to_DER_cert",
       basis="spec",
       cite="Given a certificate as an ASCII PEM string, returns a DER-encoded sequence of bytes for that "
            "same certificate.", rows=_cert_names())
def pem_to_der(env: Any, name: str) -> None:
    der = env.ssl.PEM_cert_to_DER_cert(env.certs.read(name))
    expect_true(isinstance(der, bytes), "PEM_cert_to_DER_cert returns bytes", actual=type(der).__name__)
    expect_equal(der, _der_of(env, name), f"DER of {name}.pem (base64 body decoded)")


@table("api/DER_cert_to_PEM_cert/{name}", spec="DER_cert_to_PEM_cert",
       basis="spec",
       cite="Given a certificate as a DER-encoded blob of bytes, returns a PEM-encoded string version of "
            "the same certificate.", rows=_cert_names())
def der_to_pem(env: Any, name: str) -> None:
    der = _der_of(env, name)
    pem = env.ssl.DER_cert_to_PEM_cert(der)
    expect_true(isinstance(pem, str), "DER_cert_to_PEM_cert returns str", actual=type(pem).__name__)
    expect_true(pem.startswith("-----BEGIN CERTIFICATE-----") and pem.rstrip().endswith("-----END CERTIFICATE-----"),
                "PEM armour", actual=pem[:40] + "..." + pem[-30:])
    body = _PEM_RE.search(pem).group(1)
    expect_equal(base64.b64decode("".join(body.split())), der, "base64 body of the PEM decodes to the DER")
    expect_equal(env.ssl.PEM_cert_to_DER_cert(pem), der, "PEM -> DER -> PEM -> DER round trip")


@case("api/PEM_cert_to_DER_cert/der-fixture", spec="PEM_cert_to_DER_cert",
      basis="spec",
      cite="returns a DER-encoded sequence of bytes for that same certificate.")
def der_fixture(env: Any) -> None:
    with open(env.certs.path("server.der"), "rb") as f:
        der = f.read()
    expect_equal(env.ssl.PEM_cert_to_DER_cert(env.certs.read("server")), der, "server.pem against server.der")


# -- get_server_certificate -------------------------------------------------------

def _tls_server(ctx: Any, timeout: float):
    def serve_one(conn: Any) -> str:
        tls = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
            tls.settimeout(timeout)
            while tls.read(1024):
                pass
            return "ok"
        except Exception as exc:  # the client may hang up abruptly or refuse us
            return f"{type(exc).__name__}: {exc}"
        finally:
            tls.close()
    return serve_one


GSC_ROWS = [
    {"label": "no-ca-certs", "ca": None, "version": None, "ok": True},
    {"label": "no-ca-certs-SSLv23", "ca": None, "version": "SSLv23", "ok": True},
    {"label": "ca-certs-trusted", "ca": "root-ca.pem", "version": "SSLv23", "ok": True},
    {"label": "ca-certs-bundle", "ca": "ca-bundle.pem", "version": "SSLv23", "ok": True},
    {"label": "ca-certs-wrong-root", "ca": "untrusted-root-ca.pem", "version": "SSLv23", "ok": False},
    {"label": "ca-certs-default-version", "ca": "root-ca.pem", "version": None, "ok": True},
]


@table("api/get_server_certificate/{label}", spec="get_server_certificate",
       basis="spec",
       cite="fetches the server's certificate, and returns it as a PEM-encoded string.",
       rows=GSC_ROWS, pair=True)
def get_server_certificate(env: Any, label: str, ca: Any, version: Any, ok: bool) -> None:
    server_ctx = (env.peer or env).context(cert="server")
    kwargs: Dict[str, Any] = {}
    if ca is not None:
        kwargs["ca_certs"] = env.certs.path(ca)
    if version is not None:
        kwargs["ssl_version"] = env.const("PROTOCOL_" + version)
    with serve(_tls_server(server_ctx, env.timeout), timeout=env.timeout) as addr:
        try:
            pem = env.ssl.get_server_certificate(addr, **kwargs)
        except Exception as exc:
            if ok:
                raise
            expect_true(isinstance(exc, env.ssl.SSLError), "validation failure raises SSLError",
                        expected="SSLError", actual=f"{type(exc).__name__}: {exc}")
            expect_equal(classify(exc), "certificate-verify-failed", "reason of the failure")
            return
    expect_true(ok, "get_server_certificate must fail when the server does not validate",
                expected="SSLError", actual="returned a certificate")
    expect_true(isinstance(pem, str), "returns a PEM string", actual=type(pem).__name__)
    expect_equal(env.ssl.PEM_cert_to_DER_cert(pem), _der_of(env, "server"), "certificate returned")


@case("api/get_server_certificate/default-version-modern-server", spec="get_server_certificate",
      basis="spec",
      cite="The default *ssl_version* is changed from :data:`PROTOCOL_SSLv3` to :data:`PROTOCOL_TLS` for "
           "maximum compatibility with modern servers.", since="3.5", pair=True)
def get_server_certificate_modern(env: Any) -> None:
    """3.5's default protocol reaches a server that refuses everything below TLS 1.2 (3.2's SSLv3 would
    not, nor would TLSv1): no ``ssl_version`` given, the certificate comes back."""
    server_ctx = (env.peer or env).context(cert="server", options=("NO_TLSv1", "NO_TLSv1_1"))
    with serve(_tls_server(server_ctx, env.timeout), timeout=env.timeout) as addr:
        pem = env.ssl.get_server_certificate(addr)
    expect_equal(env.ssl.PEM_cert_to_DER_cert(pem), _der_of(env, "server"),
                 "certificate returned by a server of TLS 1.2 and up")


@case("api/get_server_certificate/timeout", spec="get_server_certificate",
      basis="spec", cite="A timeout can be specified with the ``timeout`` parameter.", since="3.10")
def get_server_certificate_timeout(env: Any) -> Dict[str, Any]:
    """A server that accepts and never answers: with ``timeout`` the call gives up after about that
    long, with an ``OSError`` (``socket.timeout`` is one), long before the server hangs up."""
    limit = min(1.0, env.timeout / 5)

    def silent(conn: Any) -> str:
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        return "closed"

    with serve(silent, timeout=env.timeout) as addr:
        start = time.monotonic()
        try:
            env.ssl.get_server_certificate(addr, timeout=limit)
        except OSError as exc:
            took = time.monotonic() - start
            expect_true(took < limit + env.timeout / 2,
                        f"get_server_certificate(timeout={limit}) gives up after about {limit} s",
                        expected=f"< {limit + env.timeout / 2:.1f} s", actual=f"{took:.2f} s ({exc!r})")
            return {"raised": type(exc).__name__, "seconds": round(took, 1)}
        except Exception as exc:
            raise CaseFailure("get_server_certificate with a timeout, against a silent server",
                              expected="OSError (a timeout)", actual=f"{type(exc).__name__}: {exc}") from exc
    raise CaseFailure("get_server_certificate returned from a server that never answered",
                      expected="OSError (a timeout)", actual="returned")


# -- RAND_* ----------------------------------------------------------------------

@case("api/RAND_status/bool", spec="RAND_status",
      basis="spec",
      cite="Returns True if the SSL pseudo-random number generator has been seeded with 'enough' "
           "randomness, and False otherwise.")
def rand_status(env: Any) -> None:
    value = env.ssl.RAND_status()
    expect_true(isinstance(value, bool), "RAND_status() returns a bool", actual=type(value).__name__)


@case("api/RAND_status/seeded-here", spec="RAND_status",
      basis="spec",
      cite="Returns True if the SSL pseudo-random number generator has been seeded with 'enough' randomness")
def rand_seeded(env: Any) -> None:
    """This host has an OS entropy source, so the generator must report seeded."""
    expect_equal(env.ssl.RAND_status(), True, "RAND_status() on a host with /dev/urandom")


@case("api/RAND_status/rand-bytes-when-seeded", spec="RAND_status",
      basis="cpython",
      cite="CPython 3.3+ has RAND_bytes(n), n random bytes once the generator is seeded; 3.2 does not "
           "document it")
def rand_bytes(env: Any) -> None:
    fn = getattr(env.ssl, "RAND_bytes", None)
    if fn is None:
        raise Unsupported("RAND_bytes", "post-3.2 addition, absent")
    a, b = fn(32), fn(32)
    expect_true(isinstance(a, bytes) and len(a) == 32, "RAND_bytes(32) gives 32 bytes", actual=repr(a)[:40])
    expect_true(a != b, "two draws differ")


@table("api/RAND_add/{label}", spec="RAND_add",
       basis="cpython",
       cite="CPython's RAND_add returns None and accepts an int entropy; the spec documents no return value",
       rows=[{"label": "zero-entropy", "data": b"\x00" * 16, "entropy": 0.0},
             {"label": "some-entropy", "data": os.urandom(32), "entropy": 16.0},
             {"label": "large-buffer", "data": b"x" * 65536, "entropy": 0.0},
             {"label": "integer-entropy", "data": b"abc", "entropy": 1}])
def rand_add(env: Any, label: str, data: bytes, entropy: float) -> None:
    result = env.ssl.RAND_add(data, entropy)
    expect_equal(result, None, f"RAND_add({label}) return value")
    expect_equal(env.ssl.RAND_status(), True, "RAND_status() after RAND_add")


@case("api/RAND_add/entropy-must-be-number", spec="RAND_add",
      basis="cpython",
      cite="CPython raises TypeError for an entropy that is not a number; the spec names no exception")
def rand_add_bad(env: Any) -> None:
    try:
        env.ssl.RAND_add(b"abc", "lots")
    except TypeError:
        return
    except Exception as exc:
        raise CaseFailure("RAND_add(b'abc', 'lots')", expected="TypeError", actual=f"{type(exc).__name__}: {exc}")
    raise CaseFailure("RAND_add accepted a str entropy", expected="TypeError", actual="no exception")


@case("api/RAND_egd/no-daemon", spec="RAND_egd",
      basis="cpython",
      cite="CPython raises SSLError (an OSError) when no daemon answers at the path; the spec names no error",
      until="3.10")
def rand_egd(env: Any) -> None:
    fn = documented(env, "RAND_egd")  # unsupported on OpenSSL >= 1.1.0, which has no EGD client
    try:
        fn(str(env.tmp_path / "no-egd-here"))
    except OSError:
        return
    raise CaseFailure("RAND_egd with no daemon at the path did not fail", expected="SSLError", actual="returned")


# -- OPENSSL_VERSION* ---------------------------------------------------------------

def _decode_number(n: int) -> tuple:
    """The 3.2-era layout: 0xMNNFFPPS (major, minor, fix, patch, status)."""
    status, n = n & 0xF, n >> 4
    patch, n = n & 0xFF, n >> 8
    fix, n = n & 0xFF, n >> 8
    minor, n = n & 0xFF, n >> 8
    return (n, minor, fix, patch, status)


@case("api/OPENSSL_VERSION_INFO/five-ints", spec="OPENSSL_VERSION_INFO",
      basis="spec",
      cite="A tuple of five integers representing version information about the OpenSSL library")
def info_shape(env: Any) -> None:
    info = env.const("OPENSSL_VERSION_INFO")
    expect_true(isinstance(info, tuple) and len(info) == 5 and all(isinstance(x, int) for x in info),
                "OPENSSL_VERSION_INFO is a tuple of five ints", actual=info)


@case("api/OPENSSL_VERSION_NUMBER/matches-info", spec="OPENSSL_VERSION_NUMBER",
      basis="spec",
      cite="The raw version number of the OpenSSL library, as a single integer")
def number_matches_info(env: Any) -> None:
    number, info = env.const("OPENSSL_VERSION_NUMBER"), env.const("OPENSSL_VERSION_INFO")
    expect_equal(tuple(info), _decode_number(number), f"OPENSSL_VERSION_INFO against {hex(number)}")


@case("api/OPENSSL_VERSION/matches-info", spec="OPENSSL_VERSION",
      basis="spec",
      cite="The version string of the OpenSSL library loaded by the interpreter")
def string_matches_info(env: Any) -> None:
    text, info = env.const("OPENSSL_VERSION"), tuple(env.const("OPENSSL_VERSION_INFO"))
    expect_true(isinstance(text, str) and text.startswith("OpenSSL "), "OPENSSL_VERSION names OpenSSL",
                actual=text)
    major, minor, fix, patch = info[:4]
    if major >= 3:  # 3.x numbers are major.minor.patch; the patch sits in the 'patch' field
        want = f"{major}.{minor}.{patch}"
    else:  # 0.9.8k / 1.1.1w: the patch is a letter
        want = f"{major}.{minor}.{fix}" + (chr(ord("a") + patch - 1) if patch else "")
    expect_true(re.search(r"(?<![\d.])" + re.escape(want) + r"(?![\d.a-z])", text) is not None,
                f"OPENSSL_VERSION shows {want}", expected=want, actual=text)
