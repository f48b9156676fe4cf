"""Cases are data: a stable id, an area, the spec section it checks, its basis, parameters.

A case is a plain function ``func(env, **params)`` registered under an id that
never depends on file layout, e.g. ``api/SSLContext.load_cert_chain/key-mismatch``
or ``matrix/default/client=TLSv1/server=SSLv23``.  The first path segment is
the *area*.  A case says what it observed by returning normally (pass), by
raising :class:`CaseFailure` (the implementation did something other than the
documented behaviour), or :class:`Unsupported` (the implementation lacks a
capability the case needs; not a failure).  Anything else escaping a case is
reported as a failure of the implementation if it came from the module under
test, and as ``error`` if the harness itself broke (see ``runner``).

Every case says its *basis*, what makes its expectation right:

``"spec"``     the documented API requires it; ``cite`` is a short quote of the
               sentence of ``ssl-3.2.rst`` that says so (a test holds every quote
               against the spec text);
``"cpython"``  the spec is silent and the case holds the implementation to what
               CPython does (an errno, an exception type or message the spec does
               not name, an undocumented name or default); ``cite`` is a one-line
               note of what CPython does.

A case is only as documented as its strictest check: one CPython-only assertion
makes the whole case ``cpython``.  Reports keep the two apart, and ``--basis``
selects one of them.

Case modules register with :func:`case` for a single case or
:func:`table` for one function driven by rows of data::

    @case("api/SSLContext.protocol/read-only", spec="SSLContext.protocol", basis="cpython",
          cite="CPython raises AttributeError on assignment to the read-only protocol")
    def protocol_is_read_only(env):
        ...

    table("api/DER_cert_to_PEM_cert/round-trip/{name}", spec="DER_cert_to_PEM_cert", basis="spec",
          cite="returns a PEM-encoded string version of the same certificate",
          rows=[{"name": "server"}, {"name": "client"}])(round_trip)

A table whose basis depends on the row passes callables of the row for
``basis`` and ``cite``.

Every case also carries the *span* of editions that document what it
checks (``conformance.judge.editions``): ``since=`` (default ``3.2``, the
base spec) and ``until=`` (the first edition that no longer documents it,
default none).  A case runs only in a run whose ``--edition`` is inside its
span; a behaviour documented differently in two editions is one row per
span.  ``since``/``until`` of a table may be functions of the row, too.

This module imports only the standard library.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from ..judge.basis import BASES
from ..judge.editions import BASE, check_span, span_text, within

__all__ = [
    "BASES",
    "Case",
    "CaseFailure",
    "Unsupported",
    "REGISTRY",
    "case",
    "table",
    "expect_equal",
    "expect_true",
]



#: ``basis=`` / ``cite=`` of :func:`table`: a value, or a function of the row.
PerRow = Union[str, Callable[[Mapping[str, Any]], str]]


@dataclasses.dataclass(frozen=True)
class Case:
    """One conformance case.

    ``spec`` names the documented item the case checks, exactly as it appears
    in the API listing (``wrap_socket``, ``SSLSocket.getpeercert``,
    ``CERT_REQUIRED``...).  ``pair`` cases run with two implementations, a
    client-side one (``env``) and a server-side one (``env.peer``), over every
    ordered pair of implementations under test.  ``basis`` and ``cite``: see
    the module docstring (empty only for a case built by hand, never for a
    registered one).
    """

    id: str
    spec: str
    func: Callable[..., Any]
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    pair: bool = False
    basis: str = ""
    cite: str = ""
    since: str = BASE
    until: Optional[str] = None

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def editions(self) -> str:
        """The span of editions that document the case, as reports show it (``3.5+``)."""
        return span_text(self.since, self.until)

    def in_edition(self, edition: str) -> bool:
        return within(edition, self.since, self.until)

    def run(self, env: Any) -> Any:
        return self.func(env, **self.params)


class CaseFailure(AssertionError):
    """The implementation's behaviour differs from the documented one.

    ``expected`` and ``actual`` are short, JSON-friendly descriptions that end
    up side by side in every report.
    """

    def __init__(self, message: str, *, expected: Any = None, actual: Any = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual


class Unsupported(Exception):
    """The implementation lacks ``capability``; the case cannot apply."""

    def __init__(self, capability: str, detail: str = ""):
        super().__init__(f"{capability}: {detail}" if detail else capability)
        self.capability = capability
        self.detail = detail


REGISTRY: Dict[str, Case] = {}


def _register(c: Case) -> Case:
    if c.id in REGISTRY:
        raise ValueError(f"duplicate case id {c.id!r}")
    if "/" not in c.id:
        raise ValueError(f"case id {c.id!r} has no area prefix")
    if c.basis not in BASES:
        raise ValueError(f"case {c.id!r}: basis {c.basis!r} is not one of {', '.join(BASES)}")
    if not c.cite.strip():
        raise ValueError(f"case {c.id!r}: no cite (the spec's sentence, or what CPython does)")
    check_span(c.since, c.until, f"case {c.id!r}")
    REGISTRY[c.id] = c
    return c


def case(id: str, *, spec: str, basis: str, cite: str, pair: bool = False, since: str = BASE,
         until: Optional[str] = None, **params: Any) -> Callable:
    """Register ``func`` as the case ``id``; keyword ``params`` are passed to it."""

    def decorate(func: Callable) -> Callable:
        _register(Case(id=id, spec=spec, func=func, params=params, pair=pair, basis=basis, cite=cite,
                       since=since, until=until))
        return func

    return decorate


def table(
    id_template: str,
    *,
    spec: str,
    basis: PerRow,
    cite: PerRow,
    rows: Iterable[Mapping[str, Any]],
    pair: bool = False,
    since: Union[str, Callable[[Mapping[str, Any]], str]] = BASE,
    until: Union[None, str, Callable[[Mapping[str, Any]], Optional[str]]] = None,
) -> Callable:
    """Register one case per row: the id is ``id_template.format(**row)``.

    ``spec`` may itself be a template, filled from the row; ``basis`` and
    ``cite`` may be functions of the row (a quote is never a template: the
    spec's text has braces of its own).
    """

    def decorate(func: Callable) -> Callable:
        for row in rows:
            _register(
                Case(
                    id=id_template.format(**row),
                    spec=spec.format(**row),
                    func=func,
                    params=dict(row),
                    pair=pair,
                    basis=basis(row) if callable(basis) else basis,
                    cite=cite(row) if callable(cite) else cite,
                    since=since(row) if callable(since) else since,
                    until=until(row) if callable(until) else until,
                )
            )
        return func

    return decorate


#: the longest a value is shown in the one-line message of a failure (its record keeps more)
SHOWN_MAX = 160


def expect_equal(actual: Any, expected: Any, what: str) -> None:
    """Raise :class:`CaseFailure` naming ``what`` unless ``actual == expected``."""
    if actual != expected:
        raise CaseFailure(
            f"{what}: expected {_shown(expected)}, got {_shown(actual)}{_where_they_differ(actual, expected)}",
            expected=jsonable(expected),
            actual=jsonable(actual),
        )


def _shown(value: Any) -> str:
    """``repr(value)``, cut to :data:`SHOWN_MAX` characters with its length said."""
    text = repr(value)
    if len(text) <= SHOWN_MAX:
        return text
    size = f"{len(value)} {'bytes' if isinstance(value, (bytes, bytearray)) else 'items'}, " \
        if isinstance(value, (bytes, bytearray, str, list, tuple)) else ""
    return f"{text[:SHOWN_MAX]}... ({size}{len(text)} characters of repr)"


def _where_they_differ(actual: Any, expected: Any) -> str:
    """For two long strings or byte strings: their lengths and the first offset at which they differ."""
    if not (isinstance(actual, (bytes, str)) and type(actual) is type(expected)):
        return ""
    if len(repr(actual)) <= SHOWN_MAX and len(repr(expected)) <= SHOWN_MAX:
        return ""
    first = next((i for i, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual), len(expected)))
    return f" (length {len(actual)}, expected {len(expected)}; the first difference at offset {first})"


def expect_true(condition: Any, what: str, *, expected: Any = True, actual: Any = None) -> None:
    """Raise :class:`CaseFailure` with message ``what`` unless ``condition``."""
    if not condition:
        raise CaseFailure(what, expected=jsonable(expected), actual=jsonable(actual))


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: what a record may carry across processes.

    Only the exact built-in scalar types pass through.  Subclasses -- an
    implementation's ``IntEnum``/``IntFlag`` constants, ``str`` or ``float``
    subclasses -- are made plain, enums by name and value
    (``"VerifyMode.CERT_NONE (0)"``, ``"Options.OP_ALL (0x80000050)"``,
    ``"Options(0x82520050)"`` for flags without a name), so that a wrong
    answer of any type is shown, never a crash of the worker that sends it.
    Anything else is its ``repr``.
    """
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, enum.Enum):
        return _enum_text(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
        return value.hex() if len(value) <= 64 else f"<{len(value)} bytes>"
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if isinstance(value, (bool, int, float, str)):  # a subclass that is no enum
        return f"{kind.__name__}({kind.__mro__[1].__repr__(value)})"
    try:
        return repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ is shown, not raised
        return f"<{kind.__name__} object; repr() raised {type(exc).__name__}>"


def _enum_text(value: enum.Enum) -> str:
    cls = type(value).__name__
    raw = value.value
    shown = hex(raw) if isinstance(value, enum.Flag) and isinstance(raw, int) else repr(raw)
    if value.name is None:  # a combination of flags without a name (before Python 3.11)
        return f"{cls}({shown})"
    return f"{cls}.{value.name} ({shown})"


def cases_for(area: Optional[str] = None) -> List[Case]:
    """All registered cases, sorted by id, optionally of one area."""
    return sorted(
        (c for c in REGISTRY.values() if area is None or c.area == area),
        key=lambda c: c.id,
    )
