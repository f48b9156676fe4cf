"""Why a case failed, as data that groups: the cause of a failing record.

When a module lacks ``SSLContext``, some four hundred cases fail with the same
``AttributeError``; the report must say that once, with a count, before the
wall of cases.  So every failing record carries a ``cause``::

    {"type": "AttributeError",
     "message": "module 'mymod' has no attribute 'SSLContext'",
     "origin": "mymod/__init__.py:41 in wrap_socket"}

``type``     the exception's class (``builtins`` left out), or ``CaseFailure``
             when a check of the case failed, ``CaseHung`` when it hung;
``message``  its text with what varies from one run or case to the next
             replaced by placeholders (:func:`normalise`): addresses, ports,
             descriptors, object ids, paths, long numbers;
``origin``   where it was raised, as ``file:line in function``: the innermost
             frame *in the implementation's code* (:func:`origin`), not the
             harness's -- a case's client thread, the socket plumbing of the
             standard library and ``conformance/`` itself are looked through.

The runner computes it where the failure is caught (the traceback is at hand
there, and for an error of a client or server thread it travels as the
``__cause__`` of the :class:`~conformance.harness.registry.CaseFailure`); the views
group records by it with :func:`group` alone, from results.json.

Standard library only.
"""
from __future__ import annotations

import builtins
import dataclasses
import os
import re
import sys
import sysconfig
import traceback
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from .. import PACKAGE_DIR

__all__ = ["Cause", "CauseGroup", "normalise", "origin", "roots_of", "exception_cause", "check_cause",
           "record_cause", "group", "describe"]

Cause = Dict[str, str]

_HARNESS_DIR = str(PACKAGE_DIR)
#: the registry's checking helpers (``expect_equal``...): never the place a check is made
_REGISTRY_FILE = os.path.join(_HARNESS_DIR, "harness", "registry.py")
_STDLIB_DIR = os.path.abspath(sysconfig.get_paths()["stdlib"])
#: standard-library modules that only carry a call through: a frame in them is never the origin
PLUMBING = frozenset({"threading.py", "socket.py", "selectors.py", "contextlib.py", "functools.py",
                      "subprocess.py"})
#: how much of a message a cause keeps
MESSAGE_LIMIT = 300
#: what a harness-frame origin says of itself
HARNESS_NOTE = "(harness frame: no frame of the implementation on the stack)"
#: ... and the origin of a failed check with no error of the implementation behind it
CHECK_NOTE = "(the case's check)"

# (pattern, replacement), applied in order.
_VARIABLE: Tuple[Tuple["re.Pattern[str]", str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"0x[0-9a-fA-F]{4,}", "0x<hex>"),                                        # object ids, addresses
    (r"(['\"](?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:]+)['\"],\s*)\d+", r"\1<port>"),  # ('h', p)
    (r"\b((?:\d{1,3}(?:\.\d{1,3}){3})|localhost|\[[0-9a-fA-F:]+\]):\d+\b", r"\1:<port>"),         # h:p
    (r"\bport \d+", "port <port>"),
    (r"\bfd=\d+", "fd=<fd>"),
    (r"\b(fd|descriptor|pid|uid|Thread-)\s?(\d+)", r"\1 <n>"),
    (r"(?<![\w.<>-])(?:/[\w.@+~-]+){2,}/?", "<path>"),                       # absolute paths
    (r"\b\d+\.\d{3,}\b", "<n>"),                                               # measured times
    (r"(?<![\w<])\d{5,}\b", "<n>"),                                            # long numbers
))


def normalise(message: str) -> str:
    """``message`` with the parts that vary between runs replaced, on one line.

    Errno numbers, OpenSSL reason codes and short counts stay: they are what
    tells one cause from another.
    """
    text = " ".join(str(message).split())
    for pattern, replacement in _VARIABLE:
        text = pattern.sub(replacement, text)
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 3] + "..."


# -- where it was raised ------------------------------------------------------

def roots_of(*modules: Any) -> List[str]:
    """Where each module's code lives: its top-level package's directory, or its
    file for a single-module implementation (the stdlib's ``ssl.py`` -- not the
    whole standard library)."""
    roots = []
    for module in modules:
        name = getattr(module, "__name__", "")
        top = sys.modules.get(name.split(".")[0], module)
        path = getattr(top, "__file__", None) or getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.abspath(path)
        roots.append(os.path.dirname(path) if os.path.basename(path) == "__init__.py" else path)
    return roots


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _is_harness(path: str) -> bool:
    return _under(path, _HARNESS_DIR)


def _is_plumbing(path: str) -> bool:
    return (path.startswith("<") or os.path.dirname(path) == _STDLIB_DIR
            and os.path.basename(path) in PLUMBING)


def short_path(path: str) -> str:
    """``path`` as a reader finds it: relative to the working directory when it is
    under it, else to the ``sys.path`` entry it was imported from."""
    if path.startswith("<"):
        return path
    path = os.path.abspath(path)
    cwd = os.getcwd()
    if _under(path, cwd):
        return os.path.relpath(path, cwd)
    bases = [os.path.abspath(p) for p in sys.path if p and _under(path, os.path.abspath(p))]
    return os.path.relpath(path, max(bases, key=len)) if bases else path


