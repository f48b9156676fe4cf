"""What an operation left behind: open file descriptors and live threads;
and what this process holds in memory (:func:`rss_kib`, :func:`peak_rss_kib`),
or a whole tree of processes (:class:`TreePeak`).

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

__all__ = ["Snapshot", "open_fds", "snapshot", "leftovers", "rss_kib", "peak_rss_kib", "tree_pss_kib",
           "TreePeak"]


def _proc_kib(path: str, field: str) -> Optional[int]:
    """A ``Field:   N kB`` line of a ``/proc`` file, in KiB; None without it."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _status_kib(field: str, pid: str = "self") -> Optional[int]:
    """A ``/proc/PID/status`` size field in KiB (``VmRSS``, ``VmHWM``); None without ``/proc``."""
    return _proc_kib(f"/proc/{pid}/status", field)


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


def _pss_kib(pid: int) -> int:
    """Proportional set size: resident pages, each shared page divided among the
    processes sharing it (so libraries, and a child just forked, count once)."""
    pss = _proc_kib(f"/proc/{pid}/smaps_rollup", "Pss")
    if pss is not None:
        return pss
    return _status_kib("VmRSS", str(pid)) or 0  # no smaps_rollup (Linux < 4.14), or gone


def tree_pss_kib(root: int) -> Optional[int]:
    """The memory, in KiB, of process ``root`` and all its descendants together
    (summed proportional set sizes); None without ``/proc``."""
    children: Dict[int, List[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])  # the name may hold spaces
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid)
        todo += children.get(pid, [])
    return total


class TreePeak:
    """The most memory a process tree held at once (:func:`tree_pss_kib`),
    sampled in a thread::

        with TreePeak(os.getpid()) as peak:
            subprocess.call(...)
        peak.kib    # None where there is no /proc

    Sampling every ``interval`` seconds can miss a peak shorter than that.
    """

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root, self.interval = root, interval
        self.kib: Optional[int] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        while True:
            now = tree_pss_kib(self.root)
            if now is not None:
                self.kib = max(self.kib or 0, now)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> "TreePeak":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5.0)
