"""``ssl-conformance``: help texts, exit codes, files written, the summary."""
import json
import textwrap

import pytest

from conformance import cli

FAST = ["--case", "api/cert_time_to_seconds/*", "-n", "0"]


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", ["run", "compare", "merge", "bench", "selftest", "soak"])
def test_every_subcommand_has_help(capsys, command):
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ssl-conformance {command}")
    assert len(out.splitlines()) >= 3


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2


def test_a_missing_external_module_says_so_in_one_line(capsys, monkeypatch):
    monkeypatch.setitem(cli.EXTERNAL, "bench", ("conformance.no_such_bench_module", "benchmarks"))
    status, out, err = run(capsys, "bench")
    assert status == 2
    assert err.count("\n") == 1 and "conformance.no_such_bench_module" in err


def test_a_subcommand_whose_module_breaks_leaves_the_others_working(capsys, monkeypatch, tmp_path):
    (tmp_path / "broken_subcommand_mod.py").write_text("raise RuntimeError('half-installed')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.EXTERNAL, "bench", ("broken_subcommand_mod", "benchmarks"))
    status, out, err = run(capsys, "bench")
    assert status == 2 and "RuntimeError: half-installed" in err
    status, out, err = run(capsys, "compare", "/nonexistent/a.json", "/nonexistent/b.json")
    assert status == 2 and "no such results file" in err


def test_a_reader_that_goes_away_is_not_a_traceback(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    from reportdata import make_doc, matrix_records
    doc = json.dumps(make_doc(matrix_records("ssl", "legacy")))
    (tmp_path / "a.json").write_text(doc)
    proc = subprocess.Popen([sys.executable, "-m", "conformance.cli", "compare", str(tmp_path / "a.json"),
                             str(tmp_path / "a.json")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parent.parent)
    proc.stdout.close()  # like `| head -0`: nobody reads
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1 and "Traceback" not in err and "Exception ignored" not in err, err


def test_run_writes_the_three_files_and_latest_and_exits_0(capsys, tmp_path):
    status, out, err = run(capsys, "run", "--report-dir", str(tmp_path), *FAST)
    assert status == 0, out + err
    latest = tmp_path / "latest"
    doc = json.loads((latest / "results.json").read_text())
    assert {r["impl"] for r in doc["cases"]} >= {"ssl", "reference"}
    assert all(r["outcome"] == "pass" for r in doc["cases"] if "tz-UTC" in r["id"])
    assert "outcomes per implementation and area" in out
    assert "OK:" in out.splitlines()[-1]


def test_run_reports_the_memory_of_the_whole_run_and_of_each_pytest_process(capsys, tmp_path):
    status, out, err = run(capsys, "run", "--report-dir", str(tmp_path),
                           "--case", "api/cert_time_to_seconds/*", "-n", "2")
    assert status == 0, out + err
    memory = json.loads((tmp_path / "latest" / "results.json").read_text())["run"]["memory"]
    peak = memory["peak_rss_mib"]
    assert len(peak["workers"]) == 2 and min(peak["workers"]) > 10 and peak["controller"] > 10
    # all processes at once: more than the largest one, less than all their peaks summed
    assert max(peak["workers"]) < memory["run_peak_mib"] < 3 * (peak["controller"] + sum(peak["workers"]))
    assert f"peak memory: {memory['run_peak_mib']:.0f} MiB, all processes at once" in out


def test_the_memory_of_a_process_tree_counts_a_child_once():
    import os
    import subprocess
    import sys
    from conformance.harness.leaks import TreePeak, tree_pss_kib
    alone = tree_pss_kib(os.getpid())
    with TreePeak(os.getpid(), interval=0.05) as peak:
        subprocess.run([sys.executable, "-c", "import time; b = bytearray(64 << 20); time.sleep(0.5)"],
                       check=True, timeout=30)
    assert peak.kib - alone > 60 << 10  # the child's 64 MiB were seen while it lived


def _broken_impl(tmp_path, monkeypatch):
    (tmp_path / "brokenssl.py").write_text(textwrap.dedent("""
        from ssl import *
        from ssl import SSLError, SSLContext, DER_cert_to_PEM_cert, PEM_cert_to_DER_cert
        try:
            from ssl import wrap_socket
        except ImportError:
            pass

        def cert_time_to_seconds(timestring):
            return 0.0  # broken on purpose
    """))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))


def test_run_exits_1_on_a_failing_implementation_and_names_the_case(capsys, tmp_path, monkeypatch):
    _broken_impl(tmp_path, monkeypatch)
    status, out, err = run(capsys, "run", "--impl", "brokenssl", "--report-dir", str(tmp_path / "r"), *FAST)
    assert status == 1
    assert "[fail] brokenssl: api/cert_time_to_seconds/spec-example" in out
    assert out.splitlines()[-1].startswith("FAILED:")


def test_a_bad_impl_is_a_load_failure_in_one_line_exit_1(capsys, tmp_path):
    status, out, err = run(capsys, "run", "--impl", "no_such_ssl_xyz", "--report-dir", str(tmp_path), *FAST)
    assert status == 1
    lines = [l for l in out.splitlines() if "no_such_ssl_xyz" in l and "NOT LOADED" in l]
    assert len(lines) == 1
    assert "Traceback" not in out + err


@pytest.mark.parametrize("argv", [
    ["run", "-n", "many"],
    ["run", "--peer", "nocolon"],
    ["run", "--based-on", "mywrapper"],                 # not WRAPPER=BASE
    ["run", "--expectations", "/nonexistent/expectations.json"],
    ["run", "-k", "no_item_has_this_name_xyz", "-n", "0"],
    ["run", "--case", "no-such-area/*", "-n", "0"],
    ["run", "--case", "interop/*", "-n", "0"],          # no --peer: no interop case exists
    ["compare", "/nonexistent/a.json", "/nonexistent/b.json"],
])
def test_usage_errors_exit_2(capsys, tmp_path, argv):
    status, out, err = run(capsys, *argv, *(["--report-dir", str(tmp_path)] if argv[0] == "run" else []))
    assert status == 2
    assert "error" in err


def test_the_child_pytest_command_is_the_documented_one():
    args = cli.build_parser().parse_args(["run", "--impl", "ssl", "--case", "matrix/*", "-n", "2",
                                          "--rerun-failures", "3", "--peer", "openssl-cli",
                                          "--based-on", "mywrapper=ssl"])
    cmd = cli.pytest_command(args, "RID")
    assert cmd[1:5] == ["-m", "pytest", "-p", "conformance.plugin"]
    assert cmd[5].endswith("conformance/test_conformance.py")
    joined = " ".join(cmd)
    for part in ("--impl ssl", "--case matrix/*", "--rerun-failures 3", "--peer openssl-cli",
                 "--run-id RID", "-p no:cacheprovider", "--based-on mywrapper=ssl"):
        assert part in joined
