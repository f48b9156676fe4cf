"""Loading an implementation under test, and what it can do.

An implementation is any module exposing the documented ``ssl`` API:
``ssl``, ``reference``, ``gevent.ssl``, ``eventlet.green.ssl``, your own,
named by its dotted import path or by a file path (``./myssl.py``,
``/x/y/myssl.py``: anything ending in ``.py`` or containing a path
separator).  A file is loaded as a module of its own, with its directory
importable (as ``python FILE`` would); its name in the results, in
expectation patterns and in item ids is the path *as given*, so two files
with the same stem stay apart and ``./ssl.py`` is never taken for the
stdlib.

Loading either gives an :class:`Impl` or one :class:`ImplLoadError`: the
suite reports it as a single failing item rather than a traceback per case.
Its first line says what went wrong; a module that raised while importing
gets the innermost frames in its own source (``file:line in function:
source line``) on the lines after it, and a module name that does not exist
suggests the file-path form when a file of that name is in the current
directory.

An implementation is loaded at an *edition* (``conformance.judge.editions``):
a module that defines ``for_edition(edition)`` is asked once for the module
that follows that edition's documentation, and that is what is tested.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import platform
import sys
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..judge.editions import DEFAULT as DEFAULT_EDITION

__all__ = ["Impl", "ImplLoadError", "load_impl", "is_file_name", "CHILD_LOADER", "CORE_NAMES", "interpreter_info"]

#: Names without which nothing in the suite can run.  A module missing more
#: than half of them is not an ssl implementation at all.
CORE_NAMES = (
    "SSLError", "wrap_socket", "SSLContext", "CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED",
    "PROTOCOL_SSLv23", "PROTOCOL_TLSv1", "OP_ALL", "OPENSSL_VERSION",
    "DER_cert_to_PEM_cert", "PEM_cert_to_DER_cert", "cert_time_to_seconds",
    "get_server_certificate", "RAND_status", "RAND_add",
)


class ImplLoadError(Exception):
    """The implementation could not be loaded: ``str()`` is a one-line reason,
    then (for a module that raised) one indented line per frame."""

#: how many frames of the implementation's own source a load failure shows
TRACEBACK_FRAMES = 3


#: The start of a ``python -c`` child that needs the implementation: binds
#: ``m`` to the module named by ``sys.argv[1]``, an :attr:`Impl.location` (a
#: dotted name, or a file's absolute path), at the edition named by the
#: environment variable :data:`EDITION_VARIABLE` (start the child with
#: :meth:`Impl.child_environ`).  Standard library only.
CHILD_LOADER = """
import importlib, importlib.util, os, sys
def _load(name):
    if name.endswith(".py"):
        spec = importlib.util.spec_from_file_location("impl_under_test", name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)
m = _load(sys.argv[1])
if callable(getattr(m, "for_edition", None)) and os.environ.get("SSL_CONFORMANCE_EDITION"):
    m = m.for_edition(os.environ["SSL_CONFORMANCE_EDITION"])
"""
#: the environment variable naming a child's edition (see :data:`CHILD_LOADER`)
EDITION_VARIABLE = "SSL_CONFORMANCE_EDITION"


def interpreter_info() -> Dict[str, str]:
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "executable": sys.executable,
    }


@dataclasses.dataclass
class Impl:
    """An implementation under test: its module, name and static facts."""

    name: str
    module: Any
    missing: List[str] = dataclasses.field(default_factory=list)
    #: the edition the module was loaded at (see :func:`load_impl`)
    edition: str = DEFAULT_EDITION

    @property
    def module_file(self) -> Optional[str]:
        return getattr(self.module, "__file__", None)

    @property
    def location(self) -> str:
        """What another process passes to :func:`load_impl` for the same module:
        the dotted name, or the file's absolute path (a relative one would
        depend on that process's working directory)."""
        if is_file_name(self.name) and self.module_file:
            return str(Path(self.module_file).resolve())
        return self.name

    def child_environ(self) -> Dict[str, str]:
        """The environment of a :data:`CHILD_LOADER` child: this one, plus the edition."""
        return {**os.environ, EDITION_VARIABLE: self.edition}

    def openssl(self) -> Dict[str, Any]:
        """What the module says of its OpenSSL (the ``OPENSSL_VERSION*`` trio)."""
        info = getattr(self.module, "OPENSSL_VERSION_INFO", None)
        return {
            "openssl_version": getattr(self.module, "OPENSSL_VERSION", None),
            "openssl_version_number": getattr(self.module, "OPENSSL_VERSION_NUMBER", None),
            "openssl_version_info": list(info) if isinstance(info, tuple) else None,
        }

    def has(self, name: str) -> bool:
        return hasattr(self.module, name)


