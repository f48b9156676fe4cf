"""A fault proves something only where the same path works without it.

A hostile case passes on a failure: a reset mid-handshake must end in an
``SSLError``, bytes that are not TLS must be refused, a silent peer must
time the call out.  Failing is also what an implementation does that cannot
make the exchange at all: a "server" that acts as a client (its
``server_side`` ignored) fails every handshake, reset or no reset, and a
case that accepts any failure passes on it.

So, as tlsfuzzer opens every conversation with a sanity probe, each case
first runs its *control* (:func:`control`): the same client and server
bodies over the same path -- the same relay, the same contexts -- with no
fault injected, which must complete.  If it does not, the case fails with
the control's cause ("control without a fault failed: ..."); where the
control needs a capability the implementation lacks, the ``Unsupported``
it raises passes through.  A case that injects many faults over one path (a
cut after every record) runs one control for all of them.

A pass then also needs evidence that the fault, where it was injected, is
what ended the connection: :func:`ended_by_cut` (the relay really cut,
after as many records as the case meant, and the side stopped after that
moment: ``conformance.harness.relay.Cut``) and :func:`ended_after` (a side stopped
after the moment a peer misbehaved).  Moments are ``time.monotonic()``
readings; only their order is compared, never a duration.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

from .registry import CaseFailure

__all__ = ["CONTROL_FAILED", "control", "ended_after", "ended_by_cut"]

T = TypeVar("T")

#: how every control failure's message starts
CONTROL_FAILED = "control without a fault failed"


def control(what: str, run: Callable[[], T], problem: Callable[[T], Optional[str]]) -> T:
    """Run ``run()``, the case's exchange with no fault, and return its result.

    ``problem(result)`` says what is wrong with the result (``None``: it
    completed as it must).  A problem, or a ``CaseFailure`` of the run itself
    (a side that hung or let an exception escape), fails the case with
    ``"control without a fault failed: <what>: <cause>"``.
    """
    try:
        result = run()
    except CaseFailure as exc:
        raise CaseFailure(f"{CONTROL_FAILED}: {what}: {exc.message}", expected=f"{what} completes",
                          actual=exc.actual) from exc
    why = problem(result)
    if why is not None:
        raise CaseFailure(f"{CONTROL_FAILED}: {what}: {why}", expected=f"{what} completes", actual=why)
    return result


def ended_after(fault: str, at: Optional[float], who: str, ended: Optional[float]) -> None:
    """``CaseFailure`` unless ``fault`` happened (at ``at``) and ``who``
    stopped (at ``ended``) no earlier: else something else stopped it."""
    if at is None:
        raise CaseFailure(f"the {who} stopped, but the fault ({fault}) never happened: something else "
                          "stopped it", expected=f"stopped by {fault}", actual="no fault injected")
    if ended is None or ended < at:
        raise CaseFailure(f"the {who} stopped before the fault ({fault}): the fault is not what ended it",
                          expected=f"stopped by {fault}", actual="stopped before the fault")


def ended_by_cut(relay: Any, who: str, ended: Optional[float], *, mode: str,
                 direction: Optional[str] = None, records: Optional[int] = None) -> None:
    """The relay's cut (``mode``; with ``direction``, after exactly ``records``
    whole records that way) happened, and ``who`` stopped after it."""
    cut = relay.cut_event
    fault = f"the relay's {mode}" + (f" after {records} record(s) {direction}" if direction else "")
    if cut is not None and cut.mode != mode:
        raise CaseFailure(f"the relay ended the connection with {cut.mode!r}, not with {fault}",
                          expected=mode, actual=cut.mode)
    if cut is not None and direction is not None and cut.records[direction] != records:
        raise CaseFailure(f"the relay cut after {cut.records[direction]} record(s) {direction}: not "
                          f"{fault}", expected=records, actual=cut.records[direction])
    ended_after(fault, cut.at if cut else None, who, ended)
