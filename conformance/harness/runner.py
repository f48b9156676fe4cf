"""Running one case against one implementation and judging the outcome.

The verdict is one of:

``pass``            the case returned: the documented behaviour was observed
                    (what it returns, e.g. the negotiated version, is kept
                    as the record's ``observed``);
``fail``            it raised :class:`CaseFailure` (or the implementation raised
                    something the case did not expect, or it hung: see
                    :func:`deadline`);
``deviation``       it failed where an expectation entry says it will;
``unexpected-pass`` it passed where an expectation says it fails;
``unsupported``     it raised :class:`Unsupported`: a capability is missing;
``error``           the harness itself broke (never excused by expectations).

``fail``, ``unexpected-pass`` and ``error`` fail the run.

Every record carries the case's ``basis`` (``spec`` or ``cpython``) and the
span of editions that document it (``editions``), and a failing one its ``cause`` (``conformance.harness.causes``): computed here, where the
exception and its traceback are at hand, so every view can group failures by
cause from results.json alone.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
import time
import traceback
from typing import Any, Dict, Iterator, List, Optional

from .. import PACKAGE_DIR
from . import causes
from ..judge.basis import RUN
from ..judge.expectations import Expectation
from .loopback import take_side_errors
from .registry import Case, CaseFailure, Unsupported, jsonable

__all__ = ["Record", "run_case", "FAILING", "OUTCOMES"]

OUTCOMES = ("pass", "fail", "deviation", "unexpected-pass", "unsupported", "error", "flaky")
FAILING = frozenset({"fail", "unexpected-pass", "error"})

_HARNESS_DIR = str(PACKAGE_DIR)
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
    #: the label an inherited expectation was written for (``based_on``), else None
    inherited_from: Optional[str] = None
    flaky_rate: Optional[float] = None
    duration: float = 0.0
    nodeid: str = ""
    #: ``spec`` / ``cpython`` (the case's), or ``run`` for records that are not cases
    basis: str = RUN
    #: why it failed (``causes``): type, normalised message, origin; None when it did not
    cause: Optional[Dict[str, str]] = None
    #: the span of editions that document what the case checks (``"3.2+"``, ``"3.2-3.4"``,
    #: ``"3.5+"``); None for records that are not cases
    editions: Optional[str] = None

    def as_json(self) -> Dict[str, Any]:
        """The record as plain JSON data, whatever a case or the code under
        test put in it (an enum, an object): it must survive the trip from
        an xdist worker, and results.json."""
        return {key: jsonable(value) for key, value in vars(self).items()}


def _roots(env: Any) -> List[str]:
    """Where the code of the implementations a case runs lives (``env`` and its peer)."""
    impls = [getattr(e, "impl", None) for e in (env, getattr(env, "peer", None))]
    return causes.roots_of(*(i.module for i in impls if getattr(i, "module", None) is not None))


def _is_harness_bug(exc: BaseException) -> bool:
    tb = traceback.extract_tb(exc.__traceback__)
    return bool(tb) and isinstance(exc, _HARNESS_BUGS) and tb[-1].filename.startswith(_HARNESS_DIR)


#: a case may run this many socket timeouts (``--case-timeout``) in all before
#: it counts as hung
DEADLINE_TIMEOUTS = 6


class CaseHung(BaseException):
    """Raised into a case that outlived its deadline.  A ``BaseException``,
    like ``KeyboardInterrupt``, so that ``except Exception`` in the code under
    test cannot swallow it."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the body with :class:`CaseHung` after ``seconds``.

    Every socket operation of the harness has a timeout, but the code under
    test can still block the thread for good (a green-thread hub waiting on a
    peer that will never speak, with no timer armed).  ``SIGALRM`` interrupts
    even a blocking system call.  Only where it can: POSIX, main thread
    (pytest and its xdist workers run cases there); elsewhere a no-op.
    """
    if (seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        where = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}" if frame else "?"
        raise CaseHung(f"hung: the case did not finish within {seconds:g} s (stuck in {where})")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, env: Any, impl: str, expectation: Optional[Expectation]) -> Record:
    """Run ``case`` with ``env`` and judge it (``expectation`` may excuse a failure)."""
    rec = Record(id=case.id, impl=impl, area=case.area, spec=case.spec,
                 params=jsonable(dict(case.params)), basis=case.basis or "spec", editions=case.editions)
    roots = _roots(env)
    take_side_errors()  # whatever earlier cases' threads left
    start = time.perf_counter()
    try:
        with deadline(DEADLINE_TIMEOUTS * env.timeout):
            observed = case.run(env)
        rec.outcome = "pass"
        if observed is not None:
            rec.observed = jsonable(observed)
    except CaseFailure as exc:
        rec.outcome, rec.message = "fail", exc.message
        rec.expected, rec.actual = jsonable(exc.expected), jsonable(exc.actual)
        rec.cause = causes.check_cause(exc, exc.message, roots, take_side_errors(), rec.actual)
    except Unsupported as exc:
        rec.outcome, rec.message, rec.reason = "unsupported", str(exc), exc.capability
    except CaseHung as exc:
        rec.outcome, rec.message = "fail", str(exc)
        rec.actual = "no result: hung"
        rec.cause = causes.exception_cause(exc, roots)
    except Exception as exc:
        rec.cause = causes.exception_cause(exc, roots)
        if _is_harness_bug(exc):
            rec.outcome = "error"
            rec.message = f"harness error {type(exc).__name__}: {exc} at {rec.cause['origin']}"
        else:
            rec.outcome = "fail"
            rec.message = f"unexpected {type(exc).__name__}: {exc} (at {rec.cause['origin']})"
            rec.actual = f"{type(exc).__name__}: {exc}"
    finally:
        env.close()
        rec.duration = round(time.perf_counter() - start, 6)
    if expectation is not None and rec.outcome in ("pass", "fail"):
        rec.reason, rec.inherited_from = expectation.reason, expectation.inherited_from
        if rec.outcome == "fail":
            rec.outcome = "deviation"
        else:
            rec.outcome = "unexpected-pass"
            remedy = ("this implementation does not share its base's deviation: add the case to its "
                      "based_on 'except' list" if expectation.inherited_from else "remove the entry")
            rec.message = (f"listed as a known deviation ({expectation.describe()}: "
                           f"{expectation.reason}) but the case passed; {remedy}")
            rec.cause = {"type": "unexpected-pass", "origin": expectation.source,
                         "message": "listed as a known deviation but the case passed"}
    return rec
