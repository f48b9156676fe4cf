"""compare flags regressions (and only those fail it); merge lines runs up into one matrix."""
import json

from conformance import cli
from conformance.report.compare import compare, render_comparison
from conformance.report.merge import merge, merged_grids, render_merged_text
from conformance.report.schemacheck import RESULTS_SCHEMA, errors, load_schema
from reportdata import impl_facts, make_doc, matrix_records, record, sample_doc

MERGED_SCHEMA = RESULTS_SCHEMA.with_name("merged.schema.json")


def _write(tmp_path, name, doc):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _seeded():
    old = sample_doc()
    new = sample_doc()
    new["run"]["id"] = "20260102T000000Z-beef"
    rec = next(r for r in new["cases"] if r["id"] == "api/cert_time_to_seconds/spec-example" and r["impl"] == "ssl")
    rec.update(outcome="fail", message="expected 1178668800, got 0.0", expected=1178668800, actual=0.0)
    return old, new


def test_compare_flags_a_seeded_regression():
    old, new = _seeded()
    diff = compare(old, new)
    assert [(r["impl"], r["id"]) for r in diff["regressions"]] == [("ssl", "api/cert_time_to_seconds/spec-example")]
    assert diff["fixes"] == [] and diff["added"] == [] and diff["removed"] == []
    text = render_comparison(diff)
    assert "regressions: 1" in text and "pass -> fail" in text
    assert text.splitlines()[-1].startswith("REGRESSED: 1 regression")