def is_file_name(name: str) -> bool:
    """Is ``--impl name`` a file path rather than a dotted module name?"""
    return name.endswith(".py") or "/" in name or os.sep in name


def load_impl(name: str, edition: str = DEFAULT_EDITION) -> Impl:
    """Import ``name`` (a dotted module path or a file) and check it looks like ``ssl``.

    If the module defines ``for_edition``, the module it returns for
    ``edition`` is the one tested (an error there is a load error too).

    The current directory is importable too (as with ``python -m pytest``),
    so ``pytest --impl mymodule`` finds ``./mymodule.py`` however pytest was
    started.
    """
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())
    try:
        module = _import_file(name) if is_file_name(name) else importlib.import_module(name)
    except ImplLoadError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise ImplLoadError(f"cannot import implementation {name!r}: no module named {exc.name!r}"
                                + _file_hint(name)) from None
        raise ImplLoadError(_raised(name, exc)) from None
    except BaseException as exc:  # a broken module (even one calling sys.exit) must not take the run down
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ImplLoadError(_raised(name, exc)) from None
    chooser = getattr(module, "for_edition", None)
    if callable(chooser):
        try:
            module = chooser(edition)
        except BaseException as exc:  # noqa: BLE001 - reported as the load error it is
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise ImplLoadError(_raised(name, exc).replace("raised", f"raised in for_edition({edition!r})", 1)) \
                from None
    missing = [n for n in CORE_NAMES if not hasattr(module, n)]
    if len(missing) > len(CORE_NAMES) // 2:
        raise ImplLoadError(
            f"{name!r} ({getattr(module, '__file__', '?')}) lacks most of the documented ssl API: "
            f"missing {', '.join(missing)}")
    return Impl(name=name, module=module, missing=missing, edition=edition)


def _import_file(name: str) -> Any:
    """Load the file ``name`` as a module (registered under its stem when that is free)."""
    path = Path(name).expanduser().resolve()
    if not path.is_file():
        why = "is a directory, not a .py file" if path.is_dir() else "does not exist"
        raise ImplLoadError(f"cannot load implementation {name!r}: {path} {why}")
    modname = path.stem
    loaded = sys.modules.get(modname)
    if loaded is not None:
        if getattr(loaded, "__file__", None) and Path(loaded.__file__).resolve() == path:
            return loaded
        modname = f"_conformance_impl_{abs(hash(str(path))):x}_{path.stem}"
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:
        raise ImplLoadError(f"cannot load implementation {name!r}: {path} is not a Python source file")
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))  # its siblings import, as under ``python FILE``
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


def _source_root(name: str) -> Optional[str]:
    """The file or package directory holding ``name``'s own source, if it can be found."""
    if is_file_name(name):
        return str(Path(name).expanduser().resolve())
    try:
        spec = importlib.util.find_spec(name.split(".")[0])  # a top-level lookup imports nothing
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    if spec.submodule_search_locations:
        return str(Path(spec.origin).resolve().parent)
    return str(Path(spec.origin).resolve())


def _raised(name: str, exc: BaseException) -> str:
    """``importing implementation 'x' raised E: msg``, then its innermost own frames."""
    lines = [f"importing implementation {name!r} raised {type(exc).__name__}: {exc}"]
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<") and os.path.abspath(f.filename) != os.path.abspath(__file__)]
    root = _source_root(name)
    own = [f for f in frames if root and os.path.realpath(f.filename).startswith(root)]
    for f in (own or frames)[-TRACEBACK_FRAMES:]:
        lines.append(f"  {f.filename}:{f.lineno} in {f.name}: {(f.line or '').strip()}")
    if own and frames and frames[-1] is not own[-1]:
        last = frames[-1]
        lines.append(f"  raised in {last.filename}:{last.lineno} in {last.name}: {(last.line or '').strip()}")
    return "\n".join(lines)


def _file_hint(name: str) -> str:
    """``; there is a file ./x.py: use --impl ./x.py`` when one of that name is near."""
    leaf = name.split(".")[-1]
    cwd = Path.cwd()
    candidates = [cwd / (name.replace(".", os.sep) + ".py"), cwd / f"{leaf}.py"]
    for pattern in (f"*/{leaf}.py", f"*/*/{leaf}.py"):
        candidates += sorted(p for p in cwd.glob(pattern)
                             if not any(part.startswith(".") for part in p.relative_to(cwd).parts))
    found = list(dict.fromkeys(str(p.relative_to(cwd)) for p in candidates if p.is_file()))[:3]
    if not found:
        return ""
    return "; there is " + ", ".join(f"./{f}" for f in found) + f": to load a file, use --impl ./{found[0]}"
