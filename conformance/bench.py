"""``ssl-conformance bench``: implementations side by side, over loopback.

Three kinds of figure, for every implementation under test:

* **handshakes/s**: full handshakes (no session resumption) of a client and a
  server of the implementation, both in this process, for TLS 1.2 and 1.3,
  ECDSA P-256 and RSA-2048 server keys, with and without a client
  certificate the server verifies;
* **bulk MB/s**: one direction, client to server, for writes of 1 KiB,
  16 KiB and 1 MiB, through ``write``/``read`` and through
  ``sendall``/``recv_into``;
* **echo round trip**: a 1-byte write answered by a 1-byte write, in
  microseconds (the per-call overhead of the Python layer).

Each figure is measured ``--repeat`` times; the repetitions are interleaved
(every implementation and every benchmark once, then again), so that noise
from the machine falls on all alike.  The table gives the median with min and
max, and the ratio of each median to stdlib ``ssl``'s.  The ceiling, what
OpenSSL itself does on this machine, comes from ``openssl speed`` (the AEAD
cipher and the handshake signatures) when the CLI is on PATH.

The benchmark uses only the standard library and the documented API of the
implementation; every socket operation has a timeout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .env import Certs, Env
from .impls import Impl, ImplLoadError, load_impl

__all__ = ["BENCHMARKS", "Benchmark", "add_arguments", "run", "main", "measure", "format_table"]

TIMEOUT = 10.0
KIB = 1024


class Benchmark:
    """One figure: ``fn(env, seconds) -> value``; ``higher`` says which way is better."""

    def __init__(self, name: str, unit: str, fn: Callable[[Env, float], float], higher: bool = True):
        self.name, self.unit, self.fn, self.higher = name, unit, fn, higher


# -- contexts --------------------------------------------------------------
def _contexts(env: Env, version: str, key: str, client_cert: bool) -> Tuple[Any, Any]:
    """(client, server) contexts that negotiate ``version`` with ``key``'s certificate."""
    pin = ["NO_TLSv1_3"] if version == "TLSv1.2" else ["NO_TLSv1_2"]
    server = env.context(cert=key, verify="REQUIRED" if client_cert else None,
                         trust="root-ca" if client_cert else None)
    client = env.context(options=[o for o in pin if hasattr(env.ssl, "OP_" + o)],
                         cert="client" if client_cert else None)
    return client, server


class _Server(threading.Thread):
    """Accepts connections one at a time and runs ``handle(tls)`` on each."""

    def __init__(self, ctx: Any, handle: Callable[[Any], None]):
        super().__init__(daemon=True, name="bench-server")
        self.lsock = socket.socket()
        self.lsock.settimeout(TIMEOUT)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.addr = self.lsock.getsockname()
        self.ctx, self.handle = ctx, handle
        self.stop = False
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.lsock.accept()
            except OSError:
                return
            conn.settimeout(TIMEOUT)
            try:
                tls = self.ctx.wrap_socket(conn, server_side=True)
                try:
                    self.handle(tls)
                finally:
                    tls.close()
            except Exception as exc:  # a failed connection stops the figure, loudly
                if not self.stop:
                    self.error = exc
                return
            finally:
                conn.close()

    def __enter__(self) -> "_Server":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop = True
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.lsock.close()
        self.join(TIMEOUT)
        if self.error is not None and exc[0] is None:
            raise RuntimeError(f"server side failed: {self.error!r}") from self.error


def _connect(ctx: Any, addr: Tuple[str, int]) -> Any:
    sock = socket.create_connection(addr, timeout=TIMEOUT)
    return ctx.wrap_socket(sock)


# -- the benchmarks ----------------------------------------------------------
def _handshakes(version: str, key: str, client_cert: bool) -> Callable[[Env, float], float]:
    def fn(env: Env, seconds: float) -> float:
        cctx, sctx = _contexts(env, version, key, client_cert)
        count = 0
        with _Server(sctx, lambda tls: tls.read(1)) as server:
            start = time.perf_counter()
            while True:
                tls = _connect(cctx, server.addr)
                if count == 0:
                    got = tls.cipher()[1]
                    if got != version:
                        tls.close()
                        raise RuntimeError(f"negotiated {got}, not {version}")
                tls.write(b"x")  # let the server finish its side before the next one
                tls.close()
                count += 1
                elapsed = time.perf_counter() - start
                if elapsed >= seconds:
                    return count / elapsed
    return fn


