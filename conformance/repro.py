"""repro/: one runnable script per failing case, certificates beside it.

``python repro/<case>.py`` rebuilds the situation of one failing record and
shows the difference (exit 1 while it is there, 0 once it is gone).  The
certificate fixtures are copied once into ``repro/certs/`` so the directory
can be zipped and sent with a bug report.  Two kinds of script:

*matrix cells* (``matrix/{policy}/client=..., server=...``, ``interop`` cells
between two importable modules) are written out in full using only the
public API of the implementation(s) under test: two ``SSLContext`` objects
configured as the cell says (protocol constant, ``OP_NO_*`` options, the
legacy cipher policy), a threaded loopback handshake with timeouts on every
socket, the negotiated version on both sides, and the oracle's verdict from
the record.  Nothing of the suite is imported.

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

from .capabilities import PROTOCOL_NAMES
from .summary import GATING

__all__ = ["write_repros", "script_for", "file_name"]

_HARNESS_ROOT = Path(__file__).resolve().parent.parent
_OPTION = re.compile(r"NO_(SSLv2|SSLv3|TLSv1(_[123])?)\Z")


def file_name(rec: Mapping[str, Any]) -> str:
    """``repro/`` file name of a record: impl and id, filesystem-safe."""
    raw = f"{rec['impl']}__{rec['id']}".replace("->", "-to-")
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", raw).strip("_")[:180] + ".py"


def _side(value: Any, extra: Any) -> Optional[Dict[str, Any]]:
    """``SSLv23+NO_TLSv1`` (or ``SSLv23 OP_NO_TLSv1``...) -> protocol + options."""
    parts = [p for p in re.split(r"[+ ,/|]+", str(value)) if p]
    if not parts or parts[0] not in PROTOCOL_NAMES:
        return None
    options = [p[3:] if p.startswith("OP_") else p for p in parts[1:]]
    options += [str(o)[3:] if str(o).startswith("OP_") else str(o) for o in (extra or ())]
    if not all(_OPTION.match(o) for o in options):
        return None
    return {"protocol": parts[0], "options": options}


def _version(value: Any) -> Optional[str]:
    if isinstance(value, dict):
        return _version(value.get("version"))
    if isinstance(value, str) and re.match(r"(TLSv1(\.[123])?|SSLv[23])\Z", value):
        return value
    return None


def _matrix_plan(rec: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    params = rec.get("params") or {}
    if not str(rec["id"]).startswith("matrix/") or "client" not in params or "server" not in params:
        return None
    client = _side(params["client"], params.get("client_options"))
    server = _side(params["server"], params.get("server_options"))
    if client is None or server is None:
        return None
    policy = str(params.get("policy", "default"))
    client_mod, _, server_mod = str(rec["impl"]).partition("->")
    observed = rec.get("observed") if isinstance(rec.get("observed"), dict) else {}
    oracle = observed.get("expected", rec.get("expected"))
    return {"client": {**client, "module": client_mod, "policy": policy},
            "server": {**server, "module": server_mod or client_mod, "policy": policy},
            "expected_version": _version(oracle), "oracle": oracle,
            "suite_saw": observed.get("version") or rec.get("actual")}


_HEADER = '''#!/usr/bin/env python3
"""Reproducer for {id} on {impl} (run {run}).

spec: {spec}
outcome in the run: {outcome}
message: {message}

