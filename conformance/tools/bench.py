"""``ssl-conformance bench``: implementations side by side, and OpenSSL's own ceiling.

For each ``--impl`` (default ``ssl`` and ``reference``) it times full
handshakes, bulk transfer and a 1-byte echo (see :mod:`conformance.tools.benchloads`
for exactly what each workload does), then prints one table: per workload the
median of ``--repeat`` runs with their min and max, and each implementation's
ratio to the stdlib ``ssl`` (above 1 is faster).  Below it, the ceiling:
``openssl speed`` for the AEAD cipher and the handshake signatures and
``openssl s_time`` for handshakes between two C processes
(:mod:`conformance.tools.benchceiling`).

The runs are interleaved -- repetition, then workload, then implementation,
the order of the implementations alternating between repetitions -- so that
a noisy neighbour on the machine slows every implementation alike instead of
the one that happened to run at that moment.

``--json`` prints the whole document instead of the table (``--output PATH``
also writes it to a file); the table is rendered from that same document
(:func:`format_table`), so both always agree.  ``--quick`` is a smoke run:
short measurements, few repetitions, no ``openssl s_time``.

Standard library only, like the rest of the suite at run time.
"""
from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import os
import platform
import statistics
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import standalone
from . import benchceiling, benchloads
from ..harness.env import Certs
from ..harness.impls import ImplLoadError, load_impl

__all__ = ["add_arguments", "run", "main", "format_table", "summarize", "DEFAULT_IMPLS", "FORMAT"]

