"""What an operation left behind: open file descriptors and live threads.

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
import threading
from typing import Dict, List, Optional, Set

__all__ = ["Snapshot", "open_fds", "snapshot", "leftovers"]


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