Run it with the interpreter of the run: python {fname}
Exit status 1 while the difference shows, 0 once it is gone.
"""
import importlib
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


def load(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        sys.path[:0] = SEARCH_PATH
        return importlib.import_module(name)
'''

_MATRIX_BODY = '''
import socket
import threading

CLIENT = {client!r}
SERVER = {server!r}
#: The oracle's verdict for this cell, and the version it implies (None: no connection).
ORACLE = {oracle!r}
EXPECTED_VERSION = {expected!r}
SUITE_SAW = {saw!r}


def context(side, server_side):
    m = load(side["module"])
    ctx = m.SSLContext(getattr(m, "PROTOCOL_" + side["protocol"]))
    if side["policy"] == "legacy":  # every version and cipher the library still has
        if hasattr(m, "TLSVersion") and hasattr(ctx, "minimum_version"):
            try:
                ctx.minimum_version = m.TLSVersion.MINIMUM_SUPPORTED
            except (ValueError, AttributeError):
                pass
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    for name in side["options"]:
        ctx.options |= getattr(m, "OP_" + name)
    if server_side:
        ctx.load_cert_chain(os.path.join(CERTS, "server-chain.pem"), os.path.join(CERTS, "server.key"))
    else:  # as the suite's cell: the client verifies the server against the test root
        ctx.verify_mode = m.CERT_REQUIRED
        ctx.load_verify_locations(os.path.join(CERTS, "root-ca.pem"))
    return ctx


def version_of(conn):
    v = conn.version() if hasattr(conn, "version") else None
    return v or conn.cipher()[1]


def main():
    server_ctx, client_ctx = context(SERVER, True), context(CLIENT, False)
    listener = socket.socket()
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    result = {{}}

    def serve():
        try:
            raw, _ = listener.accept()
            raw.settimeout(TIMEOUT)
            conn = server_ctx.wrap_socket(raw, server_side=True)
            result["server"] = version_of(conn)
            conn.sendall(conn.recv(64))
            conn.close()
        except Exception as exc:
            result["server"] = "%s: %s" % (type(exc).__name__, exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
    try:
        conn = client_ctx.wrap_socket(raw)
        client = version_of(conn)
        conn.sendall(b"ping")
        conn.recv(64)
        conn.close()
    except Exception as exc:
        client = None
        print("client error: %s: %s" % (type(exc).__name__, exc))
        raw.close()
    thread.join(TIMEOUT)
    listener.close()
    print("client %s %s%s -> server %s %s%s" % (
        CLIENT["module"], CLIENT["protocol"], "".join(" +OP_" + o for o in CLIENT["options"]),
        SERVER["module"], SERVER["protocol"], "".join(" +OP_" + o for o in SERVER["options"])))
    print("policy:", CLIENT["policy"])
    print("negotiated (client):", client or "no connection")
    print("server side:", result.get("server", "no connection"))
    print("oracle:", ORACLE, "->", EXPECTED_VERSION or "no connection")
    print("the suite saw:", SUITE_SAW)
    if client != EXPECTED_VERSION:
        print("DIFFERENCE: expected %s, got %s" % (EXPECTED_VERSION or "no connection", client or "no connection"))
        return 1
    print("no difference: the cell behaves as the oracle says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
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
    try:
        import conformance  # noqa: F401
    except ImportError:
        sys.path.insert(0, HARNESS)
    import conformance.cases  # noqa: F401  (registers every case)
    from conformance.env import Certs, Env
    from conformance.impls import load_impl
    from conformance.registry import REGISTRY
    from conformance.runner import run_case
    sys.path[len(sys.path):] = SEARCH_PATH
    case = REGISTRY.get(CASE_ID)
    if case is None:
        print("the suite at hand has no case %r any more" % CASE_ID)
        return 2
    env = Env(load_impl(CLIENT_MODULE), Certs(CERTS), timeout=TIMEOUT)
    label = CLIENT_MODULE
    if PEER_MODULE:
        env.peer = Env(load_impl(PEER_MODULE), Certs(CERTS), timeout=TIMEOUT)
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
        from .registry import REGISTRY
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


def script_for(rec: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    """The reproducer script for one record."""
    fname = file_name(rec)
    header = _HEADER.format(id=rec["id"], impl=rec["impl"], run=doc.get("run", {}).get("id", "?"),
                            spec=rec.get("spec", ""), outcome=rec["outcome"], fname=f"repro/{fname}",
                            message=" ".join(str(rec.get("message", "")).split())[:300].replace('"""', "'''"),
                            search=_search_path(doc))
    plan = _matrix_plan(rec)
    if plan is not None:
        return header + _MATRIX_BODY.format(client=plan["client"], server=plan["server"],
                                            oracle=plan["oracle"], expected=plan["expected_version"],
                                            saw=plan["suite_saw"])
    client, _, peer = str(rec["impl"]).partition("->")
    return header + _GENERIC_BODY.format(harness=str(_HARNESS_ROOT), id=rec["id"], client=client,
                                         peer=peer or None, expected=rec.get("expected"),
                                         actual=rec.get("actual"), source=_case_source(rec["id"]))


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
        from .env import CERTS_DIR
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
