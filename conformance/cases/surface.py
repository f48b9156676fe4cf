"""Every documented name exists, has the documented kind, and takes the documented parameters,
in every edition that documents it.

Driven entirely by the API listing (``conformance/judge/api.json``): one ``kind``
case per entry, one ``param`` case per documented parameter and one
``default`` case per documented default, each spanning the editions the
listing gives it (``since`` = the entry's or parameter's ``added``, ``until``
= its ``removed``).  Where a parameter changes between editions -- optional
from some release on, a default replaced -- there is one row per span: the
first span keeps the plain id (``api/SSLContext/default/protocol``), each
later one adds ``/since-X.Y``.  A documented name the implementation lacks
is a failure, except the few whose own documentation makes them conditional
(``conformance.judge.availability``): those are ``unsupported`` where the
condition holds.

How parameters are judged (a decision, written once here): the base spec's
signatures come from an era whose docs did not mark positional-only
parameters, so a *required* parameter must be accepted at its documented
position; an *optional* parameter must be accepted by its documented name
(that is the only way to pass it while leaving earlier ones at their
defaults) and must really be optional -- unless the current signature marks
it positional-only (``MemoryBIO.read(n=-1, /)``): then at its position.
Signatures are read with :func:`inspect.signature`; an implementation whose
callables are not introspectable gets ``unsupported`` here and is exercised
by calls in the behaviour cases instead.

Where a name lives (also written once): the documentation lists methods and
attributes of *instances*.  An implementation may set an attribute in
``__init__`` (``self.protocol = ...``), or give an instance methods its
class does not have (delegation through ``__getattr__``), so a name the
class lacks is looked up on an instance made the documented way
(``conformance.cases.specimens``) before it counts as missing; documented
attributes are looked at on an instance only (on the class itself for an
enum's members).  A method read off the class drops its first parameter
(the instance) whatever its name, unless it is a static method; one read
off an instance is bound already.  ``functools.wraps`` wrappers are read
through ``__wrapped__`` (as :func:`inspect.signature` does), and ``*args,
**kwargs`` forwarders accept every position and name.
"""
from __future__ import annotations

import inspect
import socket
from typing import Any, Dict, List, Optional

from ..judge import apilisting
from ..judge.editions import EDITIONS
from ..harness.registry import CaseFailure, Unsupported, case, expect_true, table
from .helpers import absent
from .specimens import holder

#: every entry some edition the suite knows documents (3.14's names wait for their edition)
ENTRIES = [e for e in apilisting.entries() if any(apilisting.documented(e["name"], ed) for ed in EDITIONS)]
_PY_TYPES = {"int": int, "str": str, "tuple": tuple, "bool": bool, "list": list}
#: Documented defaults that are Python literals, by how the signature writes them.
_LITERALS = {"None": None, "True": True, "False": False}


_absent = absent  # what a missing documented name is in this run (cases.helpers)


