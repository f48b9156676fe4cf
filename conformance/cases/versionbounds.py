"""``TLSVersion`` and ``SSLContext.minimum_version`` / ``maximum_version`` as API (Python 3.7+).

What the attributes *do* to a connection is the protocol matrix's business
(``cases.matrix``, labels such as ``SSLv23+min=TLSv1_2``, judged by the
oracle through ``conformance.judge.bounds``); here is what a program sees
without connecting:

* ``TLSVersion`` is an ``IntEnum`` with the seven documented members, whose
  two magic members have no version's value;
* the attributes take members and read back members (never a bare int):
  a real version as set, the magic member of the attribute's own side as
  set, the crossed magic member as the real version it stands for;
* their defaults, per protocol and edition;
* they are read-only on a version-specific protocol, writable on the
  flexible ones; an integer that is no member is refused; a minimum above
  the maximum is not.

Every case is of edition 3.7 or later; a documented name the module lacks
is a failure there, never "unsupported" -- except a version-specific
``PROTOCOL_*``, which the documentation itself says may be missing.
"""
from __future__ import annotations

import enum
from typing import Any, Dict, List, Optional

from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..judge.protocols import MAXIMUM_SUPPORTED, MINIMUM_SUPPORTED, TLS_VERSIONS
from .helpers import expect_raises

SINCE = "3.7"
#: attribute -> the magic member of its own side (its "no bound")
OWN_MAGIC = {"minimum_version": MINIMUM_SUPPORTED, "maximum_version": MAXIMUM_SUPPORTED}
ATTRS = tuple(OWN_MAGIC)
#: the flexible protocols, documented (3.6) before the attributes; PROTOCOL_SSLv23 is PROTOCOL_TLS's alias
FLEXIBLE = ("SSLv23", "TLS", "TLS_CLIENT", "TLS_SERVER")
#: version-specific protocols (each may be missing from a build: that is a capability)
SPECIFIC = ("TLSv1", "TLSv1_1", "TLSv1_2")

CITES = {
    "members": ":class:`enum.IntEnum` collection of SSL and TLS versions for :attr:`SSLContext.maximum_version` "
               "and :attr:`SSLContext.minimum_version`.",
    "magic": "These are magic constants. Their values don't reflect the lowest and highest available TLS/SSL "
             "versions.",
    "maximum_version": "A :class:`TLSVersion` enum member representing the highest supported TLS version.",
    "minimum_version": "Like :attr:`SSLContext.maximum_version` except it is the lowest supported version or "
                       ":attr:`TLSVersion.MINIMUM_SUPPORTED`.",
    "max-default": "The value defaults to :attr:`TLSVersion.MAXIMUM_SUPPORTED`.",
    "floor-3.10": ":data:`PROTOCOL_TLS`, :data:`PROTOCOL_TLS_CLIENT`, and :data:`PROTOCOL_TLS_SERVER` use TLS 1.2 "
                  "as minimum TLS version.",
    "writable": "The attribute is read-only for protocols other than :const:`PROTOCOL_TLS`, "
                ":const:`PROTOCOL_TLS_CLIENT`, and :const:`PROTOCOL_TLS_SERVER`.",
    "invalid": "The implementation does not prevent invalid combination.",
}


# -- what the cases share ----------------------------------------------------------------

def documented(env: Any, name: str, owner: Any = None) -> Any:
    """``name`` of the module (or of ``owner``): a failure if missing, as the cases are all 3.7+."""
    where = env.ssl if owner is None else owner
    try:
        return getattr(where, name)
    except AttributeError:
        prefix = "" if owner is None else f"{getattr(owner, '__name__', type(owner).__name__)}."
        raise CaseFailure(f"{env.impl.name} has no {prefix}{name}, documented from Python {SINCE}",
                          expected=f"{prefix}{name}", actual="missing") from None


def member(env: Any, name: str) -> Any:
    return documented(env, name, documented(env, "TLSVersion"))


def context(env: Any, protocol: str = "SSLv23") -> Any:
    """A new context of ``PROTOCOL_<protocol>`` (a version-specific one may be unsupported)."""
    const = env.const("PROTOCOL_" + protocol) if protocol in SPECIFIC else documented(env, "PROTOCOL_" + protocol)
    ctx = env.ssl.SSLContext(const)
    for attr in ATTRS:
        documented(env, attr, type(ctx))
    return ctx


def expect_member(env: Any, value: Any, expected: str, what: str) -> None:
    """``value`` must be the ``TLSVersion`` member ``expected`` itself, not an int equal to it."""
    tls_version = documented(env, "TLSVersion")
    expect_true(isinstance(value, tls_version), f"{what} is a TLSVersion member",
                expected=f"TLSVersion.{expected}", actual=f"{type(value).__name__}: {value!r}")
    expect_equal(value, member(env, expected), what)


