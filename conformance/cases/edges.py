"""Edges of the module functions where the spec is silent and CPython is the evidence.

These are the places where ``tests/test_differential.py`` (hypothesis, the
reference against the stdlib) found the two apart; each divergence, once
fixed, is pinned here as a case, so any implementation is held to it:

* what ``cert_time_to_seconds`` accepts: CPython reads the month by its first
  three letters in any case, then ``time.strptime(rest, " %d %H:%M:%S %Y GMT")``
  -- whitespace as one or more, letters in any case, seconds up to 61, a day up
  to 31 counting on into the next month -- and nothing before or after;
* ``DER_cert_to_PEM_cert`` of no bytes, ``PEM_cert_to_DER_cert`` of a string
  that does not start with its header;
* ``RAND_add``'s entropy as any real number;
* ``set_ciphers`` of text outside ASCII: OpenSSL selects nothing, ``SSLError``;
* a ``capath`` with an embedded NUL: ``ValueError``, as ``open()`` says of a file.

Expected values are derived (``calendar.timegm`` of the written-out time), never
copied from an implementation.
"""
from __future__ import annotations

import calendar
from typing import Any, Dict, Optional, Tuple

from ..harness.registry import Unsupported, expect_equal, expect_true, table

_STRPTIME_NOTE = ("CPython reads a three-letter month in any case, then strptime(' %d %H:%M:%S %Y GMT'): "
                  "runs of whitespace, any case, seconds to 61, day 31 rolling over; nothing else")

#: label: (time string, the UTC time it names as (Y, M, D, h, m, s), or None: ValueError)
CERT_TIMES: Dict[str, Tuple[str, Optional[Tuple[int, ...]]]] = {
    "lowercase-gmt": ("May  9 00:00:00 2007 gmt", (2007, 5, 9, 0, 0, 0)),
    "uppercase-month": ("MAY  9 00:00:00 2007 GMT", (2007, 5, 9, 0, 0, 0)),
    "one-space-before-day": ("May 9 00:00:00 2007 GMT", (2007, 5, 9, 0, 0, 0)),
    "zero-padded-day-and-tabs": ("May\t09\t00:00:00\t2007\tGMT", (2007, 5, 9, 0, 0, 0)),
    "unpadded-hour-minute-second": ("May  9 1:2:3 2007 GMT", (2007, 5, 9, 1, 2, 3)),
    "leap-second": ("Jun 30 23:59:60 2012 GMT", (2012, 6, 30, 23, 59, 60)),
    "day-31-of-february": ("Feb 31 00:00:00 2007 GMT", (2007, 2, 31, 0, 0, 0)),
    "leading-space": (" May  9 00:00:00 2007 GMT", None),
    "trailing-newline": ("May  9 00:00:00 2007 GMT\n", None),
    "utc-not-gmt": ("May  9 00:00:00 2007 UTC", None),
    "two-digit-year": ("May  9 00:00:00 07 GMT", None),
    "hour-24": ("May  9 24:00:00 2007 GMT", None),
    "day-32": ("May 32 00:00:00 2007 GMT", None),
}


@table("api/cert_time_to_seconds/grammar/{label}", spec="cert_time_to_seconds",
       basis="cpython", cite=_STRPTIME_NOTE, rows=[{"label": k} for k in CERT_TIMES])
def cert_time_grammar(env: Any, label: str) -> Dict[str, Any]:
    text, when = CERT_TIMES[label]
    try:
        got: Any = env.ssl.cert_time_to_seconds(text)
    except ValueError as exc:
        got = exc
    if when is None:
        expect_true(isinstance(got, ValueError), f"cert_time_to_seconds({text!r}) raises ValueError",
                    expected="ValueError", actual=repr(got))
        return {"raised": "ValueError"}
    year, month, day, hour, minute, second = when
    want = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))  # day 31 of Feb counts on
    expect_true(not isinstance(got, BaseException), f"cert_time_to_seconds({text!r}) is accepted",
                expected=want, actual=repr(got))
    expect_equal(got, want, f"cert_time_to_seconds({text!r})")
    return {"seconds": want}


