"""Loading an implementation: dotted names, file paths, and the errors when it will not load."""
import sys
import textwrap

import pytest

from conformance.harness.impls import ImplLoadError, is_file_name, load_impl

WRAPPER = "from ssl import *\nfrom ssl import SSLError, SSLContext, DER_cert_to_PEM_cert, PEM_cert_to_DER_cert\n"
BROKEN = textwrap.dedent("""\
    import os

    def helper():
        raise RuntimeError("half-installed")

    def outer():
        helper()

    outer()
""")


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A scratch current directory; modules imported from it are forgotten afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


@pytest.mark.parametrize("name,is_file", [
    ("ssl", False), ("gevent.ssl", False), ("mymod.py", True), ("./mymod.py", True), ("/x/y/mymod.py", True),
    ("impls/mymod", True)])
def test_what_counts_as_a_file_name(name, is_file):
    assert is_file_name(name) is is_file


@pytest.mark.parametrize("given", ["./sub/dir/wrapmod.py", "sub/dir/wrapmod.py", "ABSOLUTE"])
def test_a_file_path_loads_that_file_under_the_name_as_given(here, given):
    f = here / "sub" / "dir" / "wrapmod.py"
    f.parent.mkdir(parents=True)
    f.write_text(WRAPPER + "MARK = 'the file'\n")
    name = str(f) if given == "ABSOLUTE" else given
    impl = load_impl(name)
    assert impl.name == name and impl.module.MARK == "the file"
    assert impl.module_file == str(f.resolve()) and impl.location == str(f.resolve())
    assert load_impl("ssl").location == "ssl"


def test_a_file_whose_stem_is_taken_does_not_replace_that_module(here):
    (here / "ssl.py").write_text(WRAPPER + "MARK = 'mine'\n")
    import ssl
    impl = load_impl("./ssl.py")
    assert impl.module.MARK == "mine" and sys.modules["ssl"] is ssl and not hasattr(ssl, "MARK")


@pytest.mark.parametrize("given", ["brokenmod", "./brokenmod.py"])
def test_a_module_that_raises_is_reported_with_its_innermost_frames(here, given):
    (here / "brokenmod.py").write_text(BROKEN)
    with pytest.raises(ImplLoadError) as exc:
        load_impl(given)
    first, *frames = str(exc.value).splitlines()
    assert first == f"importing implementation {given!r} raised RuntimeError: half-installed"
    assert [f.split(" in ", 1)[1] for f in frames] == [
        "<module>: outer()", "outer: helper()", 'helper: raise RuntimeError("half-installed")']
    assert all(f.startswith(f"  {here / 'brokenmod.py'}:") for f in frames)
    assert [int(f.split(":")[1].split()[0]) for f in frames] == [9, 7, 4]


def test_an_error_raised_in_a_dependency_names_the_module_line_and_where_it_was_raised(here):
    (here / "depfail.py").write_text("import json\njson.loads('{')\n")
    with pytest.raises(ImplLoadError) as exc:
        load_impl("depfail")
    lines = str(exc.value).splitlines()
    assert lines[0].startswith("importing implementation 'depfail' raised JSONDecodeError")
    assert lines[1] == f"  {here / 'depfail.py'}:2 in <module>: json.loads('{{')"
    assert lines[2].startswith("  raised in ") and "json" in lines[2]


def test_a_missing_dependency_is_not_a_missing_module(here):
    (here / "needsdep.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(ImplLoadError, match=r"raised ModuleNotFoundError: No module named 'no_such_dependency_xyz'"):
        load_impl("needsdep")


def test_a_module_that_exits_is_a_load_error(here):
    (here / "exits.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(ImplLoadError, match="raised SystemExit: 3"):
        load_impl("exits")


def test_a_missing_module_says_so_and_suggests_a_file_of_that_name(here):
    with pytest.raises(ImplLoadError) as exc:
        load_impl("no_such_impl_xyz")
    assert str(exc.value) == "cannot import implementation 'no_such_impl_xyz': no module named 'no_such_impl_xyz'"
    (here / "impls").mkdir()
    (here / "impls" / "no_such_impl_xyz.py").write_text(WRAPPER)
    with pytest.raises(ImplLoadError) as exc:
        load_impl("no_such_impl_xyz")
    assert str(exc.value).endswith(
        "there is ./impls/no_such_impl_xyz.py: to load a file, use --impl ./impls/no_such_impl_xyz.py")
    assert load_impl("./impls/no_such_impl_xyz.py").name == "./impls/no_such_impl_xyz.py"


@pytest.mark.parametrize("given,message", [
    ("./nofile.py", "nofile.py does not exist"),
    ("./adir/", "is a directory"),
])
def test_a_bad_file_path_says_what_is_wrong(here, given, message):
    (here / "adir").mkdir()
    with pytest.raises(ImplLoadError, match=message):
        load_impl(given)


# -- the shims of tests/impls: third-party contexts behind the stdlib's names -------------------

from pathlib import Path  # noqa: E402

TESTS = Path(__file__).resolve().parent
SHIMS = [("urllib3_pyopenssl_ssl", "urllib3.contrib.pyopenssl", "PyOpenSSLContext"),
         pytest.param("truststore_ssl", "truststore", "SSLContext",
                      marks=pytest.mark.skipif(sys.version_info < (3, 10), reason="truststore needs Python 3.10+"))]


@pytest.mark.parametrize("shim,home,cls", SHIMS)
def test_a_shim_loads_by_file_path_and_by_dotted_name(monkeypatch, shim, home, cls):
    import importlib
    import ssl
    expected = getattr(importlib.import_module(home), cls)
    monkeypatch.syspath_prepend(str(TESTS))
    for name in (str(TESTS / "impls" / f"{shim}.py"), f"impls.{shim}"):
        impl = load_impl(name)
        assert impl.module.SSLContext is expected, name
        assert impl.module.CERT_REQUIRED is ssl.CERT_REQUIRED and impl.module.SSLError is ssl.SSLError
        assert set(impl.missing) <= {"wrap_socket"}  # removed from the stdlib in 3.12