def crossed(env: Any, attr: str) -> str:
    """What the other side's magic member reads back as (CPython): the highest version the
    library has for a minimum, its lowest for a maximum."""
    if attr == "minimum_version":
        return "TLSv1_3" if getattr(env.ssl, "HAS_TLSv1_3", True) else "TLSv1_2"
    return "SSLv3" if getattr(env.ssl, "HAS_SSLv3", False) else "TLSv1"


# -- TLSVersion ----------------------------------------------------------------------------

@case("api/TLSVersion/members", spec="TLSVersion", basis="spec", cite=CITES["members"], since=SINCE)
def members(env: Any) -> None:
    tls_version = documented(env, "TLSVersion")
    expect_true(isinstance(tls_version, type) and issubclass(tls_version, enum.IntEnum),
                "TLSVersion is an enum.IntEnum", expected="IntEnum subclass", actual=repr(tls_version))
    for name in TLS_VERSIONS:
        value = member(env, name)
        expect_true(isinstance(value, tls_version) and value.name == name,
                    f"TLSVersion.{name} is a member named {name}", expected=name, actual=repr(value))


@table("api/TLSVersion.{name}/magic", spec="TLSVersion.{name}", basis="spec", cite=CITES["magic"],
       rows=[{"name": MINIMUM_SUPPORTED}, {"name": MAXIMUM_SUPPORTED}], since=SINCE)
def magic(env: Any, name: str) -> None:
    value = member(env, name)
    real = {n: int(member(env, n)) for n in TLS_VERSIONS if n not in OWN_MAGIC.values()}
    others = {n: v for n, v in real.items() if v == int(value)}
    other_magic = [n for n in OWN_MAGIC.values() if n != name and int(member(env, n)) == int(value)]
    expect_true(not others and not other_magic, f"TLSVersion.{name} has no other member's value",
                expected="a value of its own", actual={"value": int(value), "same as": sorted(others) + other_magic})


@case("api/TLSVersion/values", spec="TLSVersion", basis="cpython",
      cite="CPython's TLSVersion values are the wire versions (SSLv3 0x0300 ... TLSv1_3 0x0304), "
           "MINIMUM_SUPPORTED -2 and MAXIMUM_SUPPORTED -1", since=SINCE)
def values(env: Any) -> None:
    wanted = {MINIMUM_SUPPORTED: -2, "SSLv3": 0x0300, "TLSv1": 0x0301, "TLSv1_1": 0x0302, "TLSv1_2": 0x0303,
              "TLSv1_3": 0x0304, MAXIMUM_SUPPORTED: -1}
    got = {name: int(member(env, name)) for name in wanted}
    expect_equal(got, wanted, "TLSVersion values")


# -- the attributes take and return members ------------------------------------------------

def _round_trip_rows() -> List[Dict[str, str]]:
    return [{"attr": attr, "name": name} for attr in ATTRS
            for name in ("TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3", MINIMUM_SUPPORTED, MAXIMUM_SUPPORTED)]


def _is_crossed(row: Dict[str, str]) -> bool:
    return row["name"] in OWN_MAGIC.values() and row["name"] != OWN_MAGIC[row["attr"]]


@table("api/SSLContext.{attr}/round-trip/{name}", spec="SSLContext.{attr}",
       basis=lambda row: "cpython" if _is_crossed(row) else "spec",
       cite=lambda row: (f"CPython reads the other side's magic member {row['name']} back as the real version it "
                         "stands for: the highest its OpenSSL has for a minimum, the lowest for a maximum"
                         if _is_crossed(row) else CITES[row["attr"]]),
       rows=_round_trip_rows(), since=SINCE)
def round_trip(env: Any, attr: str, name: str) -> None:
    ctx = context(env)
    setattr(ctx, attr, member(env, name))
    expected = crossed(env, attr) if _is_crossed({"attr": attr, "name": name}) else name
    expect_member(env, getattr(ctx, attr), expected, f"SSLContext.{attr} after setting TLSVersion.{name}")


@table("api/SSLContext.{attr}/takes-int", spec="SSLContext.{attr}", basis="cpython",
       cite="CPython takes the int value of a TLSVersion member (771) and reads it back as the member",
       rows=[{"attr": attr} for attr in ATTRS], since=SINCE)
def takes_int(env: Any, attr: str) -> None:
    ctx = context(env)
    setattr(ctx, attr, int(member(env, "TLSv1_2")))
    expect_member(env, getattr(ctx, attr), "TLSv1_2", f"SSLContext.{attr} after setting 0x0303")


