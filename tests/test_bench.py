"""The benchmark's logic: arguments, ratios, the table and the JSON shape.

Only shapes and arithmetic are asserted; the figures themselves are never
judged here (they belong to the printed table, see docs/performance.md).
"""
from __future__ import annotations

import argparse
import json

import pytest

from conformance import bench


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(argv)


def _row(name: str, higher: bool, ssl: float, ref: float) -> dict:
    res = {k: {"median": v, "min": v, "max": v, "n": 1} for k, v in (("ssl", ssl), ("reference", ref))}
    return {"name": name, "unit": "x", "higher_is_better": higher, "results": res}


def test_ratio_is_oriented_so_that_above_one_is_better():
    assert bench.ratio(_row("hs", True, 100.0, 90.0), "reference") == pytest.approx(0.9)
    assert bench.ratio(_row("rtt", False, 100.0, 50.0), "reference") == pytest.approx(2.0)
    row = _row("hs", True, 100.0, 90.0)
    row["results"]["reference"] = {"error": "boom"}
    assert bench.ratio(row, "reference") is None


def test_table_has_a_line_per_benchmark_and_a_ratio_column():
    doc = {"implementations": {"ssl": {}, "reference": {}},
           "benchmarks": [_row("handshake a", True, 200.0, 180.0), _row("echo", False, 10.0, 20.0)],
           "ceiling": {"openssl": "OpenSSL 3"}}
    text = bench.format_table(doc)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["benchmark", "unit"] and "reference/ssl" in lines[0]
    assert any(line.startswith("handshake a") and line.rstrip().endswith("0.90x") for line in lines)
    assert any(line.startswith("echo") and line.rstrip().endswith("0.50x") for line in lines)
    assert "ceiling" in text and "OpenSSL 3" in text


def test_every_issue_figure_is_a_benchmark():
    names = {b.name for b in bench.BENCHMARKS}
    for version in ("TLSv1.2", "TLSv1.3"):
        for key in ("ECDSA", "RSA2048"):
            assert f"handshake {version} {key}" in names
            assert f"handshake {version} {key} +client-cert" in names
    for size in ("1KiB", "16KiB", "1MiB"):
        assert {f"bulk {size} write/read", f"bulk {size} sendall/recv_into"} <= names
    assert "echo 1 byte round trip" in names


@pytest.mark.parametrize("argv", [("--repeat", "0"), ("--seconds", "0"), ("-k", "no-such-benchmark")])
def test_bad_arguments_are_usage_errors(argv, capsys):
    assert bench.run(_args(*argv)) == 2
    assert "bench:" in capsys.readouterr().err


def test_unknown_implementation_is_one_line(capsys):
    assert bench.run(_args("--impl", "no_such_ssl_module")) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench:") and "\n" not in err


def test_quick_json_run_has_a_figure_for_every_implementation(capsys):
    assert bench.run(_args("--quick", "--json", "-k", "echo", "--impl", "ssl", "--impl", "reference")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in doc["benchmarks"]] == ["echo 1 byte round trip"]
    for impl in ("ssl", "reference"):
        res = doc["benchmarks"][0]["results"][impl]
        assert res["n"] == 1 and res["min"] <= res["median"] <= res["max"] and res["median"] > 0
    assert set(doc["machine"]) >= {"platform", "python", "cpus", "date"}
