"""Cases are data: a stable id, an area, the spec section it checks, parameters.

A case is a plain function ``func(env, **params)`` registered under an id that
never depends on file layout, e.g. ``api/SSLContext.load_cert_chain/key-mismatch``
or ``matrix/default/client=TLSv1/server=SSLv23``.  The first path segment is
the *area*.  A case says what it observed by returning normally (pass), by
raising :class:`CaseFailure` (the implementation did something other than the
documented behaviour), or :class:`Unsupported` (the implementation lacks a
capability the case needs; not a failure).  Anything else escaping a case is
reported as a failure of the implementation if it came from the module under
test, and as ``error`` if the harness itself broke (see ``runner``).

Case modules register with :func:`case` for a single case or
:func:`table` for one function driven by rows of data::

    @case("api/SSLContext.protocol/read-only", spec="SSLContext.protocol")
    def protocol_is_read_only(env):
        ...

    table("api/DER_cert_to_PEM_cert/round-trip/{name}", spec="DER_cert_to_PEM_cert",
          rows=[{"name": "server"}, {"name": "client"}])(round_trip)

This module imports only the standard library.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

__all__ = [
    "Case",
    "CaseFailure",
    "Unsupported",
    "REGISTRY",
    "case",
    "table",
    "expect_equal",
    "expect_true",
]


@dataclasses.dataclass(frozen=True)
class Case:
    """One conformance case.

    ``spec`` names the documented item the case checks, exactly as it appears
    in the API listing (``wrap_socket``, ``SSLSocket.getpeercert``,
    ``CERT_REQUIRED``...).  ``pair`` cases run with two implementations, a
    client-side one (``env``) and a server-side one (``env.peer``), over every
    ordered pair of implementations under test.
    """

    id: str
    spec: str
    func: Callable[..., Any]
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    pair: bool = False

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]

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
    REGISTRY[c.id] = c
    return c


def case(id: str, *, spec: str, pair: bool = False, **params: Any) -> Callable:
    """Register ``func`` as the case ``id``; keyword ``params`` are passed to it."""

    def decorate(func: Callable) -> Callable:
        _register(Case(id=id, spec=spec, func=func, params=params, pair=pair))
        return func

    return decorate


def table(
    id_template: str,
    *,
    spec: str,
    rows: Iterable[Mapping[str, Any]],
    pair: bool = False,
) -> Callable:
    """Register one case per row: the id is ``id_template.format(**row)``.

    ``spec`` may itself be a template, filled from the row.
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
                )
            )
        return func

    return decorate


def expect_equal(actual: Any, expected: Any, what: str) -> None:
    """Raise :class:`CaseFailure` naming ``what`` unless ``actual == expected``."""
    if actual != expected:
        raise CaseFailure(
            f"{what}: expected {expected!r}, got {actual!r}",
            expected=_jsonable(expected),
            actual=_jsonable(actual),
        )


def expect_true(condition: Any, what: str, *, expected: Any = True, actual: Any = None) -> None:
    """Raise :class:`CaseFailure` with message ``what`` unless ``condition``."""
    if not condition:
        raise CaseFailure(what, expected=_jsonable(expected), actual=_jsonable(actual))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex() if len(value) <= 64 else f"<{len(value)} bytes>"
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return repr(value)


def cases_for(area: Optional[str] = None) -> List[Case]:
    """All registered cases, sorted by id, optionally of one area."""
    return sorted(
        (c for c in REGISTRY.values() if area is None or c.area == area),
        key=lambda c: c.id,
    )