# -- defaults --------------------------------------------------------------------------------

def _default_rows() -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []
    for protocol in FLEXIBLE + SPECIFIC:
        rows.append({"attr": "maximum_version", "protocol": protocol, "expected": MAXIMUM_SUPPORTED,
                     "cite": "max-default", "since": SINCE, "until": None})
        floor = protocol in FLEXIBLE
        rows.append({"attr": "minimum_version", "protocol": protocol, "expected": MINIMUM_SUPPORTED,
                     "cite": "minimum_version", "since": SINCE, "until": "3.10" if floor else None})
        if floor:
            rows.append({"attr": "minimum_version", "protocol": protocol, "expected": "TLSv1_2",
                         "cite": "floor-3.10", "since": "3.10", "until": None})
    return rows


@table("api/SSLContext.{attr}/default/{protocol}/{expected}", spec="SSLContext.{attr}", basis="spec",
       cite=lambda row: CITES[row["cite"]], rows=_default_rows(), since=lambda row: row["since"],
       until=lambda row: row["until"])
def default(env: Any, attr: str, protocol: str, expected: str, cite: str, since: str,
            until: Optional[str]) -> None:
    ctx = context(env, protocol)
    expect_member(env, getattr(ctx, attr), expected, f"SSLContext(PROTOCOL_{protocol}).{attr}")


# -- where they may be set, and what they refuse ---------------------------------------------

@table("api/SSLContext.{attr}/read-only/{protocol}", spec="SSLContext.{attr}", basis="cpython",
       cite="CPython raises ValueError (the context's protocol doesn't support modification of highest and "
            "lowest version) on assignment for a version-specific protocol; the documentation says read-only",
       rows=[{"attr": attr, "protocol": p} for attr in ATTRS for p in SPECIFIC], since=SINCE)
def read_only(env: Any, attr: str, protocol: str) -> None:
    ctx = context(env, protocol)
    before = getattr(ctx, attr)
    expect_raises(env, ValueError, lambda: setattr(ctx, attr, member(env, "TLSv1_2")),
                  f"setting {attr} on a PROTOCOL_{protocol} context")
    expect_equal(getattr(ctx, attr), before, f"{attr} after the refused assignment")


@table("api/SSLContext.{attr}/writable/{protocol}", spec="SSLContext.{attr}", basis="spec",
       cite=CITES["writable"], rows=[{"attr": attr, "protocol": p} for attr in ATTRS for p in FLEXIBLE],
       since=SINCE)
def writable(env: Any, attr: str, protocol: str) -> None:
    ctx = context(env, protocol)
    for name in ("TLSv1_3", "TLSv1_2"):
        setattr(ctx, attr, member(env, name))
        expect_member(env, getattr(ctx, attr), name, f"PROTOCOL_{protocol} {attr} after setting TLSVersion.{name}")


#: values that name no member: ints (refused with ValueError by CPython) and a str (TypeError)
NOT_VERSIONS = {"0x305": (0x0305, ValueError), "5": (5, ValueError), "-3": (-3, ValueError),
                "str": ("TLSv1_2", TypeError)}


@table("api/SSLContext.{attr}/not-a-version/{value}", spec="SSLContext.{attr}", basis="cpython",
       cite="CPython raises ValueError (Unsupported TLS/SSL version) for an integer that is no TLSVersion value, "
            "TypeError for a str, and keeps the bound it had",
       rows=[{"attr": attr, "value": v} for attr in ATTRS for v in NOT_VERSIONS], since=SINCE)
def not_a_version(env: Any, attr: str, value: str) -> None:
    ctx = context(env)
    setattr(ctx, attr, member(env, "TLSv1_2"))
    given, error = NOT_VERSIONS[value]
    expect_raises(env, error, lambda: setattr(ctx, attr, given), f"setting {attr} = {given!r}")
    expect_member(env, getattr(ctx, attr), "TLSv1_2", f"{attr} after the refused assignment")


@table("api/SSLContext.maximum_version/below-minimum/{order}", spec="SSLContext.maximum_version",
       basis="spec", cite=CITES["invalid"], rows=[{"order": "minimum-first"}, {"order": "maximum-first"}],
       since=SINCE)
def below_minimum(env: Any, order: str) -> None:
    ctx = context(env)
    settings = [("minimum_version", "TLSv1_3"), ("maximum_version", "TLSv1_2")]
    for attr, name in settings if order == "minimum-first" else settings[::-1]:
        setattr(ctx, attr, member(env, name))
    for attr, name in settings:
        expect_member(env, getattr(ctx, attr), name, f"{attr} of a context bounded to nothing")