_ARMOR = ("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----")


def _der_empty(env: Any) -> Any:
    got = env.ssl.DER_cert_to_PEM_cert(b"")
    expect_equal(got, "%s\n%s\n" % _ARMOR, "DER_cert_to_PEM_cert(b'')")
    return got


def _pem_leading_newline(env: Any) -> Any:
    pem = env.ssl.DER_cert_to_PEM_cert(b"\x30\x03\x02\x01\x01")
    try:
        got = env.ssl.PEM_cert_to_DER_cert("\n" + pem)
    except ValueError:
        return "ValueError"
    expect_true(False, "PEM_cert_to_DER_cert of a string whose header is not first raises ValueError",
                expected="ValueError", actual=repr(got))


def _rand_add_entropy(env: Any) -> Any:
    for entropy in (0, 1, True, 2.5):
        env.ssl.RAND_add(b"entropy forms", entropy)
    return "accepted"


def _set_ciphers_non_ascii(env: Any) -> Any:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    try:
        ctx.set_ciphers("HIGH\u00e9")
    except env.ssl.SSLError as exc:
        return f"SSLError: {exc}"[:80]
    except Exception as exc:  # noqa: BLE001 - the wrong kind is the finding
        expect_true(False, "set_ciphers of a string that selects no cipher raises SSLError",
                    expected="SSLError", actual=f"{type(exc).__name__}: {exc}")
    expect_true(False, "set_ciphers('HIGH\\u00e9') selects a cipher", expected="SSLError", actual="accepted")


def _capath_nul(env: Any) -> Any:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    try:
        ctx.load_verify_locations(None, "capath\0")
    except ValueError:
        return "ValueError"
    except Exception as exc:  # noqa: BLE001 - the wrong kind is the finding
        expect_true(False, "load_verify_locations(capath=...\\0) raises ValueError", expected="ValueError",
                    actual=f"{type(exc).__name__}: {exc}")
    expect_true(False, "load_verify_locations(capath=...\\0) raises ValueError", expected="ValueError",
                actual="accepted")


#: label: (spec item, check, basis, cite)
FUNCTION_EDGES: Dict[str, Any] = {
    "DER_cert_to_PEM_cert/empty": (
        "DER_cert_to_PEM_cert", _der_empty, "cpython",
        "CPython's DER_cert_to_PEM_cert(b'') is the two armor lines, each ending in a newline"),
    "PEM_cert_to_DER_cert/header-not-first": (
        "PEM_cert_to_DER_cert", _pem_leading_newline, "cpython",
        "CPython's PEM_cert_to_DER_cert raises ValueError unless the string starts with its header"),
    "RAND_add/entropy-any-real-number": (
        "RAND_add", _rand_add_entropy, "cpython",
        "CPython's RAND_add takes an int, a bool or a float as entropy (its 'd' argument converter)"),
    "SSLContext.load_verify_locations/capath-with-nul": (
        "SSLContext.load_verify_locations", _capath_nul, "cpython",
        "CPython's load_verify_locations refuses a capath with an embedded NUL with ValueError, as open() does"),
    "SSLContext.set_ciphers/non-ascii": (
        "SSLContext.set_ciphers", _set_ciphers_non_ascii, "spec",
        "If no cipher can be selected (because compile-time options or other configuration forbids use of "
        "all the specified ciphers), an :class:`SSLError` will be raised."),
}


@table("api/{label}", spec="{spec}",
       basis=lambda row: FUNCTION_EDGES[row["label"]][2], cite=lambda row: FUNCTION_EDGES[row["label"]][3],
       rows=[{"label": k, "spec": v[0]} for k, v in FUNCTION_EDGES.items()])
def function_edge(env: Any, label: str, spec: str) -> Any:
    name = spec.split(".")[0]
    if not hasattr(env.ssl, name):
        raise Unsupported(name, f"{env.impl.name} has no {name}")
    return {"observed": FUNCTION_EDGES[label][1](env)}
