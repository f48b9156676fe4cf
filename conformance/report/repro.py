"""repro/: one runnable script per failing case, certificates beside it.

``python repro/<case>.py`` rebuilds the situation of one failing record and
shows the difference (exit 1 while it is there, 0 once it is gone).  The
certificate fixtures are copied once into ``repro/certs/`` so the directory
can be zipped and sent with a bug report.  Two kinds of script:

*connections* -- matrix cells (``matrix/{policy}/client=..., server=...``)
and verify cells (``verify/...``: verify modes, client certificates, chain
completion) -- are written out in full using only the public API of the
implementation(s) under test (``conformance.report.reproplans``): two
``SSLContext`` objects configured as the cell says (protocol constant,
``OP_NO_*`` options, the legacy cipher policy, certificate files, trusted CAs
or capath, verify mode), a threaded loopback handshake with timeouts on every
socket, the negotiated version and ``getpeercert()`` form on both sides, and
the oracle's verdict.  Nothing of the suite is imported.

*every other case* gets a small runner that imports the suite (from the
checkout that produced the run, recorded in the script) and runs that one
case against the implementation with no expectation applied, printing the
expected and actual values; the case's own source is embedded as a comment
so the script reads on its own.

Standard library only.
"""
from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from .. import ROOT_DIR
from .reproplans import CONNECTION_BODY, plan_for
from .summary import GATING
from ..harness.env import CERTS_DIR, Certs
from ..harness.impls import is_file_name
from ..harness.registry import REGISTRY

__all__ = ["write_repros", "script_for", "file_name"]

_HARNESS_ROOT = ROOT_DIR


def file_name(rec: Mapping[str, Any]) -> str:
    """``repro/`` file name of a record: impl and id, filesystem-safe."""
    raw = f"{rec['impl']}__{rec['id']}".replace("->", "-to-")
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", raw).strip("_")[:180] + ".py"


_HEADER = '''#!/usr/bin/env python3
"""Reproducer for {id} on {impl} (run {run}).

spec: {spec}
outcome in the run: {outcome}
message: {message}

Run it with the interpreter of the run: python {fname}
Exit status 1 while the difference shows, 0 once it is gone.
"""
import importlib
import importlib.util
import os
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # the legacy API is the point
HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "certs")
TIMEOUT = 5.0
#: Where the implementation modules were imported from in the run (used
#: only when a module does not import as it is).
SEARCH_PATH = {search!r}
#: Implementations given as file paths in the run: name -> absolute path.
FILES = {files!r}


def load(name):
    if name in FILES:  # an implementation given as a file path
        spec = importlib.util.spec_from_file_location("impl_under_test", FILES[name])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(name)
    except ImportError:
        sys.path[:0] = SEARCH_PATH
        return importlib.import_module(name)
'''

_GENERIC_BODY = '''
#: The suite that produced the run (the case is run through it).
HARNESS = {harness!r}
CASE_ID = {id!r}
CLIENT_MODULE, PEER_MODULE = {client!r}, {peer!r}
EXPECTED, ACTUAL = {expected!r}, {actual!r}

# The case, as the suite defines it (for reading; the runner below imports it):
{source}

def main():
    if os.path.isdir(os.path.join(HARNESS, "conformance")):
        sys.path.insert(0, HARNESS)  # the suite of the run, before any other installed copy
    import conformance.cases  # noqa: F401  (registers every case)
    from conformance.harness.env import Certs, Env
    from conformance.harness.impls import load_impl
    from conformance.harness.registry import REGISTRY
    from conformance.harness.runner import run_case
    from conformance.probe.capabilities import probe
    sys.path[len(sys.path):] = SEARCH_PATH
    case = REGISTRY.get(CASE_ID)
    if case is None:
        print("the suite at hand has no case %r any more" % CASE_ID)
        return 2
    def env_of(name):
        impl = load_impl(FILES.get(name, name))
        return Env(impl, Certs(CERTS), timeout=TIMEOUT, caps=probe(impl, Certs(CERTS), timeout=TIMEOUT))

    env = env_of(CLIENT_MODULE)
    label = CLIENT_MODULE
    if PEER_MODULE:
        env.peer = env_of(PEER_MODULE)
        env.cleanup(env.peer.close)
        label = "%s->%s" % (CLIENT_MODULE, PEER_MODULE)
    rec = run_case(case, env, label, None)
    print("%s on %s: %s" % (CASE_ID, label, rec.outcome))
    if rec.message:
        print("message: ", rec.message)
    print("expected:", rec.expected if rec.outcome != "pass" else EXPECTED)
    print("actual:  ", rec.actual if rec.outcome != "pass" else "(as expected)")
    print("in the run: expected %r, actual %r" % (EXPECTED, ACTUAL))
    return 1 if rec.outcome in ("fail", "error") else 0


if __name__ == "__main__":
    sys.exit(main())
'''


