"""Running one case against one implementation and judging the outcome.

The verdict is one of:

``pass``            the case returned: the documented behaviour was observed
                    (what it returns, e.g. the negotiated version, is kept
                    as the record's ``observed``);
``fail``            it raised :class:`CaseFailure` (or the implementation raised
                    something the case did not expect);
``deviation``       it failed where an expectation entry says it will;
``unexpected-pass`` it passed where an expectation says it fails;
``unsupported``     it raised :class:`Unsupported`: a capability is missing;
``error``           the harness itself broke (never excused by expectations).

``fail``, ``unexpected-pass`` and ``error`` fail the run.
"""
from __future__ import annotations

import dataclasses
import os
import time
import traceback
from typing import Any, Dict, Optional

from .expectations import Expectation
from .registry import Case, CaseFailure, Unsupported, _jsonable

__all__ = ["Record", "run_case", "FAILING", "OUTCOMES"]

OUTCOMES = ("pass", "fail", "deviation", "unexpected-pass", "unsupported", "error", "flaky")
FAILING = frozenset({"fail", "unexpected-pass", "error"})

_HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
#: Exceptions that, raised from harness code, mean the harness is broken.
_HARNESS_BUGS = (NameError, ImportError, SyntaxError, KeyError, IndexError)


@dataclasses.dataclass
class Record:
    """One result record of results.json (see the schema for every field)."""

    id: str
    impl: str
    area: str
    spec: str
    params: Dict[str, Any]
    outcome: str = "pass"
    expected: Any = None
    actual: Any = None
    message: str = ""
    observed: Any = None
    reason: Optional[str] = None
    flaky_rate: Optional[float] = None
    duration: float = 0.0
    nodeid: str = ""

    def as_json(self) -> Dict[str, Any]:
        # Every field already holds plain JSON data (cases pass what they
        # record through ``_jsonable``): a shallow copy, not asdict's deep one.
        return dict(vars(self))


def _origin(exc: BaseException) -> str:
    """``file:line`` of the innermost frame, for messages."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return "?"
    frame = tb[-1]
    return f"{os.path.basename(frame.filename)}:{frame.lineno}"


def _is_harness_bug(exc: BaseException) -> bool:
    tb = traceback.extract_tb(exc.__traceback__)
    return bool(tb) and isinstance(exc, _HARNESS_BUGS) and tb[-1].filename.startswith(_HARNESS_DIR)


def run_case(case: Case, env: Any, impl: str, expectation: Optional[Expectation]) -> Record:
    """Run ``case`` with ``env`` and judge it (``expectation`` may excuse a failure)."""
    rec = Record(id=case.id, impl=impl, area=case.area, spec=case.spec,
                 params=_jsonable(dict(case.params)))
    start = time.perf_counter()
    try:
        observed = case.run(env)
        rec.outcome = "pass"
        if observed is not None:
            rec.observed = _jsonable(observed)
    except CaseFailure as exc:
        rec.outcome, rec.message = "fail", exc.message
        rec.expected, rec.actual = _jsonable(exc.expected), _jsonable(exc.actual)
    except Unsupported as exc:
        rec.outcome, rec.message, rec.reason = "unsupported", str(exc), exc.capability
    except Exception as exc:
        if _is_harness_bug(exc):
            rec.outcome = "error"
            rec.message = f"harness error {type(exc).__name__}: {exc} at {_origin(exc)}"
        else:
            rec.outcome = "fail"
            rec.message = f"unexpected {type(exc).__name__}: {exc} (at {_origin(exc)})"
            rec.actual = f"{type(exc).__name__}: {exc}"
    finally:
        env.close()
        rec.duration = round(time.perf_counter() - start, 6)
    if expectation is not None and rec.outcome in ("pass", "fail"):
        rec.reason = expectation.reason
        if rec.outcome == "fail":
            rec.outcome = "deviation"
        else:
            rec.outcome = "unexpected-pass"
            rec.message = (f"listed as a known deviation ({expectation.describe()}: "
                           f"{expectation.reason}) but the case passed; remove the entry")
    return rec
