"""Per-thread event loops of cooperative implementations, released when a harness thread ends.

gevent and eventlet give every native thread that blocks through them an event loop
of its own (a "hub", made on first use and kept in a thread-local): for gevent a libev
or libuv loop holding an epoll and an eventfd descriptor, for eventlet an epoll
descriptor.  Nothing frees it when the thread ends: the hub's greenlet is left suspended
in a thread that no longer exists, so its descriptors stay open for the life of the
process.  gevent says so and puts the duty on the program ("if you use a hub ... from
multiple native threads, you should call [Hub.destroy] before disposing of the hub";
``gevent/hub.py``); eventlet has no such call, so its hub is stopped (``abort(wait=True)``
lets its run loop return) and its poller closed.

The harness is that program: it runs each side of a connection in a short-lived native
thread, so every such thread ends with :func:`release_thread_hubs` (:class:`HarnessThread`
does it).  Without this every connection left two or three descriptors behind: the
``leaves nothing open`` checks of ``badinput`` failed, and after some hundred cases the
descriptor numbers passed 1024, beyond what ``select()`` takes.  What each library
keeps for the whole process (the main thread's hub) is not touched: only the calling
thread's own hub, at the end of a thread the harness started.  A library that is not
imported is never imported here, and for ``ssl`` and ``reference`` this does nothing.
"""
from __future__ import annotations

import sys
import threading
from typing import Callable, Dict

__all__ = ["release_thread_hubs", "HarnessThread", "RELEASERS"]


def _release_gevent() -> None:
    from gevent._hub_local import get_hub_if_exists  # does not make a hub where there is none

    hub = get_hub_if_exists()
    if hub is not None:
        hub.destroy(destroy_loop=True)  # also kills the hub's thread pool and resolver, if it made them


def _release_eventlet() -> None:
    from eventlet import hubs

    hub = getattr(hubs._threadlocal, "hub", None)  # get_hub() would make one
    if hub is None:
        return
    if hub.running:
        hub.abort(wait=True)  # switches to the hub once; its run loop sees `stopping` and returns
    del hubs._threadlocal.hub
    poller = getattr(hub, "poll", None)
    if hasattr(poller, "close"):  # select.epoll / kqueue; select.poll holds no descriptor
        poller.close()


#: top-level package -> release of the calling thread's hub; run only if the package is imported.
RELEASERS: Dict[str, Callable[[], None]] = {"gevent": _release_gevent, "eventlet": _release_eventlet}


def release_thread_hubs() -> None:
    """Free the calling thread's hubs of every imported cooperative library.

    Call it last in a thread that is about to end, never in the main thread.
    """
    if threading.current_thread() is threading.main_thread():
        raise RuntimeError("release_thread_hubs() is for threads the harness started, not the main thread")
    for package, release in RELEASERS.items():
        if package in sys.modules:
            release()


class HarnessThread(threading.Thread):
    """A daemon thread that releases its hubs when its target is done (or raised)."""

    def __init__(self, target: Callable[..., object], *, name: str = "harness", args: tuple = ()) -> None:
        super().__init__(target=target, name=name, args=args, daemon=True)

    def run(self) -> None:
        try:
            super().run()
        finally:
            release_thread_hubs()