def _case_source(case_id: str) -> str:
    try:
        func = REGISTRY[case_id].func
        source = inspect.getsource(func)
    except (KeyError, OSError, TypeError):
        return "#   (source not available)\n"
    return "".join("#   " + line + "\n" for line in source.rstrip().splitlines())


def _search_path(doc: Mapping[str, Any]) -> List[str]:
    out = [str(_HARNESS_ROOT)]
    for facts in (doc.get("implementations") or {}).values():
        module_file, module = facts.get("module_file"), str(facts.get("module", ""))
        if module_file:
            p = Path(module_file).resolve().parent
            for _ in range(module.count(".") + (Path(module_file).name == "__init__.py")):
                p = p.parent
            if str(p) not in out:
                out.append(str(p))
    return out


def _files(doc: Mapping[str, Any]) -> Dict[str, str]:
    """The implementations of the run that were loaded from a file: name -> absolute path."""
    return {name: str(Path(facts["module_file"]).resolve())
            for name, facts in (doc.get("implementations") or {}).items()
            if is_file_name(name) and facts.get("module_file")}


def script_for(rec: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    """The reproducer script for one record."""
    fname = file_name(rec)
    header = _HEADER.format(id=rec["id"], impl=rec["impl"], run=doc.get("run", {}).get("id", "?"),
                            spec=rec.get("spec", ""), outcome=rec["outcome"], fname=f"repro/{fname}",
                            message=" ".join(str(rec.get("message", "")).split())[:300].replace('"""', "'''"),
                            search=_search_path(doc), files=_files(doc))
    plan = plan_for(rec, _certs(doc))
    if plan is not None:
        return header + CONNECTION_BODY.format(client=plan["client"], server=plan["server"],
                                               oracle=plan["oracle"], expected=plan["expected_version"],
                                               peercert=plan["peercert"], saw=plan["suite_saw"])
    client, _, peer = str(rec["impl"]).partition("->")
    return header + _GENERIC_BODY.format(harness=str(_HARNESS_ROOT), id=rec["id"], client=client,
                                         peer=peer or None, expected=rec.get("expected"),
                                         actual=rec.get("actual"), source=_case_source(rec["id"]))


def _certs(doc: Mapping[str, Any]) -> Any:
    """The run's certificate fixtures (``run.options.certs``, else the checkout's)."""
    certs = (doc.get("run", {}).get("options") or {}).get("certs")
    return Certs(Path(certs) if certs and Path(certs).is_dir() else CERTS_DIR)


def write_repros(doc: Mapping[str, Any], directory: Path) -> Optional[Path]:
    """Write ``directory/<case>.py`` per failing record (+ ``certs/``); None if nothing failed."""
    failing = [r for r in doc.get("cases", ()) if r.get("outcome") in GATING
               and r.get("impl") != "*" and r.get("id") != "load"]
    if not failing:
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    certs = (doc.get("run", {}).get("options") or {}).get("certs")
    if certs is None:
        certs = CERTS_DIR
    if Path(certs).is_dir() and not (directory / "certs").exists():
        shutil.copytree(certs, directory / "certs")
    index = []
    for rec in failing:
        name = file_name(rec)
        (directory / name).write_text(script_for(rec, doc), encoding="utf-8")
        index.append(f"{name}\n    {rec['outcome']}: {' '.join(str(rec.get('message', '')).split())[:200]}")
    (directory / "INDEX.txt").write_text(
        "Reproducers of the failing cases; run one with: python repro/<file>.py\n\n"
        + "\n".join(index) + "\n", encoding="utf-8")
    return directory