def _owner(env: Any, name: str) -> Any:
    """The object holding ``name``'s last component (module or class)."""
    obj = env.ssl
    for part in name.split(".")[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            raise CaseFailure(f"{part} is missing from {env.impl.name}", expected=part, actual=None)
    return obj


def _lookup(env: Any, name: str) -> Any:
    """``name``'s object: on the module, on the class, else on an instance of the class."""
    owner = _owner(env, name)
    leaf = name.split(".")[-1]
    if hasattr(owner, leaf):
        return getattr(owner, leaf)
    if owner is not env.ssl:
        instance = holder(env, owner, name.split(".")[0])
        if hasattr(instance, leaf):
            return getattr(instance, leaf)
    raise _absent(env, name, "on the class or an instance" if owner is not env.ssl else "")


def check_kind(env: Any, name: str, kind: str) -> None:
    e = apilisting.entry(name)
    if kind == "attribute":  # documented on instances: the class need not have it
        instance = holder(env, _owner(env, name), name.split(".")[0])
        expect_true(hasattr(instance, name.split(".")[-1]), f"{name} is an attribute of instances",
                    expected="present", actual="absent")
        return
    value = _lookup(env, name)
    if kind == "data":
        if "type" in e:
            want = _PY_TYPES[e["type"]]
            expect_true(isinstance(value, want), f"{name} is a {e['type']}",
                        expected=e["type"], actual=type(value).__name__)
    elif kind in ("exception", "class"):
        expect_true(isinstance(value, type), f"{name} is a class", expected="class", actual=type(value).__name__)
        if kind == "exception":
            expect_true(issubclass(value, BaseException), f"{name} is an exception class")
    elif kind in ("function", "method"):
        expect_true(callable(value), f"{name} is callable", expected="callable", actual=type(value).__name__)


def _spans(name: str, param: Dict[str, Any], state_of) -> List[Dict[str, Any]]:
    """The editions in which ``state_of(resolved parameter)`` stays the same, as
    ``{"since", "until", "state"}`` spans, oldest first (None states left out)."""
    spans: List[Dict[str, Any]] = []
    for edition in EDITIONS:
        resolved = next((p for p in apilisting.parameters(name, edition) or () if p["name"] == param["name"]
                         and p.get("added") == param.get("added")), None)
        state = None if resolved is None else state_of(resolved)
        if spans and spans[-1]["until"] is None and spans[-1]["state"] != state:
            spans[-1]["until"] = edition
        if state is not None and (not spans or spans[-1]["until"] is not None):
            spans.append({"since": edition, "until": None, "state": state})
    return spans


def _span_id(template: str, span_index: int, since: str) -> str:
    return template if span_index == 0 else f"{template}/since-{since}"


table("api/{name}/kind", spec="{name}",
      basis="spec",
      cite=lambda row: apilisting.directive(row["name"]),
      since=lambda row: apilisting.span(row["name"])[0],
      until=lambda row: apilisting.span(row["name"])[1],
      rows=[{"name": e["name"], "kind": e["kind"]} for e in ENTRIES])(check_kind)

def _signature(env: Any, name: str) -> inspect.Signature:
    """The documented callable's signature as a caller sees it (without the instance)."""
    target = _lookup(env, name)
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError) as exc:
        raise Unsupported("signature introspection", f"{name}: {exc}") from None
    params = list(sig.parameters.values())
    if _takes_instance(env, name, target) and params and params[0].kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        sig = sig.replace(parameters=params[1:])
    return sig


def _takes_instance(env: Any, name: str, target: Any) -> bool:
    """Is ``target`` a method read off its class, still waiting for the instance?"""
    if "." not in name or inspect.ismethod(target):
        return False  # a function, a class, or a bound method
    owner, leaf = _owner(env, name), name.split(".")[-1]
    try:
        raw = inspect.getattr_static(owner, leaf)
    except AttributeError:
        return False  # found on an instance only: bound (or a plain callable attribute)
    return not isinstance(raw, (staticmethod, classmethod))


def _by_name(sig: inspect.Signature, pname: str) -> Optional[inspect.Parameter]:
    p = sig.parameters.get(pname)
    if p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
        return p
    return None


def _has_var(sig: inspect.Signature, kind: Any) -> bool:
    return any(p.kind == kind for p in sig.parameters.values())


def _at(sig: inspect.Signature, position: int) -> Optional[inspect.Parameter]:
    """The parameter that receives the argument at ``position`` (None for ``*args`` or nothing)."""
    positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[position] if position < len(positional) else None


def check_param(env: Any, name: str, param: str, position: int, required: bool,
                positional_only: bool = False) -> None:
    sig = _signature(env, name)
    shown = str(sig)
    if required or positional_only:
        try:
            sig.bind_partial(*([object()] * (position + 1)))
        except TypeError as exc:
            raise CaseFailure(f"{name} does not accept {param!r} at position {position}: {exc}",
                              expected=f"{param} at position {position}", actual=shown) from None
        if required:
            return
        p = _at(sig, position)
        expect_true(p is None or p.default is not inspect.Parameter.empty, f"{name}: {param} is optional",
                    expected="has a default", actual=shown)
        return
    p = _by_name(sig, param)
    if p is None:
        if _has_var(sig, inspect.Parameter.VAR_KEYWORD):
            return
        raise CaseFailure(f"{name} has no parameter {param!r} accepted by keyword",
                          expected=f"{param}=...", actual=shown)
    expect_true(p.default is not inspect.Parameter.empty, f"{name}: {param} is optional",
                expected="has a default", actual=shown)