def test_compare_command_exits_1_on_regression_0_otherwise(tmp_path, capsys):
    old, new = _seeded()
    a, b = _write(tmp_path, "old", old), _write(tmp_path, "new", new)
    assert cli.main(["compare", a, b]) == 1
    assert "ssl: api/cert_time_to_seconds/spec-example" in capsys.readouterr().out
    assert cli.main(["compare", b, a]) == 0  # the other way round it is a fix
    assert "fixes: 1" in capsys.readouterr().out
    assert cli.main(["compare", a, a, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["regressions"] == 0


def test_compare_reports_changed_versions_facts_and_new_or_removed_cases():
    old = make_doc(matrix_records("reference", "legacy") + [record("api/gone/case", "reference")],
                   impls=("reference",), facts={"reference": impl_facts("reference", "OpenSSL 3.1.4 24 Oct 2023")})
    cell = ("TLSv1", "TLSv1")
    new = make_doc(matrix_records("reference", "legacy", {cell: {"observed": {"version": None, "expected": None}}})
                   + [record("api/new/case", "reference")], impls=("reference",),
                   facts={"reference": impl_facts("reference", "OpenSSL 4.0.3 29 Sep 2026")})
    new["implementations"]["reference"]["capabilities"]["versions_seclevel0"] = ["TLSv1.2", "TLSv1.3"]
    diff = compare(old, new)
    assert [(c["id"], c["old"], c["new"]) for c in diff["version_changes"]] == \
        [("matrix/legacy/client=TLSv1/server=TLSv1", "TLSv1", None)]
    assert [r["id"] for r in diff["added"]] == ["api/new/case"]
    assert [r["id"] for r in diff["removed"]] == ["api/gone/case"]
    facts = {c["fact"]: c for c in diff["facts"]}
    assert facts["openssl_version"]["new"].startswith("OpenSSL 4.0.3")
    assert facts["capabilities.versions_seclevel0"]["lost"] == ["TLSv1", "TLSv1.1"]
    assert diff["regressions"] == []


def test_a_cell_that_now_fails_is_a_regression_not_a_version_change():
    """A failing record keeps expected/actual, not ``observed``: that is no
    evidence that the cell stopped connecting."""
    cell = ("SSLv23", "SSLv23")
    old = make_doc(matrix_records("ssl", "legacy"))
    new = make_doc(matrix_records("ssl", "legacy", {cell: {"outcome": "fail", "observed": None,
                                                           "expected": "TLSv1.1", "actual": "TLSv1.3"}}))
    diff = compare(old, new)
    assert [r["id"] for r in diff["regressions"]] == ["matrix/legacy/client=SSLv23/server=SSLv23"]
    assert diff["version_changes"] == []


def _three_envs():
    builds = [("OpenSSL 3.1.4 24 Oct 2023", {}), ("OpenSSL 3.5.4 30 Sep 2025", {}),
              ("OpenSSL 4.0.3 29 Sep 2026", {("TLSv1", "SSLv23"): {"observed": {"version": None, "expected": None}},
                                             ("TLSv1", "TLSv1"): {"observed": {"version": None, "expected": None}}})]
    return [make_doc(matrix_records("reference", "default") + matrix_records("reference", "legacy", over),
                     impls=("reference",), run_id=f"2026010{i}T000000Z-000{i}",
                     facts={"reference": impl_facts("reference", version)})
            for i, (version, over) in enumerate(builds, 1)]


def test_merging_three_envs_gives_one_matrix_per_policy():
    merged = merge(_three_envs())
    assert errors(merged, load_schema(MERGED_SCHEMA)) == []
    assert [c["label"] for c in merged["columns"]] == [
        "reference@3.2 @ CPython 3.11.7 / OpenSSL 3.1.4", "reference@3.2 @ CPython 3.11.7 / OpenSSL 3.5.4",
        "reference@3.2 @ CPython 3.11.7 / OpenSSL 4.0.3"]
    grids = merged_grids(merged)
    assert [g["group"] for g in grids] == ["policy default", "policy legacy"]
    legacy = grids[1]["cells"]
    assert len(legacy[("TLSv1", "TLSv1")]) == 3  # every column in the one cell
    assert [c.marked for c in legacy[("TLSv1", "TLSv1")].values()] == ["1.0", "1.0", "no"]
    text = render_merged_text(merged)
    assert "≠ client=TLSv1 server=TLSv1: [1] 1.0, [2] 1.0, [3] no" in text
    assert merged["summary"]["differing"] == 2


def test_merge_command_writes_json_and_html_and_gates(tmp_path, capsys):
    paths = [_write(tmp_path, f"env{i}", d) for i, d in enumerate(_three_envs())]
    out = tmp_path / "merged"
    assert cli.main(["merge", *paths, "-o", str(out)]) == 0
    merged = json.loads((out / "merged.json").read_text())
    assert errors(merged, load_schema(MERGED_SCHEMA)) == []
    html = (out / "merged.html").read_text()
    assert "class='matrix merged'" in html and "https://" not in html
    assert cli.main(["merge", *paths, _write(tmp_path, "bad", sample_doc()), "-o", str(out)]) == 1
    capsys.readouterr()


def test_merge_refuses_a_file_that_is_not_results(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    assert cli.main(["merge", str(bad)]) == 2
    assert "not an ssl-conformance results file" in capsys.readouterr().err


def test_merge_of_a_tox_reports_directory_takes_each_envs_latest_run(tmp_path, capsys):
    for i, doc in enumerate(_three_envs()):
        run = tmp_path / "tox" / f"reference-env{i}" / doc["run"]["id"]
        run.mkdir(parents=True)
        (run / "results.json").write_text(json.dumps(doc))
        (run.parent / "latest").symlink_to(run.name)
    assert cli.main(["merge", str(tmp_path / "tox"), "-o", str(tmp_path / "merged")]) == 0
    assert "merged 3 runs of edition 3.2, 3 columns" in capsys.readouterr().out


def test_compare_ignores_run_specific_noise_in_error_texts():
    old, new = sample_doc(), sample_doc()
    for doc, tid, line in ((old, "4057B098757F0000", 1664), (new, "40D7F1E3207F0000", 1701)):
        rec = next(r for r in doc["cases"] if r["id"] == "api/SSLContext.options/default" and r["impl"] == "ssl")
        rec["observed"] = {"peer_error": f"{tid}:error:0A000102:SSL routines:x:unsupported protocol:statem_srvr.c:{line}:"}
    assert compare(old, new)["observed_changes"] == []
    rec["observed"] = {"peer_error": "40D7F1E3207F0000:error:0A00010B:SSL routines:y:wrong version number"}
    assert [c["changed"].keys() for c in compare(old, new)["observed_changes"]] == [{"peer_error": 0}.keys()]


def _two_editions():
    """The same implementation on the same interpreter and OpenSSL, run at 3.2 and at 3.13: the float
    case of 3.2 only in one, the int case of 3.5 on only in the other, one case in both."""
    common = record("api/cert_time_to_seconds/spec-example", "ssl", spec="cert_time_to_seconds", editions="3.2+")
    old = make_doc([common, record("api/cert_time_to_seconds/returns-float", "ssl", "deviation",
                                   spec="cert_time_to_seconds", editions="3.2-3.4", reason="an int since 3.5")],
                   edition="3.2")
    new = make_doc([common, record("api/cert_time_to_seconds/returns-int", "ssl", spec="cert_time_to_seconds",
                                   editions="3.5+")], run_id="20260102T000000Z-beef", edition="3.13")
    return old, new


def test_compare_names_both_editions_and_warns_when_they_differ():
    old, new = _two_editions()
    diff = compare(old, new)
    assert (diff["old"]["edition"], diff["new"]["edition"], diff["editions_differ"]) == ("3.2", "3.13", True)
    assert [r["id"] for r in diff["added"]] == ["api/cert_time_to_seconds/returns-int"]
    assert [r["id"] for r in diff["removed"]] == ["api/cert_time_to_seconds/returns-float"]
    text = render_comparison(diff)
    assert text.splitlines()[0] == ("compare 20260101T000000Z-abcd (edition 3.2) -> 20260102T000000Z-beef "
                                    "(edition 3.13)")
    assert "WARNING: the runs are of different editions (3.2 -> 3.13)" in text.splitlines()[1]
    same = compare(old, old)
    assert same["editions_differ"] is False and "WARNING" not in render_comparison(same)
    legacy = make_doc([])  # written before editions existed: the base spec
    assert compare(legacy, old)["old"]["edition"] == "3.2" and not compare(legacy, old)["editions_differ"]


def test_merge_keeps_the_columns_of_two_editions_apart_and_warns(tmp_path, capsys):
    old, new = _two_editions()
    merged = merge([old, new])
    assert errors(merged, load_schema(MERGED_SCHEMA)) == []
    labels = [c["label"] for c in merged["columns"]]
    assert labels == ["ssl@3.2 @ CPython 3.11.7 / OpenSSL 3.0.2", "ssl@3.13 @ CPython 3.11.7 / OpenSSL 3.0.2"]
    assert [c["edition"] for c in merged["columns"]] == ["3.2", "3.13"]
    assert [r["edition"] for r in merged["runs"]] == ["3.2", "3.13"]
    assert merged["summary"]["editions"] == ["3.2", "3.13"]  # as versions: 3.13 after 3.2
    row = next(c for c in merged["cases"] if c["id"] == "api/cert_time_to_seconds/spec-example")
    assert sorted(row["results"]) == sorted(labels)  # one result per edition, never merged into one
    text = render_merged_text(merged)
    assert text.splitlines()[0].startswith("merged 2 runs of editions 3.2, 3.13, 2 columns")
    assert "WARNING: runs of different editions: 3.2 (1 run), 3.13 (1 run)" in text
    paths = [_write(tmp_path, "old", old), _write(tmp_path, "new", new)]
    assert cli.main(["merge", *paths, "-o", str(tmp_path / "m")]) == 0
    html = (tmp_path / "m" / "merged.html").read_text()
    assert "id='editions' class='meta failure'" in html and "runs of different editions" in html
    capsys.readouterr()
    one = merge([old, old])
    assert one["summary"]["editions"] == ["3.2"] and "WARNING" not in render_merged_text(one)
