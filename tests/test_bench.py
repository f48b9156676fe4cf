"""The benchmark's logic: options, selection, statistics, the table and the JSON document.

Nothing here asserts a figure: timings belong to the benchmark's output, not
to tests.  The smoke run checks that a short real run produces a complete
document, whatever the numbers.
"""
import argparse
import json

import pytest

from conformance.tools import bench, benchceiling, benchloads


def parse(*argv):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_leave_repeat_and_duration_to_the_mode():
    args = parse()
    assert args.impl is None and args.repeat is None and args.duration is None
    assert not args.quick and not args.json and args.timeout == 10.0


def test_options_parse():
    args = parse("--impl", "ssl", "--impl", "mymod", "-N", "3", "--duration", "0.2", "--only", "bulk/*",
                 "--quick", "--json", "--no-ceiling", "--output", "x.json")
    assert args.impl == ["ssl", "mymod"] and args.repeat == 3 and args.duration == 0.2
    assert args.only == ["bulk/*"] and args.quick and args.json and args.no_ceiling and args.output == "x.json"


def test_workloads_cover_the_matrix_once_each():
    ids = [w.id for w in benchloads.workloads()]
    assert len(ids) == len(set(ids)) == 8 + 6 + 1
    assert "handshake/TLSv1.3/rsa-2048/client-cert" in ids
    assert "bulk/1MiB/sendall/recv_into" in ids and "bulk/1KiB/write/read" in ids
    assert {w.kind for w in benchloads.workloads()} == {"handshake", "bulk", "echo"}


def test_select_by_glob():
    assert [w.id for w in bench.select(["bulk/16KiB/*"])] == ["bulk/16KiB/write/read", "bulk/16KiB/sendall/recv_into"]
    assert len(bench.select(["handshake/TLSv1.2/*", "echo/*"])) == 5
    assert bench.select(["nothing/*"]) == []
    assert len(bench.select(None)) == len(benchloads.workloads())


