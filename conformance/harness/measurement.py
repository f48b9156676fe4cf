"""Why a side stopped: a TLS outcome, or something that measured nothing.

A handshake that does not complete is a measurement only when it ended the
documented way: the implementation's ``SSLError``, or an ``OSError`` such as
a reset or a timeout from a peer that refused.  Anything else -- an
``AttributeError`` because the socket has no ``do_handshake()`` (urllib3's
``PyOpenSSLContext`` gives such sockets), a ``TypeError`` from a signature
that differs from the spec's, the harness's own finding that the echo came
back wrong, an exception of the harness or of a third-party peer -- says
nothing about the TLS versions, ciphers or certificates the connection was
meant to try.  Counted as "refused", it turns into verdicts: a version
"not completed", a floor that "agrees", an oracle expecting failures that
then come true.

:func:`non_tls_cause` tells the two apart and describes the second kind with
its type, message and origin (:func:`origin`: the innermost frame in the
implementation's code where there is one).
``capabilities`` records every probe that broke this way; a case that reads
the capabilities of a policy with a broken probe gets :class:`ProbeBroken`,
a ``CaseFailure`` whose message starts with the cause.  The matrix's judge
puts the same cause first when a side of a cell stopped this way.
"""
from __future__ import annotations

import traceback
from typing import Any, Dict, Iterable, Optional, Tuple

from . import causes
from .registry import CaseFailure, Unsupported

__all__ = ["origin", "non_tls_cause", "is_refusal", "harness_cause", "result_cause", "describe", "ProbeBroken"]

def origin(exc: BaseException, module: Any = None) -> str:
    """Where ``exc`` was raised: ``"file.py:12 in func"``, the innermost frame
    in ``module``'s own code where there is one (the walk of
    :func:`conformance.harness.causes.origin`); an exception that was never raised
    is the harness's own finding."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "found by the harness"
    return causes.origin(frames, causes.roots_of(module) if module is not None else ())


def is_refusal(exc: Optional[BaseException], module: Any) -> bool:
    """True for the documented ends of a handshake that did not complete:
    the module's ``SSLError`` or an ``OSError`` (reset, timeout, EOF)."""
    ssl_error = getattr(module, "SSLError", None)
    kinds = (OSError,) + ((ssl_error,) if isinstance(ssl_error, type) else ())
    return isinstance(exc, kinds)


def non_tls_cause(exc: Optional[BaseException], module: Any, where: str = "") -> Optional[Dict[str, str]]:
    """``{"cause": "AttributeError: ...", "origin": "x.py:3 in f", "where": where}``
    when ``exc`` is not a TLS outcome; ``None`` for no error, a refusal
    (:func:`is_refusal`) or :class:`~conformance.harness.registry.Unsupported` (a
    capability the module lacks, which is a measurement too).  ``where`` says
    what was running ("the server side", "setting up the client")."""
    if exc is None or is_refusal(exc, module) or isinstance(exc, Unsupported):
        return None
    return {"cause": f"{type(exc).__name__}: {exc}", "origin": origin(exc, module), "where": where}


def harness_cause(exc: BaseException) -> Dict[str, str]:
    """The cause of an exception that escaped the harness or a third-party
    peer (never a TLS outcome: endpoints report TLS failures, they do not raise)."""
    return {"cause": f"{type(exc).__name__}: {exc}", "origin": origin(exc), "where": "the harness or the peer"}


def result_cause(result: Any, where: str) -> Optional[Dict[str, str]]:
    """:func:`non_tls_cause` for a ``PythonResult`` of a module in another
    process (``peers.agent``), which says whether its failure was a TLS
    outcome (``tls_outcome``) but keeps no frames of it."""
    if result.ok or not result.error or getattr(result, "tls_outcome", True):
        return None
    return {"cause": result.error, "origin": "the agent's process", "where": where}


def describe(entry: Dict[str, str]) -> str:
    """``"AttributeError: ... (at x.py:3 in f; the client side)"``."""
    where = f"; {entry['where']}" if entry.get("where") else ""
    return f"{entry['cause']} (at {entry['origin']}{where})"


class ProbeBroken(CaseFailure):
    """A capability this case needs was probed, and the probe broke.

    ``broken`` is ``[(probe, entry), ...]`` as ``Capabilities.broken`` holds
    them (``probe`` is ``"self/default/TLSv1.2"`` or
    ``"third-party/legacy/TLSv1"``); the message names the first one's cause
    first, then the probe, then how many more broke.
    """

    def __init__(self, impl: str, policy: str, broken: Iterable[Tuple[str, Dict[str, str]]]):
        entries = list(broken)
        probe, first = entries[0]
        kind, _, version = probe.split("/", 2)
        kind = {"self": "self-probe", "third-party": "third-party probe"}.get(kind, f"{kind} probe")
        more = f" ({len(entries) - 1} more probes of the policy broke)" if len(entries) > 1 else ""
        super().__init__(
            f"{describe(first)} broke the {kind} of {version} ({policy} policy): not the "
            f"SSLError/OSError of a refused handshake, so what {impl} completes under the {policy} "
            f"policy is unknown and no verdict is derived from it{more}",
            expected="a measured capability: completed, or refused with SSLError/OSError",
            actual={p: describe(e) for p, e in entries})
        self.broken = entries