def _default_value(env: Any, default: Any, literal: bool) -> Any:
    """The value a listed default stands for in the module under test."""
    if literal or not isinstance(default, str):
        return default
    if default in _LITERALS:
        return _LITERALS[default]
    return _lookup(env, default)  # a documented constant, perhaps dotted (Purpose.SERVER_AUTH)


def check_default(env: Any, name: str, param: str, default: Any, literal: bool = False,
                  positional_only: bool = False, position: int = 0) -> None:
    sig = _signature(env, name)
    p = _at(sig, position) if positional_only else _by_name(sig, param)
    if p is None and _has_var(sig, inspect.Parameter.VAR_KEYWORD):
        # ``f(sock, *a, **kw)`` forwards its arguments: the default lives
        # further down and only the behaviour cases can observe it.
        raise Unsupported("signature introspection",
                          f"{name}{sig} forwards **kwargs; the default of {param} is not visible")
    if p is None or p.default is inspect.Parameter.empty:
        raise CaseFailure(f"{name}: {param} has no default", expected=default, actual=str(sig))
    want = _default_value(env, default, literal)
    expect_true(p.default == want and type(p.default) is not bool or p.default is want,
                f"{name}: default of {param} is {default}", expected=repr(want), actual=repr(p.default))


def _param_rows() -> List[Dict[str, Any]]:
    """One row per parameter and span in which its position and optionality stay the same."""
    rows = []
    for e in ENTRIES:
        for p in apilisting.parameters(e["name"]) or ():
            spans = _spans(e["name"], p, lambda r: (r["position"], bool(r.get("required")),
                                                    bool(r.get("positional_only"))))
            for k, span in enumerate(spans):
                position, required, positional_only = span["state"]
                row = {"name": e["name"], "param": p["name"], "position": position, "required": required}
                if positional_only:
                    row["positional_only"] = True
                rows.append(dict(row, _since=span["since"], _until=span["until"], _k=k))
    return rows


def _default_state(r: Dict[str, Any]) -> Any:
    """A resolved parameter's documented default as a row carries it, or None."""
    if "default" not in r or r.get("note"):
        return None  # no default documented, or documented only in prose
    d = r["default"]
    shown = d if isinstance(d, str) or isinstance(d, int) and not isinstance(d, bool) else repr(d)
    return (shown, bool(r.get("literal")), bool(r.get("positional_only")), r["position"])


def _default_rows() -> List[Dict[str, Any]]:
    """One row per parameter and span in which its documented default stays the same."""
    rows = []
    for e in ENTRIES:
        for p in apilisting.parameters(e["name"]) or ():
            for k, span in enumerate(_spans(e["name"], p, _default_state)):
                default, literal, positional_only, position = span["state"]
                row = {"name": e["name"], "param": p["name"], "default": default}
                if literal:
                    row["literal"] = True
                if positional_only:
                    row.update(positional_only=True, position=position)
                rows.append(dict(row, _since=span["since"], _until=span["until"], _k=k))
    return rows


def _spanned(template: str, rows: List[Dict[str, Any]], func: Any) -> None:
    """Register ``rows`` under ``template``, the later spans of a parameter under ``/since-X.Y``."""
    for row in rows:
        params = {k: v for k, v in row.items() if not k.startswith("_")}
        case(_span_id(template.format(**row), row["_k"], row["_since"]), spec=row["name"], basis="spec",
             cite=apilisting.directive(row["name"]), since=row["_since"], until=row["_until"], **params)(func)


_spanned("api/{name}/param/{param}", _param_rows(), check_param)
_spanned("api/{name}/default/{param}", _default_rows(), check_default)