def test_summarize():
    assert bench.summarize([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "samples": [3.0, 1.0, 2.0]}
    assert bench.summarize([])["median"] is None


@pytest.mark.parametrize("cipher,name", [
    ("TLS_AES_256_GCM_SHA384", "aes-256-gcm"), ("ECDHE-ECDSA-AES128-GCM-SHA256", "aes-128-gcm"),
    ("TLS_CHACHA20_POLY1305_SHA256", "chacha20-poly1305"), ("AES256-SHA", None), (None, None)])
def test_aead_name(cipher, name):
    assert benchceiling.aead_name(cipher) == name


def doc_with(cells, ceiling=None):
    return {
        "date": "2026-11-25T00:00:00+00:00",
        "machine": {"cpus": 2, "cpu_model": "CPU", "python": "CPython 3.11.7",
                    "loadavg_start": [1.5, 1.0, 1.0], "loadavg_end": [2.5, 1.0, 1.0]},
        "options": {"repeat": 3, "duration": 0.1},
        "impls": {name: {} for name in cells},
        "results": [{"id": "echo/1B", "kind": "echo", "unit": "round trips/s", "params": {},
                     "impls": cells}],
        "ceiling": ceiling,
    }


def test_table_shows_median_range_and_ratio():
    cells = {"ssl": {"median": 20000.0, "min": 10000.0, "max": 25000.0, "ratio": 1.0,
                     "cpu": {"ratio": 1.0}},
             "reference": {"median": 10000.0, "min": 8000.0, "max": 12500.0, "ratio": 0.5,
                           "cpu": {"ratio": 0.75}}}
    text = bench.format_table(doc_with(cells))
    row = next(line for line in text.splitlines() if line.startswith("echo/1B"))
    # a rate of round trips is shown as microseconds per round trip, min-max in time order
    assert "us/round trip" in row and "50.0 (40.0-100.0)" in row and "100.0 (80.0-125.0)" in row
    assert row.split()[-2:] == ["0.50x", "0.75x"]  # by the wall clock, then per CPU-second
    assert "reference/ssl per CPU-s" in text.splitlines()[1]
    assert "median of 3 x 0.1 s" in text and "load average 1.5 -> 2.5" in text


def test_table_reports_errors_and_ceiling():
    cells = {"ssl": {"median": None, "min": None, "max": None, "ratio": None, "error": "BenchError: boom"},
             "other": {"median": 5.0, "min": 5.0, "max": 5.0, "ratio": None}}
    ceiling = {"openssl": "OpenSSL 3.0", "cipher": "X", "s_time": {},
               "figures": [{"what": "aes-256-gcm encrypt, 16 KiB blocks", "value": 3000.4, "unit": "MB/s"}],
               "errors": ["rsa2048: no openssl"]}
    text = bench.format_table(doc_with(cells, ceiling))
    row = next(line for line in text.splitlines() if line.startswith("echo/1B"))
    assert "error" in row and row.rstrip().endswith("-")  # no baseline: no ratio
    assert "error: echo/1B ssl: BenchError: boom" in text
    assert "openssl speed aes-256-gcm encrypt, 16 KiB blocks: 3000 MB/s" in text
    assert "error: rsa2048: no openssl" in text


def test_list_selects_by_glob_and_by_substring(capsys):
    assert bench.main(["--list", "--only", "echo/*"]) == 0
    assert capsys.readouterr().out.split() == ["echo/1B"]
    assert bench.main(["--list", "-k", "16KiB"]) == 0
    assert capsys.readouterr().out.split() == ["bulk/16KiB/write/read", "bulk/16KiB/sendall/recv_into"]


@pytest.mark.parametrize("argv", [["-N", "0"], ["--seconds", "0"], ["--duration", "-1"],
                                  ["--only", "nothing/*"], ["-k", "no-such-workload"]])
def test_bad_arguments_are_usage_errors(argv, capsys):
    assert bench.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ssl-conformance bench:") and err.count("\n") == 1


def test_ratio_above_one_is_faster_for_every_unit():
    cells = {"ssl": {"median": 10000.0, "min": 10000.0, "max": 10000.0, "ratio": 1.0},
             "reference": {"median": 20000.0, "min": 20000.0, "max": 20000.0, "ratio": 2.0}}
    row = next(line for line in bench.format_table(doc_with(cells)).splitlines() if line.startswith("echo/1B"))
    # twice the round trips per second: half the microseconds, and 2x
    assert "100.0 (100.0-100.0)" in row and "50.0 (50.0-50.0)" in row and row.split()[-2:] == ["2.00x", "-"]


def test_quick_smoke_run_writes_a_complete_document(capsys, tmp_path):
    out = tmp_path / "bench.json"
    status = bench.main(["--quick", "--no-ceiling", "--json", "-N", "1", "--duration", "0.01",
                         "--only", "echo/*", "--only", "handshake/TLSv1.3/ecdsa-p256/no-client-cert",
                         "--only", "bulk/16KiB/sendall/recv_into", "--output", str(out)])
    printed = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == printed
    assert status == 0, [c.get("error") for r in printed["results"] for c in r["impls"].values()]
    assert printed["format"] == bench.FORMAT and printed["kind"] == "ssl-conformance-bench"
    assert set(printed["impls"]) == {"ssl", "reference"} and printed["ceiling"] is None
    assert [r["id"] for r in printed["results"]] == [
        "handshake/TLSv1.3/ecdsa-p256/no-client-cert", "bulk/16KiB/sendall/recv_into", "echo/1B"]
    for r in printed["results"]:
        for name, cell in r["impls"].items():
            assert len(cell["samples"]) == 1 and cell["median"] > 0 and "error" not in cell
        assert r["impls"]["ssl"]["ratio"] == 1.0 and r["impls"]["ssl"]["cpu"]["ratio"] == 1.0
        assert r["impls"]["reference"]["cpu"]["median"] > 0
    handshake = printed["results"][0]["impls"]
    assert handshake["ssl"]["facts"]["version"] == handshake["reference"]["facts"]["version"] == "TLSv1.3"
    assert bench.format_table(printed).count("\n") >= 4


def test_an_implementation_that_does_not_load_is_an_error_not_a_crash(capsys):
    status = bench.main(["--quick", "--no-ceiling", "--json", "-N", "1", "--duration", "0.01",
                         "--only", "echo/*", "--impl", "ssl", "--impl", "conformance.no_such_module"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert status == 1
    assert captured.err.count("\n") == 1 and "conformance.no_such_module" in captured.err
    assert "error" in doc["impls"]["conformance.no_such_module"]
    assert "not loaded" in doc["results"][0]["impls"]["conformance.no_such_module"]["error"]
    assert doc["results"][0]["impls"]["ssl"]["median"] > 0
