"""``ssl-conformance soak``: thousands of connections, and what they leave behind.

For each implementation, in this process, against a server of the same
implementation:

1. ``--connections`` full connections (handshake, a small echo, close), one
   after another.  Before and after, the command samples the open file
   descriptors, the live threads and the resident set size (RSS); the
   samples are taken after a warm-up, since caches, lazily imported modules
   and the allocator's first arenas are not leaks.  Growth must stay within
   the budgets: no descriptor, no thread, ``--rss-budget-mib`` of RSS.
2. ``--concurrent`` connections at the same moment (the suite's
   ``concurrency/*`` case, timed): each must echo its own payload, and
   afterwards no descriptor or thread may remain.

Figures are printed, never asserted in tests.  Exit 1 when a budget is
exceeded or a connection fails; 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
import threading
import time
from typing import Any, Dict, Optional, Sequence

from . import standalone
from ..cases.concurrency import concurrent_echo
from ..harness.env import Certs, Env
from ..harness.hubs import HarnessThread
from ..harness.impls import ImplLoadError, load_impl
from ..harness.loopback import LOOPBACK, read_exactly
from ..harness.leaks import open_fds, rss_kib

__all__ = ["add_arguments", "run", "main", "soak", "sample"]

TIMEOUT = 10.0


def _fds() -> int:
    fds = open_fds()
    return -1 if fds is None else len(fds)


def sample() -> Dict[str, int]:
    """File descriptors, threads and RSS (KiB) of this process, after a collection."""
    gc.collect()
    return {"fds": _fds(), "threads": threading.active_count(), "rss_kib": rss_kib()}


def _one_connection(client_ctx: Any, server_ctx: Any, payload: bytes) -> None:
    """Handshake, echo ``payload``, close: the server in a thread, both bounded."""
    lsock = socket.socket()
    lsock.settimeout(TIMEOUT)
    errors = []
    try:
        lsock.bind((LOOPBACK[socket.AF_INET], 0))
        lsock.listen(1)

        def serve() -> None:
            try:
                conn, _ = lsock.accept()
                conn.settimeout(TIMEOUT)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                tls = server_ctx.wrap_socket(conn, server_side=True)
                try:
                    tls.sendall(read_exactly(tls, len(payload)))
                finally:
                    tls.close()
            except Exception as exc:
                errors.append(exc)

        thread = HarnessThread(serve, name="soak-server")
        thread.start()
        sock = socket.create_connection(lsock.getsockname(), timeout=TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls between records
        tls = client_ctx.wrap_socket(sock)
        try:
            tls.sendall(payload)
            got = read_exactly(tls, len(payload))
        finally:
            tls.close()
        thread.join(TIMEOUT)
        if errors:
            raise errors[0]
        if got != payload:
            raise RuntimeError(f"echo mismatch: sent {payload!r}, got {got!r}")
    finally:
        lsock.close()


def soak(impl_name: str, connections: int, warmup: int, certs: Certs, concurrent: int = 200,
         progress: Any = None) -> Dict[str, Any]:
    """Run the connections for one implementation; the samples and the growth."""
    env = Env(load_impl(impl_name), certs, timeout=TIMEOUT)
    try:
        client = env.context(trust="root-ca", verify="REQUIRED")
        server = env.context(cert="server")
        for i in range(warmup):
            _one_connection(client, server, os.urandom(16))
        before = sample()
        started = time.perf_counter()
        for i in range(connections):
            _one_connection(client, server, os.urandom(16))
            if progress and i % 250 == 0:
                progress(f"{impl_name}: {i}/{connections}")
        elapsed = time.perf_counter() - started
        after = sample()
        together = None
        if concurrent:
            if progress:
                progress(f"{impl_name}: {concurrent} at once")
            outcome = concurrent_echo(client, server, concurrent, TIMEOUT)
            left = sample()
            together = {"connections": concurrent, "seconds": round(outcome["seconds"], 3),
                        "per_second": round(concurrent / outcome["seconds"], 1),
                        "failed": len(outcome["errors"]) + len(outcome["short"]),
                        "crossed": len(outcome["crossed"]), "hung": len(outcome["hung"]),
                        "fds_left": left["fds"] - after["fds"],
                        "threads_left": left["threads"] - after["threads"]}
            if outcome["errors"]:
                who, exc = outcome["errors"][0]
                together["first_error"] = f"{who}: {type(exc).__name__}: {exc}"
    finally:
        env.close()
    return {"impl": impl_name, "connections": connections, "seconds": round(elapsed, 2),
            "per_second": round(connections / elapsed, 1), "before": before, "after": after,
            "growth": {k: after[k] - before[k] for k in before}, "concurrent": together}


def format_report(results: Sequence[Dict[str, Any]], budget_kib: int) -> str:
    lines = []
    for r in results:
        if "error" in r:
            lines.append(f"{r['impl']}: FAILED after warm-up: {r['error']}")
            continue
        g, b, a = r["growth"], r["before"], r["after"]
        verdict = "ok" if within_budget(r, budget_kib) else "OVER BUDGET"
        lines.append(
            f"{r['impl']}: {r['connections']} connections in {r['seconds']} s ({r['per_second']}/s); "
            f"fds {b['fds']} -> {a['fds']} ({g['fds']:+d}), threads {b['threads']} -> {a['threads']} "
            f"({g['threads']:+d}), RSS {b['rss_kib'] / 1024:.1f} -> {a['rss_kib'] / 1024:.1f} MiB "
            f"({g['rss_kib'] / 1024:+.2f} MiB; budget {budget_kib / 1024:.0f} MiB): {verdict}")
        c = r.get("concurrent")
        if c:
            verdict = "ok" if concurrent_ok(c) else "FAILED"
            lines.append(
                f"{' ' * len(r['impl'])}  {c['connections']} at once in {c['seconds']} s ({c['per_second']}/s); "
                f"failed {c['failed']}, cross-talk {c['crossed']}, hung threads {c['hung']}, "
                f"fds left {c['fds_left']:+d}, threads left {c['threads_left']:+d}: {verdict}"
                + (f" (first: {c['first_error']})" if c.get("first_error") else ""))
    return "\n".join(lines)


def concurrent_ok(c: Dict[str, Any]) -> bool:
    return not (c["failed"] or c["crossed"] or c["hung"]) and c["fds_left"] <= 0 and c["threads_left"] <= 0


def within_budget(r: Dict[str, Any], budget_kib: int) -> bool:
    g = r["growth"]
    together = r.get("concurrent")
    return (g["fds"] <= 0 and g["threads"] <= 0 and g["rss_kib"] <= budget_kib
            and (together is None or concurrent_ok(together)))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", action="append", default=[], metavar="MODULE",
                        help="implementation to soak; repeatable (default: ssl and reference)")
    parser.add_argument("--connections", type=int, default=5000, metavar="N",
                        help="sequential connections per implementation (default 5000)")
    parser.add_argument("--warmup", type=int, default=200, metavar="N",
                        help="connections before the first sample (default 200)")
    parser.add_argument("--concurrent", type=int, default=200, metavar="N",
                        help="connections at the same moment, after the sequential ones (default 200; 0: none)")
    parser.add_argument("--rss-budget-mib", type=float, default=5.0, metavar="MIB",
                        help="allowed RSS growth per implementation (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--certs", default=None, metavar="DIR", help="certificate fixtures directory")


def run(args: argparse.Namespace) -> int:
    if args.connections < 1 or min(args.warmup, args.concurrent, args.rss_budget_mib) < 0:
        print("soak: --connections must be >= 1; --warmup, --concurrent and --rss-budget-mib >= 0",
              file=sys.stderr)
        return 2
    certs = Certs(args.certs) if args.certs else Certs()
    budget = int(args.rss_budget_mib * 1024)
    tty = sys.stderr.isatty()

    def progress(msg: str) -> None:
        if tty:
            print(f"\r\x1b[K{msg}", end="", file=sys.stderr, flush=True)

    results = []
    for name in args.impl or ["ssl", "reference"]:
        try:
            results.append(soak(name, args.connections, args.warmup, certs, args.concurrent, progress))
        except ImplLoadError as exc:
            print(f"soak: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:
            results.append({"impl": name, "error": f"{type(exc).__name__}: {exc}"})
    if tty:
        print("\r\x1b[K", end="", file=sys.stderr)
    print(json.dumps(results, indent=1) if args.json else format_report(results, budget))
    ok = all("error" not in r and within_budget(r, budget) for r in results)
    return 0 if ok else 1


def main(argv: Optional[Sequence[str]] = None) -> int:
    return standalone(sys.modules[__name__], "ssl-conformance soak", argv)


if __name__ == "__main__":
    sys.exit(main())
