"""Every case says its basis; spec cases cite the spec truly; ``--basis`` selects; the
verdict counts spec failures and CPython-compatibility differences apart."""
import json
from pathlib import Path

import pytest

from conformance.judge import basis

from conformance import cli
from conformance.cases import badinput, interop
from conformance.harness.registry import BASES, REGISTRY, case, cases_for

pytest_plugins = ["pytester"]

CASES = cases_for()


def _spec_text() -> str:
    path = basis.spec_path()
    if path is None:
        pytest.skip("the spec (../shared/spec/ssl-3.2.rst or $SSL_CONFORMANCE_SPEC) is not here")
    return path.read_text(encoding="utf-8")


def test_every_case_has_a_valid_basis_and_a_cite():
    assert CASES
    unset = [c.id for c in CASES if c.basis not in BASES or not c.cite.strip()]
    assert unset == []


def test_every_spec_quote_occurs_in_the_spec_text():
    text = _spec_text()
    quotes = ({c.cite for c in CASES if c.basis == "spec" and c.since == "3.2"}
              | {interop.CITES[cell.spec] for cell in interop.CELLS if cell.since == "3.2"})
    missing = sorted(q for q in quotes if not basis.cited_in(q, text))
    assert missing == []


def test_later_editions_quote_the_current_documentation():
    path = basis.current_spec_path()
    if path is None:
        pytest.skip("the current documentation (../shared/spec/ssl-current.rst or "
                    "$SSL_CONFORMANCE_SPEC_CURRENT) is not here")
    text = path.read_text(encoding="utf-8")
    later = {c.id: c.cite for c in CASES if c.basis == "spec" and c.since != "3.2"}
    later.update({f"interop cell {cell.name}": interop.CITES[cell.spec] for cell in interop.CELLS
                  if cell.since != "3.2"})
    missing = sorted(i for i, q in later.items() if not basis.cited_in(q, text))
    assert missing == []
    assert not basis.cited_in("check_hostname raises ValueError for a CERT_NONE context", text)


def test_the_quote_check_can_fail():
    text = _spec_text()
    assert not basis.cited_in("SSLContext.wrap_socket raises ValueError for a non-blocking socket", text)
    assert basis.cited_in("This attribute   is\nread-only.", text)  # whitespace does not matter


def test_the_spec_is_found_through_the_environment(tmp_path, monkeypatch):
    spec = tmp_path / "spec.rst"
    spec.write_text("The protocol version chosen when constructing the context.")
    monkeypatch.setenv("SSL_CONFORMANCE_SPEC", str(spec))
    assert basis.spec_path() == spec


def test_cpython_notes_are_one_line_and_say_what_cpython_does():
    notes = {c.id: c.cite for c in CASES if c.basis == "cpython"}
    assert notes
    assert [i for i, n in notes.items() if "\n" in n or "CPython" not in n] == []


def test_every_interop_cell_kind_has_a_cite():
    assert {cell.spec for cell in interop.CELLS} <= set(interop.CITES)


@pytest.mark.parametrize("kind", [k for k, *_ in badinput.ROWS])
def test_a_badinput_row_is_spec_only_where_the_spec_names_its_exception(kind):
    c = REGISTRY[f"badinput/{kind}"]
    checks = set(c.params["check"]) & {"errno", "args0"}
    if checks or kind not in badinput.DOCUMENTED:
        assert c.basis == "cpython", kind
    else:
        assert c.basis == "spec" and c.cite == badinput.DOCUMENTED[kind]


@pytest.mark.parametrize("case_id", [
    "badinput/SSLContext.load_cert_chain/certfile-directory",                    # errno EISDIR
    "badinput/SSLContext.wrap_socket/non-blocking-with-handshake-on-connect",    # ValueError: not in the spec
    "badinput/SSLSocket.getpeercert/unconnected",                                # errno ENOTCONN
    "api/SSLContext.verify_mode/invalid-42",                                     # ValueError: not in the spec
])
def test_checks_stricter_than_the_spec_are_cpython(case_id):
    assert REGISTRY[case_id].basis == "cpython"


def test_registering_without_a_valid_basis_or_cite_is_refused():
    with pytest.raises(ValueError, match="basis 'docs' is not one of spec, cpython"):
        case("api/x/bad-basis", spec="x", basis="docs", cite="quote")(lambda env: None)
    with pytest.raises(ValueError, match="no cite"):
        case("api/x/no-cite", spec="x", basis="spec", cite=" ")(lambda env: None)
    assert "api/x/bad-basis" not in REGISTRY and "api/x/no-cite" not in REGISTRY


def test_failure_phrase_counts_each_basis():
    recs = [{"basis": "spec"}] * 12 + [{"basis": "cpython"}] * 7 + [{"basis": "run"}] + [{}]
    assert basis.failure_phrase(recs) == ("13 spec failures, 7 CPython-compatibility differences, "
                                          "1 problem of the run")
    assert basis.failure_phrase([], not_loaded=1) == (
        "1 implementation not loaded")


# -- --basis ----------------------------------------------------------------------

def test_a_spec_only_cli_run_writes_no_cpython_record(capsys, tmp_path):
    status = cli.main(["run", "--impl", "ssl", "--basis", "spec", "--case", "api/SSLContext.verify_mode/*",
                       "--case", "badinput/SSLContext.load_cert_chain/*", "-n", "0", "--report-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 0, out + err
    doc = json.loads((tmp_path / "latest" / "results.json").read_text())
    case_bases = {r["basis"] for r in doc["cases"] if r["area"] != "expectations"}
    assert case_bases == {"spec"}
    assert "badinput/SSLContext.load_cert_chain/keyfile-of-the-issuer" in {r["id"] for r in doc["cases"]}
    assert doc["run"]["options"]["basis"] == "spec"


def test_a_cpython_only_run_has_only_cpython_records():
    from conformance.session import Session
    session = Session.from_options(impls=["ssl"], case_patterns=["api/SSLContext.verify_mode/*"])
    session.basis = "cpython"
    ids = [i.case.id for i in session.items() if i.kind == "case"]
    assert ids and all(REGISTRY[i].basis == "cpython" for i in ids)
    session.basis = "all"
    assert len([i for i in session.items() if i.kind == "case"]) > len(ids)


def test_an_unknown_basis_is_a_usage_error_of_the_cli(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--basis", "docs", "--report-dir", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--basis" in err and all(f"'{c}'" in err for c in basis.CHOICES)


def test_an_unknown_basis_is_a_usage_error_of_the_plugin(pytester):
    import conformance.test_conformance as t
    pytester.makepyfile(test_suite=Path(t.__file__).read_text(encoding="utf-8"))
    result = pytester.runpytest("-p", "conformance.plugin", "--impl", "ssl", "--basis", "docs",
                                "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--basis 'docs': expected one of spec, cpython, all*"])


def test_the_plugin_runs_only_the_chosen_basis(pytester):
    import conformance.test_conformance as t
    pytester.makepyfile(test_suite=Path(t.__file__).read_text(encoding="utf-8"))
    result = pytester.runpytest("-p", "conformance.plugin", "--impl", "ssl", "--basis", "cpython",
                                "--case", "api/SSLContext.protocol/*", "--collect-only", "-q",
                                "-p", "no:cacheprovider")
    ids = [l for l in result.stdout.lines if "test_conformance[ssl:" in l]
    assert ids == ["test_suite.py::test_conformance[ssl:api/SSLContext.protocol/read-only]"]  # the rest are spec