def _bulk(size: int, api: str) -> Callable[[Env, float], float]:
    def fn(env: Env, seconds: float) -> float:
        cctx, sctx = _contexts(env, "TLSv1.3", "server", False)
        chunk = os.urandom(size)
        done = threading.Event()
        received = [0]

        def drain(tls: Any) -> None:
            buf = bytearray(max(size, 64 * KIB))
            view = memoryview(buf)
            try:
                while True:
                    n = tls.recv_into(view) if api == "sendall" else len(tls.read(len(buf)))
                    if n == 0:  # the client's close_notify: answer it
                        tls.unwrap()
                        break
                    received[0] += n
            finally:
                done.set()

        with _Server(sctx, drain) as server:
            tls = _connect(cctx, server.addr)
            sent = 0
            start = time.perf_counter()
            while time.perf_counter() - start < seconds or sent == 0:
                if api == "sendall":
                    tls.sendall(chunk)
                else:
                    view = memoryview(chunk)
                    while view:
                        view = view[tls.write(view):]
                sent += size
            tls.unwrap().close()
            done.wait(TIMEOUT)
            elapsed = time.perf_counter() - start
        if received[0] != sent:
            raise RuntimeError(f"sent {sent} bytes, the server read {received[0]}")
        return sent / elapsed / 1e6
    return fn


def _echo(env: Env, seconds: float) -> float:
    cctx, sctx = _contexts(env, "TLSv1.3", "server", False)

    def echo(tls: Any) -> None:
        while True:
            b = tls.read(1)
            if not b:
                return
            tls.write(b)

    with _Server(sctx, echo) as server:
        tls = _connect(cctx, server.addr)
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds or n == 0:
            tls.write(b"x")
            if tls.read(1) != b"x":
                raise RuntimeError("echo lost its byte")
            n += 1
        elapsed = time.perf_counter() - start
        tls.close()
    return elapsed / n * 1e6


def _benchmarks() -> List[Benchmark]:
    out = []
    for version in ("TLSv1.2", "TLSv1.3"):
        for key, label in (("server", "ECDSA"), ("server-rsa", "RSA2048")):
            for cc in (False, True):
                name = f"handshake {version} {label}{' +client-cert' if cc else ''}"
                out.append(Benchmark(name, "hs/s", _handshakes(version, key, cc)))
    for size, label in ((KIB, "1KiB"), (16 * KIB, "16KiB"), (KIB * KIB, "1MiB")):
        for api in ("write", "sendall"):
            pair = "write/read" if api == "write" else "sendall/recv_into"
            out.append(Benchmark(f"bulk {label} {pair}", "MB/s", _bulk(size, api)))
    out.append(Benchmark("echo 1 byte round trip", "us", _echo, higher=False))
    return out


BENCHMARKS = _benchmarks()


# -- running and reporting -----------------------------------------------------
def measure(impls: Sequence[Impl], benchmarks: Sequence[Benchmark], *, repeat: int, seconds: float,
            certs: Certs, progress: Callable[[str], None] = lambda s: None) -> Dict[str, Any]:
    """Run every benchmark ``repeat`` times per implementation, interleaved."""
    samples: Dict[str, Dict[str, List[float]]] = {b.name: {i.name: [] for i in impls} for b in benchmarks}
    errors: Dict[str, Dict[str, str]] = {}
    for r in range(repeat):
        for b in benchmarks:
            progress(f"[{r + 1}/{repeat}] {b.name}")
            for impl in impls:
                if impl.name in errors.get(b.name, {}):
                    continue
                env = Env(impl, certs, timeout=TIMEOUT)
                try:
                    samples[b.name][impl.name].append(b.fn(env, seconds))
                except Exception as exc:
                    errors.setdefault(b.name, {})[impl.name] = f"{type(exc).__name__}: {exc}"
                finally:
                    env.close()
    rows = []
    for b in benchmarks:
        row: Dict[str, Any] = {"name": b.name, "unit": b.unit, "higher_is_better": b.higher, "results": {}}
        for impl in impls:
            vals = samples[b.name][impl.name]
            err = errors.get(b.name, {}).get(impl.name)
            row["results"][impl.name] = (
                {"error": err} if err or not vals else
                {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)})
        rows.append(row)
    return {"machine": machine(), "repeat": repeat, "seconds": seconds,
            "implementations": {i.name: i.openssl() for i in impls}, "benchmarks": rows,
            "ceiling": {}}