def origin(frames: Sequence[traceback.FrameSummary], roots: Sequence[str] = (), *,
           note: str = HARNESS_NOTE) -> str:
    """The frame to blame, outermost-first ``frames`` in: ``file:line in function``.

    1. the innermost frame in one of ``roots`` (the implementations' code);
    2. else the innermost frame that is neither the harness (``conformance/``)
       nor standard-library plumbing (threads, sockets, context managers): a
       module the implementation called, or one it was built from;
    3. else the innermost harness frame outside the registry's checking
       helpers and the plumbing, marked as such (``note``: :data:`HARNESS_NOTE`, or :data:`CHECK_NOTE`
       for a failed check, which is the harness's by nature).
    """
    paths = [os.path.abspath(f.filename) if not f.filename.startswith("<") else f.filename for f in frames]
    for keep in (lambda p: any(_under(p, r) for r in roots),
                 lambda p: not _is_harness(p) and not _is_plumbing(p)):
        for frame, path in zip(reversed(frames), reversed(paths)):
            if keep(path):
                return f"{short_path(path)}:{frame.lineno} in {frame.name}"
    if not frames:
        return "?"
    harness = [f for f, p in zip(frames, paths) if p != _REGISTRY_FILE and not _is_plumbing(p)] or list(frames)
    frame = harness[-1]
    return f"{short_path(frame.filename)}:{frame.lineno} in {frame.name} {note}"


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    module = getattr(cls, "__module__", "")
    return cls.__qualname__ if module in ("builtins", builtins.__name__) else f"{module}.{cls.__qualname__}"


def exception_cause(exc: BaseException, roots: Sequence[str] = ()) -> Cause:
    """The cause of a failure that is an exception escaping the case."""
    return {"type": _type_name(exc), "message": normalise(str(exc)),
            "origin": origin(traceback.extract_tb(exc.__traceback__), roots)}


def check_cause(exc: BaseException, message: str, roots: Sequence[str] = (),
                side_errors: Sequence[BaseException] = (), actual: Any = None) -> Cause:
    """The cause of a failed check (a ``CaseFailure``).

    When an error of the implementation is behind the failure, the cause is that
    error's (:func:`exception_cause`): the ``__cause__`` the case gave it
    (``raise CaseFailure(...) from err``), or else the error of a client or
    server thread (``side_errors``, each with its traceback) that the message or
    the ``actual`` value quotes.  So the hundreds of cases that fail because a
    server side raised the same error make one cause, whatever each checked.
    Otherwise it is the check's message, at the check in the case.
    """
    behind = exc.__cause__
    if behind is None:
        quoted = f"{message}\n{actual}"
        behind = next((e for e in side_errors if str(e) and str(e) in quoted), None)
    if isinstance(behind, BaseException) and behind.__traceback__ is not None:
        return exception_cause(behind, roots)
    return {"type": type(exc).__name__, "message": normalise(message),
            "origin": origin(traceback.extract_tb(exc.__traceback__), roots, note=CHECK_NOTE)}


def record_cause(record: Mapping[str, Any]) -> Cause:
    """A record's cause: the one the runner stored, else (records of older runs,
    records that are not cases) one made from its outcome and message."""
    cause = record.get("cause")
    if isinstance(cause, dict) and cause.get("message") is not None:
        return {"type": str(cause.get("type", "")), "message": str(cause["message"]),
                "origin": str(cause.get("origin") or "")}
    return {"type": str(record.get("outcome", "")), "message": normalise(record.get("message") or ""),
            "origin": ""}


# -- grouping -------------------------------------------------------------------

@dataclasses.dataclass
class CauseGroup:
    """The records that share one cause."""

    cause: Cause
    records: List[Mapping[str, Any]]

    @property
    def count(self) -> int:
        return len(self.records)

    def examples(self, n: int = 3) -> List[str]:
        """Up to ``n`` distinct case ids, in record order."""
        return list(dict.fromkeys(str(r.get("id")) for r in self.records))[:n]

    def impls(self) -> List[str]:
        return sorted({str(r.get("impl")) for r in self.records})


def _in_harness(where: str) -> bool:
    return where.endswith((HARNESS_NOTE, CHECK_NOTE))


def group(records: Iterable[Mapping[str, Any]], *, min_count: int = 1) -> List[CauseGroup]:
    """``records`` grouped by cause (type, message, origin): largest group first,
    then by type and message; groups smaller than ``min_count`` left out.

    An origin in the implementation's code is part of the cause; a harness
    frame is not: a module without ``SSLContext`` fails with one
    ``AttributeError`` at as many places of the harness as cases touch it,
    and that is one cause (its origin then says how many places).
    """
    by_key: Dict[Tuple[str, str, str], CauseGroup] = {}
    places: Dict[Tuple[str, str, str], set] = {}
    for rec in records:
        cause = record_cause(rec)
        key = (cause["type"], cause["message"], "" if _in_harness(cause["origin"]) else cause["origin"])
        by_key.setdefault(key, CauseGroup(dict(cause), [])).records.append(rec)
        places.setdefault(key, set()).add(cause["origin"])
    for key, where in places.items():
        if len(where) > 1:
            first = sorted(where)[0].replace(HARNESS_NOTE, "").replace(CHECK_NOTE, "").strip()
            by_key[key].cause["origin"] = f"{len(where)} places in the harness, e.g. {first}"
    groups = [g for g in by_key.values() if g.count >= min_count]
    return sorted(groups, key=lambda g: (-g.count, g.cause["type"], g.cause["message"], g.cause["origin"]))


def describe(cause: Mapping[str, str]) -> str:
    """One line: ``Type: message`` (the type left out where the message starts with it)."""
    kind, message = cause.get("type", ""), cause.get("message", "")
    return message if not kind or message.startswith(kind) else f"{kind}: {message}"
