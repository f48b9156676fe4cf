"""What an operation left behind: open file descriptors and live threads;
and what this process holds in memory (:func:`rss_kib`, :func:`peak_rss_kib`).

Take a :func:`snapshot` before the operation makes anything, close what it
made, then ask :func:`leftovers` what is still there::

    before = snapshot()
    ...                      # make things, use them, close them
    assert not leftovers(before, timeout=5.0)

A descriptor counts only if it is still open after one garbage collection
(objects in reference cycles, or any object on PyPy, close their descriptor
when collected: that is late, not leaked).  A thread counts only if it is
still alive after being joined for ``timeout`` seconds.  Descriptors are read
from ``/proc/self/fd``; where there is none, only threads are checked.
Standard library only.
"""
from __future__ import annotations

import dataclasses
import gc
import os
import sys
import threading
from typing import Dict, List, Optional, Set

__all__ = ["Snapshot", "open_fds", "snapshot", "leftovers", "rss_kib", "peak_rss_kib"]


def _status_kib(field: str) -> Optional[int]:
    """A ``/proc/self/status`` size field in KiB (``VmRSS``, ``VmHWM``); None without ``/proc``."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _maxrss_kib() -> int:
    try:
        import resource
    except ImportError:  # no resource module (Windows): nothing to report
        return 0
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes there, KiB elsewhere


def rss_kib() -> int:
    """This process's resident set size now, in KiB (its peak where there is no ``/proc``)."""
    now = _status_kib("VmRSS")
    return _maxrss_kib() if now is None else now


def peak_rss_kib() -> int:
    """The largest resident set size this process has had, in KiB (0 when unknown)."""
    peak = _status_kib("VmHWM")
    return _maxrss_kib() if peak is None else peak


@dataclasses.dataclass(frozen=True)
class Snapshot:
    fds: Optional[Dict[int, str]]  #: descriptor -> what it points at; None without /proc
    threads: Set[threading.Thread]


def open_fds() -> Optional[Dict[int, str]]:
    """Open descriptors and what each points at; None where there is no ``/proc``."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    fds = {}
    for n in names:
        try:
            fds[int(n)] = os.readlink(f"/proc/self/fd/{n}")
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return fds


def snapshot() -> Snapshot:
    return Snapshot(open_fds(), set(threading.enumerate()))


def leftovers(before: Snapshot, timeout: float) -> List[str]:
    """Descriptors and threads that appeared since ``before`` and are still there."""
    found = []
    if before.fds is not None:
        def new() -> Dict[int, str]:
            return {fd: t for fd, t in (open_fds() or {}).items() if before.fds.get(fd) != t}

        fresh = new()
        if fresh:
            gc.collect()
            fresh = new()
        found += [f"file descriptor {fd} -> {target}" for fd, target in sorted(fresh.items())]
    for t in threading.enumerate():
        if t not in before.threads:
            t.join(timeout)
            if t.is_alive():
                found.append(f"thread {t.name!r}")
    return found