def machine() -> Dict[str, Any]:
    return {"platform": platform.platform(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d")}


def ratio(row: Dict[str, Any], impl: str, base: str = "ssl") -> Optional[float]:
    """``impl``'s median over ``base``'s, oriented so that > 1 is better."""
    a, b = row["results"].get(impl, {}), row["results"].get(base, {})
    if "median" not in a or "median" not in b or not a["median"] or not b["median"]:
        return None
    r = a["median"] / b["median"]
    return r if row["higher_is_better"] else 1 / r


def format_table(doc: Dict[str, Any]) -> str:
    """The text table: one line per benchmark, a column group per implementation."""
    impls = list(doc["implementations"])
    head = ["benchmark", "unit"] + [f"{i} median [min-max]" for i in impls]
    head += [f"{i}/ssl" for i in impls if i != "ssl" and "ssl" in impls]
    lines = [head]
    for row in doc["benchmarks"]:
        cells = [row["name"], row["unit"]]
        for i in impls:
            res = row["results"][i]
            cells.append(res.get("error", "")[:40] if "median" not in res else
                         f"{_num(res['median'])} [{_num(res['min'])}-{_num(res['max'])}]")
        for i in impls:
            if i != "ssl" and "ssl" in impls:
                r = ratio(row, i)
                cells.append("-" if r is None else f"{r:.2f}x")
        lines.append(cells)
    widths = [max(len(str(line[c])) for line in lines) for c in range(len(head))]
    text = ["  ".join(str(v).ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    if doc.get("ceiling"):
        text.append("")
        text.append("ceiling (openssl speed, this machine):")
        text += [f"  {k}: {v}" for k, v in doc["ceiling"].items()]
    return "\n".join(text)


def _num(v: float) -> str:
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def ceiling(seconds: int = 1) -> Dict[str, str]:
    """What the OpenSSL CLI measures here, or ``{}`` without one."""
    exe = shutil.which("openssl")
    if exe is None:
        return {}
    out: Dict[str, str] = {}
    speed = _run([exe, "speed", "-seconds", str(seconds), "-bytes", "16384", "-evp", "aes-128-gcm"])
    m = re.search(r"^AES-128-GCM\s+([\d.]+)k", speed, re.M | re.I)
    if m:
        out["AES-128-GCM 16 KiB blocks"] = f"{float(m.group(1)) / 1000:.0f} MB/s"
    sig = _run([exe, "speed", "-seconds", str(seconds), "ecdsap256", "rsa2048"])
    for label, pattern in (("ECDSA P-256 sign", r"256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([\d.]+)"),
                           ("RSA-2048 sign", r"rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)")):
        m = re.search(pattern, sig)
        if m:
            out[label] = f"{float(m.group(1)):.0f}/s"
    out["openssl"] = _run([exe, "version"]).strip()
    return out


def _run(cmd: List[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# -- command line ----------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", action="append", default=[], metavar="MODULE",
                        help="implementation to measure; repeatable (default: ssl and reference)")
    parser.add_argument("--repeat", type=int, default=5, metavar="N",
                        help="repetitions of every figure; the median is reported (default 5)")
    parser.add_argument("--seconds", type=float, default=0.5, metavar="S",
                        help="measuring time of one figure in one repetition (default 0.5)")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: 1 repetition of 0.05 s, no openssl ceiling")
    parser.add_argument("-k", dest="select", default=None, metavar="TEXT",
                        help="only the benchmarks whose name contains TEXT (e.g. 'handshake', '16KiB')")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--certs", default=None, metavar="DIR", help="certificate fixtures directory")


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1 or args.seconds <= 0:
        print("bench: --repeat must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    impls = []
    for name in args.impl or ["ssl", "reference"]:
        try:
            impls.append(load_impl(name))
        except ImplLoadError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    benchmarks = [b for b in BENCHMARKS if not args.select or args.select in b.name]
    if not benchmarks:
        print(f"bench: no benchmark name contains {args.select!r}", file=sys.stderr)
        return 2
    repeat, seconds = (1, 0.05) if args.quick else (args.repeat, args.seconds)
    certs = Certs(args.certs) if args.certs else Certs()
    tty = sys.stderr.isatty()

    def progress(msg: str) -> None:
        if tty:
            print(f"\r\x1b[K{msg}", end="", file=sys.stderr, flush=True)

    doc = measure(impls, benchmarks, repeat=repeat, seconds=seconds, certs=certs, progress=progress)
    if tty:
        print("\r\x1b[K", end="", file=sys.stderr)
    if not args.quick:
        doc["ceiling"] = ceiling()
    print(json.dumps(doc, indent=1) if args.json else format_table(doc))
    failed = any("error" in r for row in doc["benchmarks"] for r in row["results"].values())
    return 1 if failed else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="ssl-conformance bench", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