# -- relations the spec states between names -----------------------------

@case("api/SSLError/is-socket-error", spec="SSLError",
      basis="spec",
      cite="This error is a subtype of :exc:`socket.error`, which in turn is a subtype of :exc:`IOError`.")
def sslerror_is_socket_error(env: Any) -> None:
    err = env.const("SSLError")
    expect_true(issubclass(err, socket.error), "SSLError is a subclass of socket.error",
                expected="socket.error", actual=[c.__name__ for c in err.__mro__])
    expect_true(issubclass(err, IOError), "SSLError is a subclass of IOError")


@case("api/SSLSocket.read/sslsocket-is-a-socket", spec="SSLSocket.read",
      basis="spec",
      cite="This module provides a class, :class:`ssl.SSLSocket`, which is derived from the "
           ":class:`socket.socket` type")
def sslsocket_is_a_socket(env: Any) -> None:
    cls = env.const("SSLSocket")
    expect_true(isinstance(cls, type) and issubclass(cls, socket.socket),
                "SSLSocket is a subclass of socket.socket", expected="socket.socket",
                actual=[c.__name__ for c in getattr(cls, "__mro__", ())])


@case("api/SSLContext/instances-are-SSLContext", spec="SSLContext",
      basis="spec",
      cite="class:: SSLContext(protocol)")
def context_instance(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_true(isinstance(ctx, env.ssl.SSLContext), "SSLContext(...) returns an SSLContext")


def distinct(env: Any, group: str, names: str, bits: bool, spec: str) -> None:
    values = {}
    for n in names.split():
        if hasattr(env.ssl, n):
            values[n] = getattr(env.ssl, n)
    # OpenSSL >= 1.1 defines SSL_OP_NO_SSLv2 as 0: with SSLv2 gone there is
    # nothing to forbid.  That is conforming only where SSLv2 is unavailable.
    if int(values.get("OP_NO_SSLv2", 1)) == 0 and not hasattr(env.ssl, "PROTOCOL_SSLv2"):
        del values["OP_NO_SSLv2"]
    if len(values) < 2:
        raise Unsupported(group, "fewer than two of the names are present")
    expect_true(len(set(values.values())) == len(values), f"{group} constants are distinct",
                expected="distinct", actual={k: int(v) for k, v in values.items()})
    if bits:
        for n, v in values.items():
            expect_true(int(v) != 0 and int(v) & (int(v) - 1) == 0, f"{n} is a single option bit",
                        expected="one bit", actual=hex(int(v)))


table("api/{spec}/distinct-{group}", spec="{spec}",
      basis="spec",
      cite=lambda row: apilisting.directive(row["spec"]), rows=[
    {"group": "PROTOCOL", "spec": "PROTOCOL_SSLv23", "bits": False,
     "names": "PROTOCOL_SSLv2 PROTOCOL_SSLv3 PROTOCOL_SSLv23 PROTOCOL_TLSv1"},
    {"group": "OP_NO", "spec": "OP_NO_TLSv1", "bits": True, "names": "OP_NO_SSLv2 OP_NO_SSLv3 OP_NO_TLSv1"},
    {"group": "CERT", "spec": "CERT_OPTIONAL", "bits": False, "names": "CERT_NONE CERT_OPTIONAL CERT_REQUIRED"},
])(distinct)


@case("api/OP_ALL/excludes-OP_NO", spec="OP_ALL",
      basis="spec",
      cite="Enables workarounds for various bugs present in other SSL implementations.")
def op_all_excludes_version_bits(env: Any) -> None:
    op_all = int(env.const("OP_ALL"))
    for n in ("OP_NO_SSLv2", "OP_NO_SSLv3", "OP_NO_TLSv1"):
        if hasattr(env.ssl, n):
            bit = int(getattr(env.ssl, n))
            expect_true(op_all & bit == 0, f"OP_ALL does not include {n} (it is a set of workarounds)",
                        expected=0, actual=hex(op_all & bit))