DEFAULT_IMPLS = ("ssl", "reference")
FORMAT = 1  # of the JSON document
BASELINE = "ssl"
#: (repeat, seconds per measurement) for a full run and for --quick
FULL = (5, 0.4)
QUICK = (2, 0.05)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ssl-conformance bench`` (and ``python -m conformance.tools.bench``)."""
    parser.add_argument("--impl", action="append", metavar="MODULE",
                        help="implementation to time, by import path (repeatable; default: ssl, reference)")
    parser.add_argument("--repeat", "-N", type=int, metavar="N",
                        help=f"repetitions of each measurement (default {FULL[0]}, --quick {QUICK[0]})")
    parser.add_argument("--duration", "--seconds", type=float, metavar="SECONDS",
                        help=f"length of one measurement (default {FULL[1]}, --quick {QUICK[1]})")
    parser.add_argument("--only", action="append", metavar="PATTERN",
                        help="time only workloads whose id matches this glob (repeatable), "
                             "e.g. 'handshake/TLSv1.3/*' or 'bulk/16KiB/*'")
    parser.add_argument("-k", dest="select", metavar="TEXT",
                        help="only the workloads whose id contains TEXT (e.g. 'handshake', '16KiB')")
    parser.add_argument("--certs", metavar="DIR", help="certificate fixtures directory (default: the committed ones)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="timeout of every socket operation (default 10)")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: short measurements, few repetitions, no openssl s_time")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip the openssl speed / s_time ceiling")
    parser.add_argument("--json", action="store_true", help="print the JSON document instead of the table")
    parser.add_argument("--output", metavar="PATH", help="also write the JSON document to PATH")
    parser.add_argument("--list", action="store_true", help="list the workload ids and exit")


# -- measuring ------------------------------------------------------------------------------------
def summarize(samples: Sequence[float]) -> Dict[str, Any]:
    """Median, min and max of the samples (all None when there are none)."""
    if not samples:
        return {"median": None, "min": None, "max": None, "samples": []}
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": list(samples)}


def select(patterns: Optional[Sequence[str]], text: Optional[str] = None) -> List[benchloads.Workload]:
    """The workloads whose id matches one of the globs ``patterns`` and contains ``text``."""
    items = benchloads.workloads()
    if patterns:
        items = [w for w in items if any(fnmatch.fnmatchcase(w.id, p) for p in patterns)]
    return [w for w in items if not text or text in w.id]


def _machine() -> Dict[str, Any]:
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "loadavg_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def _load(names: Sequence[str]) -> Dict[str, Any]:

    loaded = {}
    for name in names:
        try:
            loaded[name] = load_impl(name).module
        except ImplLoadError as exc:
            loaded[name] = exc
    return loaded


def measure_all(impls: Dict[str, Any], plan: List[benchloads.Workload], repeat: int, duration: float,
                timeout: float, certs: Any, progress: Callable[[str], None]) -> List[Dict[str, Any]]:
    """Time every workload for every loaded implementation, interleaved; one result per workload."""
    samples: Dict[tuple, List[float]] = {}
    cpu_samples: Dict[tuple, List[float]] = {}
    facts: Dict[tuple, Dict[str, Any]] = {}
    errors: Dict[tuple, str] = {}
    names = [n for n, m in impls.items() if not isinstance(m, Exception)]
    for rep in range(repeat):
        order = names if rep % 2 == 0 else names[::-1]
        for w in plan:
            for name in order:
                key = (w.id, name)
                if key in errors:
                    continue
                progress(f"[{rep + 1}/{repeat}] {w.id} {name}")
                try:
                    sample = benchloads.measure(impls[name], certs, w, duration, timeout)
                except Exception as exc:  # one broken cell must not end the run
                    errors[key] = f"{type(exc).__name__}: {exc}"
                    continue
                samples.setdefault(key, []).append(sample.rate)
                if sample.cpu_rate is not None:
                    cpu_samples.setdefault(key, []).append(sample.cpu_rate)
                facts.setdefault(key, sample.facts)
    results = []
    for w in plan:
        row: Dict[str, Any] = {"id": w.id, "kind": w.kind, "unit": w.unit, "params": w.params, "impls": {}}
        for name, mod in impls.items():
            cell = summarize(samples.get((w.id, name), []))
            cell["cpu"] = summarize(cpu_samples.get((w.id, name), []))
            cell["facts"] = facts.get((w.id, name), {})
            error = f"not loaded: {mod}" if isinstance(mod, Exception) else errors.get((w.id, name))
            if error:
                cell["error"] = error
            row["impls"][name] = cell
        base = row["impls"].get(BASELINE, {})
        for cell in row["impls"].values():
            cell["ratio"] = _ratio(cell["median"], base.get("median"))
            cell["cpu"]["ratio"] = _ratio(cell["cpu"]["median"], (base.get("cpu") or {}).get("median"))
        results.append(row)
    return results


def _ratio(value: Optional[float], base: Optional[float]) -> Optional[float]:
    return value / base if value is not None and base else None


def ceiling(results: List[Dict[str, Any]], certs: Any, quick: bool, timeout: float,
            progress: Callable[[str], None]) -> Dict[str, Any]:
    """``openssl speed`` (and, unless quick, ``openssl s_time``) for what the results exercised."""
    cipher = next((c["facts"].get("cipher") for r in results if r["kind"] == "bulk"
                   for c in r["impls"].values() if c["facts"].get("cipher")), None)
    keys = sorted({r["params"]["key"] for r in results if r["kind"] == "handshake"})
    progress("openssl speed")
    out = benchceiling.speed(benchceiling.aead_name(cipher), keys, seconds=1)
    out["openssl"] = benchceiling.openssl_version()
    out["cipher"] = cipher
    out["s_time"] = {}
    if not quick:
        for r in results:
            p = r["params"]
            if r["kind"] != "handshake" or p["client_cert"]:
                continue
            progress(f"openssl s_time {p['version']} {p['key']}")
            try:
                out["s_time"][r["id"]] = benchceiling.s_time(certs, p["version"], p["key"], 2, timeout)
            except (OSError, RuntimeError, ValueError) as exc:
                out["errors"].append(f"s_time {r['id']}: {exc}")
            except Exception as exc:  # subprocess.TimeoutExpired and the like
                out["errors"].append(f"s_time {r['id']}: {type(exc).__name__}: {exc}")
    return out


# -- presenting -----------------------------------------------------------------------------------
def _figure(value: Optional[float], unit: str) -> str:
    if value is None:
        return "-"
    if unit == "round trips/s":
        return f"{1e6 / value:.1f}" if value else "inf"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _cell(cell: Dict[str, Any], unit: str) -> str:
    if cell.get("median") is None:
        return "error" if cell.get("error") else "-"
    lo, hi = cell["min"], cell["max"]
    if unit == "round trips/s":  # shown as time per round trip: the slowest run is the max
        lo, hi = hi, lo
    return f"{_figure(cell['median'], unit)} ({_figure(lo, unit)}-{_figure(hi, unit)})"


def _load_text(machine: Dict[str, Any]) -> str:
    loads = [machine.get("loadavg_start"), machine.get("loadavg_end")]
    return " -> ".join(f"{load[0]:.1f}" for load in loads if load) or "unknown"


def format_table(doc: Dict[str, Any]) -> str:
    """The text table of a bench document (as :func:`run` builds it and ``--json`` prints it)."""
    names = list(doc["impls"])
    s_time = (doc.get("ceiling") or {}).get("s_time") or {}
    header = ["workload", "unit"] + [f"{n} median (min-max)" for n in names]
    others = [n for n in names if n != BASELINE and BASELINE in names]
    header += [f"{n}/{BASELINE}" for n in others] + [f"{n}/{BASELINE} per CPU-s" for n in others]
    if s_time:
        header.append("openssl s_time")
    rows = [header]
    for r in doc["results"]:
        unit = "us/round trip" if r["unit"] == "round trips/s" else r["unit"]
        row = [r["id"], unit] + [_cell(r["impls"][n], r["unit"]) for n in names]
        for ratio in ([r["impls"][n].get("ratio") for n in others]
                      + [(r["impls"][n].get("cpu") or {}).get("ratio") for n in others]):
            row.append("-" if ratio is None else f"{ratio:.2f}x")
        if s_time:
            row.append(_figure(s_time.get(r["id"]), r["unit"]) if r["id"] in s_time else "")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m, o = doc["machine"], doc["options"]
    lines.insert(0, f"{doc['date']}  {m['cpus']} CPUs ({m['cpu_model']}), {m['python']}, "
                    f"median of {o['repeat']} x {o['duration']} s; ratio > 1 is faster than {BASELINE}; "
                    f"load average {_load_text(m)}")
    for r in doc["results"]:
        for n, cell in r["impls"].items():
            if cell.get("error"):
                lines.append(f"error: {r['id']} {n}: {cell['error']}")
    ceil = doc.get("ceiling")
    if ceil:
        lines.append("")
        lines.append(f"ceiling ({ceil.get('openssl') or 'no openssl CLI'}; negotiated cipher {ceil.get('cipher')}):")
        for f in ceil["figures"]:
            lines.append(f"  openssl speed {f['what']}: {f['value']:.0f} {f['unit']}")
        for e in ceil["errors"]:
            lines.append(f"  error: {e}")
    return "\n".join(lines)


def build(args: argparse.Namespace, progress: Callable[[str], None]) -> Dict[str, Any]:
    """Run the benchmark the options describe; the JSON document."""
    repeat, duration = QUICK if args.quick else FULL
    repeat = args.repeat or repeat
    duration = args.duration or duration
    names = list(dict.fromkeys(args.impl or DEFAULT_IMPLS))
    impls = _load(names)
    certs = Certs(args.certs) if args.certs else Certs()
    plan = select(args.only, args.select)
    doc: Dict[str, Any] = {
        "format": FORMAT, "kind": "ssl-conformance-bench",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
        "options": {"repeat": repeat, "duration": duration, "timeout": args.timeout, "quick": bool(args.quick),
                    "only": args.only or [], "select": args.select},
        "impls": {n: ({"error": str(m)} if isinstance(m, Exception) else
                      {"module": getattr(m, "__file__", None), "openssl": getattr(m, "OPENSSL_VERSION", None)})
                  for n, m in impls.items()},
    }
    doc["results"] = measure_all(impls, plan, repeat, duration, args.timeout, certs, progress)
    doc["ceiling"] = None if args.no_ceiling else ceiling(doc["results"], certs, args.quick, args.timeout, progress)
    doc["machine"]["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return doc


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print the table (or the JSON); 1 if some measurement failed."""
    plan = select(args.only, args.select)
    if args.list:
        for w in plan:
            print(w.id)
        return 0
    if (args.repeat is not None and args.repeat < 1) or (args.duration is not None and args.duration <= 0):
        print("ssl-conformance bench: --repeat and --duration must be positive", file=sys.stderr)
        return 2
    if not plan:
        print(f"ssl-conformance bench: no workload matches --only {args.only} -k {args.select!r}",
              file=sys.stderr)
        return 2
    tty = sys.stderr.isatty()

    def progress(what: str) -> None:
        if tty:
            sys.stderr.write(f"\r\033[K{what}")
            sys.stderr.flush()

    doc = build(args, progress)
    if tty:
        sys.stderr.write("\r\033[K")
    for name, facts in doc["impls"].items():
        if "error" in facts:
            print(f"ssl-conformance bench: {facts['error']}", file=sys.stderr)
    text = json.dumps(doc, indent=1)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    print(text if args.json else format_table(doc))
    failed = any(c.get("error") for r in doc["results"] for c in r["impls"].values())
    return 1 if failed else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    return standalone(sys.modules[__name__], "python -m conformance.tools.bench", argv)


if __name__ == "__main__":
    sys.exit(main())
