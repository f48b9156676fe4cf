"""Bad input through the documented API: the documented exception, at once, nothing left open.

Each row of ``ROWS`` is one kind of bad input, written as the call a program would make::

    ("SSLContext.load_cert_chain/certfile-directory", "ctx.load_cert_chain(f.directory)", "OSError")

The id (after ``badinput/``) starts with the documented name exercised; the call is a
Python expression evaluated against the implementation; then the exception it must raise.
The spec decides where it speaks, Python's conventions where it is silent; only the
rows of ``DOCUMENTED`` have the spec as their basis, every other row (and every errno
or ``args[0]`` check) is held to CPython (``basis: cpython``):

``TypeError``   an argument of the wrong type (a str where an int goes);
``ValueError``  a wrong value of the right type (an unknown protocol number, a string that
                is no certificate time), or an operation the socket's state forbids
                (reading after close, a second unwrap);
``OSError``     a file that cannot be opened or read, a socket not connected: the spec's
                ``IOError`` / ``socket.error`` family, to which ``SSLError`` belongs;
``SSLError``    OpenSSL refused what it got: no PEM in a file, a key that does not match,
                no selectable cipher, a peer that does not speak TLS.

A call may name ``ssl`` (the module under test), ``ctx`` (a new ``SSLContext``), files
``f.<name>`` (``_MAKE``, ``_FIXTURES``) and the states of ``STATES`` (``unconnected``,
``pending``, ``closed``...).  What it names is made *before* the call, so a failure while
making it is a broken setup, never taken for the answer.  A row runs in the editions that
document the name it starts with (``wrap_socket`` until 3.12, ``RAND_egd`` until 3.10:
:data:`UNTIL`); calling a function the module lacks fails, as any documented name missing
does, unless its documentation makes it conditional (``cases.helpers.absent``: ``RAND_egd``
on OpenSSL >= 1.1.0, ``wrap_socket`` at the base edition are ``unsupported``).

:func:`judge` holds every row to the same terms: the call raises the documented type,
with a message, and not by timing out (every socket has a timeout, so a hang shows as
one).  No descriptor or thread may outlive the row: ``/proc/self/fd`` and the live
threads are read before its objects are made and after they are closed (what only the
garbage collector frees is no leak; without ``/proc`` only threads are checked).  A
reasoned difference of a real implementation is an entry in ``conformance/expectations/``,
never a weaker row.
"""
from __future__ import annotations

import atexit
import builtins
import contextlib
import errno
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import ROOT_DIR
from ..harness.leaks import leftovers, snapshot
from ..harness.loopback import run_pair, serve
from ..harness.registry import CaseFailure, Unsupported, expect_true, table
from ..harness.impls import load_impl
from ..harness.env import Certs, Env
from .helpers import absent

# -- the rows ------------------------------------------------------------------------------
# (kind, call, raises[, checks]); checks: {"errno": "E..."}, {"args0": "SSL_ERROR_..."},
# {"prompts": True} (OpenSSL may ask for a pass phrase: see _prompt_cannot_block).
ROWS: List[Tuple[Any, ...]] = [
    ("SSLContext/protocol-str-not-int", "ssl.SSLContext('PROTOCOL_TLSv1')", "TypeError"),
    ("SSLContext/protocol-float-not-int", "ssl.SSLContext(2.0)", "TypeError"),
    ("SSLContext/protocol-unknown", "ssl.SSLContext(99)", "ValueError"),
    ("SSLContext/protocol-int-too-large", "ssl.SSLContext(2 ** 64)", "ValueError"),
    ("SSLContext.options/str-not-int", "setattr(ctx, 'options', 'OP_ALL')", "TypeError"),
    ("SSLContext.options/float-not-int", "setattr(ctx, 'options', float(ctx.options))", "TypeError"),
    ("SSLContext.options/int-too-large", "setattr(ctx, 'options', ctx.options | 2 ** 64)", "ValueError"),
    ("SSLContext.verify_mode/str-not-int", "setattr(ctx, 'verify_mode', 'CERT_REQUIRED')", "TypeError"),
    ("SSLContext.verify_mode/float-not-int", "setattr(ctx, 'verify_mode', 2.0)", "TypeError"),
    ("SSLContext.verify_mode/None", "setattr(ctx, 'verify_mode', None)", "TypeError"),
    ("SSLContext.verify_mode/int-too-large", "setattr(ctx, 'verify_mode', 2 ** 64)", "ValueError"),
    ("SSLContext.load_cert_chain/certfile-directory", "ctx.load_cert_chain(f.directory)", "OSError", {"errno": "EISDIR"}),
    ("SSLContext.load_cert_chain/certfile-unreadable", "ctx.load_cert_chain(f.unreadable)", "OSError", {"errno": "EACCES"}),
    ("SSLContext.load_cert_chain/certfile-socket", "ctx.load_cert_chain(f.socket)", "OSError", {"errno": "ENXIO"}),
    ("SSLContext.load_cert_chain/certfile-huge-junk", "ctx.load_cert_chain(f.huge, f.key)", "SSLError"),
    ("SSLContext.load_cert_chain/certfile-der", "ctx.load_cert_chain(f.der, f.key)", "SSLError"),
    ("SSLContext.load_cert_chain/certfile-is-a-key", "ctx.load_cert_chain(f.key, f.key)", "SSLError"),
    ("SSLContext.load_cert_chain/certfile-int", "ctx.load_cert_chain(42)", "TypeError"),
    ("SSLContext.load_cert_chain/certfile-nul-byte", "ctx.load_cert_chain(f.cert + '\\0x')", "ValueError"),
    ("SSLContext.load_cert_chain/keyfile-nonexistent", "ctx.load_cert_chain(f.cert, f.nonexistent)", "OSError",
     {"errno": "ENOENT"}),
    ("SSLContext.load_cert_chain/keyfile-directory", "ctx.load_cert_chain(f.cert, f.directory)", "OSError",
     {"errno": "EISDIR"}),
    ("SSLContext.load_cert_chain/keyfile-empty", "ctx.load_cert_chain(f.cert, f.empty)", "SSLError"),
    ("SSLContext.load_cert_chain/keyfile-huge-junk", "ctx.load_cert_chain(f.cert, f.huge)", "SSLError"),
    ("SSLContext.load_cert_chain/keyfile-truncated", "ctx.load_cert_chain(f.cert, f.truncated_key)", "SSLError"),
    ("SSLContext.load_cert_chain/keyfile-is-a-certificate", "ctx.load_cert_chain(f.cert, f.cert)", "SSLError"),
    ("SSLContext.load_cert_chain/keyfile-of-the-issuer", "ctx.load_cert_chain(f.cert, f.issuer_key)", "SSLError"),
    ("SSLContext.load_cert_chain/keyfile-int", "ctx.load_cert_chain(f.cert, 42)", "TypeError"),
    ("SSLContext.load_cert_chain/encrypted-key-no-password", "ctx.load_cert_chain(f.encrypted_chain, f.encrypted_key)",
     "OSError", {"prompts": True}),
    ("SSLContext.load_cert_chain/encrypted-combined-no-password", "ctx.load_cert_chain(f.encrypted_combined)",
     "OSError", {"prompts": True}),
    ("SSLContext.load_verify_locations/cafile-directory", "ctx.load_verify_locations(f.directory)", "OSError"),
    ("SSLContext.load_verify_locations/cafile-unreadable", "ctx.load_verify_locations(f.unreadable)", "OSError",
     {"errno": "EACCES"}),
    ("SSLContext.load_verify_locations/cafile-socket", "ctx.load_verify_locations(f.socket)", "OSError",
     {"errno": "ENXIO"}),
    ("SSLContext.load_verify_locations/cafile-huge-junk", "ctx.load_verify_locations(f.huge)", "SSLError"),
    ("SSLContext.load_verify_locations/cafile-is-a-key", "ctx.load_verify_locations(f.key)", "SSLError"),
    ("SSLContext.load_verify_locations/cafile-int", "ctx.load_verify_locations(42)", "TypeError"),
    ("SSLContext.load_verify_locations/capath-int", "ctx.load_verify_locations(None, 42)", "TypeError"),
    ("SSLContext.load_verify_locations/cafile-nul-byte", "ctx.load_verify_locations(f.ca + '\\0x')", "ValueError"),
    ("SSLContext.set_ciphers/None", "ctx.set_ciphers(None)", "TypeError"),
    ("SSLContext.set_ciphers/bytes", "ctx.set_ciphers(b'HIGH')", "TypeError"),
    ("SSLContext.set_ciphers/nul-byte", "ctx.set_ciphers('HIGH\\0')", "ValueError"),
    ("SSLContext.set_ciphers/huge-junk", "ctx.set_ciphers('X' * 100000)", "SSLError"),
    ("SSLContext.wrap_socket/sock-None", "ctx.wrap_socket(None)", "TypeError"),
    ("SSLContext.wrap_socket/non-blocking-with-handshake-on-connect", "ctx.wrap_socket(connected_nb)", "ValueError"),
    ("wrap_socket/sock-None", "ssl.wrap_socket(None)", "TypeError"),
    ("wrap_socket/cert_reqs-unknown", "ssl.wrap_socket(sock, cert_reqs=42)", "ValueError"),
    ("wrap_socket/cert_reqs-str-not-int", "ssl.wrap_socket(sock, cert_reqs='CERT_NONE')", "TypeError"),
    ("wrap_socket/ssl_version-unknown", "ssl.wrap_socket(sock, ssl_version=99)", "ValueError"),
    ("wrap_socket/ca_certs-nonexistent", "ssl.wrap_socket(sock, cert_reqs=ssl.CERT_REQUIRED, ca_certs=f.nonexistent)",
     "OSError", {"errno": "ENOENT"}),
    ("wrap_socket/certfile-directory", "ssl.wrap_socket(sock, certfile=f.directory)", "OSError"),
    ("wrap_socket/keyfile-without-certfile", "ssl.wrap_socket(sock, keyfile=f.key)", "ValueError"),
    ("wrap_socket/server-side-without-certfile", "ssl.wrap_socket(sock, server_side=True)", "ValueError"),
    ("wrap_socket/ciphers-int", "ssl.wrap_socket(sock, ciphers=42)", "TypeError"),
    ("cert_time_to_seconds/int", "ssl.cert_time_to_seconds(1178668800)", "TypeError"),
    ("cert_time_to_seconds/bytes", "ssl.cert_time_to_seconds(b'May  9 00:00:00 2007 GMT')", "TypeError"),
    ("cert_time_to_seconds/unknown-month", "ssl.cert_time_to_seconds('Foo  9 00:00:00 2007 GMT')", "ValueError"),
    ("cert_time_to_seconds/hour-25", "ssl.cert_time_to_seconds('May  9 25:00:00 2007 GMT')", "ValueError"),
    ("cert_time_to_seconds/not-GMT", "ssl.cert_time_to_seconds('May  9 00:00:00 2007 PST')", "ValueError"),
    ("cert_time_to_seconds/huge-junk", "ssl.cert_time_to_seconds('May ' * 250000)", "ValueError"),
    ("DER_cert_to_PEM_cert/str", "ssl.DER_cert_to_PEM_cert('MIIB')", "TypeError"),
    ("PEM_cert_to_DER_cert/bytes", "ssl.PEM_cert_to_DER_cert(pem.encode('ascii'))", "TypeError"),
    ("PEM_cert_to_DER_cert/no-armor", "ssl.PEM_cert_to_DER_cert('MIIBkTCB+wIJAKHHIG')", "ValueError"),
    ("PEM_cert_to_DER_cert/no-footer", "ssl.PEM_cert_to_DER_cert(pem.split('-----END')[0])", "ValueError"),
    ("PEM_cert_to_DER_cert/private-key-armor", "ssl.PEM_cert_to_DER_cert(key_pem)", "ValueError"),
    ("PEM_cert_to_DER_cert/bad-base64", "ssl.PEM_cert_to_DER_cert(pem.replace('M', '*', 1))", "ValueError"),
    ("PEM_cert_to_DER_cert/non-ascii", "ssl.PEM_cert_to_DER_cert(pem.replace('M', '\\u00e9', 1))", "ValueError"),
    ("PEM_cert_to_DER_cert/huge-junk", "ssl.PEM_cert_to_DER_cert('junk ' * 1000000)", "ValueError"),
    ("RAND_add/bytes-int", "ssl.RAND_add(42, 0.0)", "TypeError"),
    ("RAND_add/entropy-None", "ssl.RAND_add(b'abc', None)", "TypeError"),
    ("RAND_egd/path-int", "ssl.RAND_egd(42)", "TypeError"),
    ("get_server_certificate/addr-int", "ssl.get_server_certificate(42)", "TypeError"),
    ("get_server_certificate/nothing-listening", "ssl.get_server_certificate(refused)", "OSError",
     {"errno": "ECONNREFUSED"}),
    ("get_server_certificate/ca_certs-nonexistent", "ssl.get_server_certificate(listening, ca_certs=f.nonexistent)",
     "OSError", {"errno": "ENOENT"}),
    ("get_server_certificate/ssl_version-unknown", "ssl.get_server_certificate(listening, ssl_version=99)",
     "ValueError"),
    ("SSLSocket.read/before-handshake-non-blocking", "pending_nb.read()", "SSLError", {"args0": "SSL_ERROR_WANT_READ"}),
    ("SSLSocket.read/before-handshake-peer-not-tls", "pending_http.read()", "SSLError"),
    ("SSLSocket.read/unconnected", "unconnected.read()", "ValueError"),
    ("SSLSocket.read/after-close", "closed.read()", "ValueError"),
    ("SSLSocket.read/after-unwrap", "unwrapped.read()", "ValueError"),
    ("SSLSocket.read/negative-nbytes", "pending_nb.read(-1)", "ValueError"),
    ("SSLSocket.read/buffer-str", "pending_nb.read(10, 'buffer')", "TypeError"),
    ("SSLSocket.write/after-close", "closed.write(b'x')", "ValueError"),
    ("SSLSocket.write/unconnected", "unconnected.write(b'x')", "ValueError"),
    ("SSLSocket.write/str", "pending_nb.write('text')", "TypeError"),
    ("SSLSocket.getpeercert/unconnected", "unconnected.getpeercert()", "OSError", {"errno": "ENOTCONN"}),
    ("SSLSocket.getpeercert/before-handshake", "pending.getpeercert()", "ValueError"),
    ("SSLSocket.do_handshake/unconnected", "unconnected.do_handshake()", "OSError", {"errno": "ENOTCONN"}),
    ("SSLSocket.do_handshake/after-close", "closed.do_handshake()", "OSError"),
    ("SSLSocket.unwrap/twice", "unwrapped.unwrap()", "ValueError"),
    ("SSLSocket.unwrap/unconnected", "unconnected.unwrap()", "ValueError"),
]


# -- files: made once per process (5 MB of junk is written once, not per case) ----------------

def _socket_file(path: Path) -> None:
    """A socket's name in the file system: it exists, and ``open()`` fails with ENXIO
    even for root (the unopenable file that does not depend on permissions)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))


_MAKE: Dict[str, Optional[Callable[[Path, Any], Any]]] = {
    "nonexistent": None,
    "directory": lambda p, env: p.mkdir(),
    "unreadable": lambda p, env: (p.write_bytes(b"-----BEGIN CERTIFICATE-----\n"), p.chmod(0)),
    "socket": lambda p, env: _socket_file(p),
    "empty": lambda p, env: p.write_bytes(b""),
    "huge": lambda p, env: p.write_bytes(bytes(range(256)) * 20480),  # 5 MiB without a PEM line
    "truncated_key": lambda p, env: p.write_text(env.certs.read("server", "key")[:120]),
}
#: f.<name> of the committed fixtures: (fixture, role)
_FIXTURES = {"cert": ("server", "chain"), "key": ("server", "key"), "ca": ("root-ca", "cert"),
             "der": ("server.der", "cert"), "issuer_key": ("intermediate-ca", "key"),
             "encrypted_chain": ("encrypted", "chain"), "encrypted_key": ("encrypted", "key"),
             "encrypted_combined": ("encrypted", "combined")}
_DIR: List[Path] = []


def bad_file(env: Any, name: str) -> str:
    """The path ``f.<name>`` stands for, made on first use in a directory shared by the process."""
    if name in _FIXTURES:
        return env.certs.path(*_FIXTURES[name])
    if not _DIR:
        _DIR.append(Path(tempfile.mkdtemp(prefix="ssl-conformance-badinput-")))
        atexit.register(shutil.rmtree, str(_DIR[0]), True)
    path, make = _DIR[0] / name, _MAKE[name]
    if make is not None and not os.path.lexists(path):
        make(path, env)
    if name == "unreadable" and os.access(path, os.R_OK):
        raise Unsupported("unreadable files", f"this process (uid {os.getuid()}) reads a file of mode 000: "
                                              "permissions are not enforced for it")
    return str(path)


# -- states: sockets and connections a call acts on, closed after the row --------------------

class World:
    """Makes what a row's call names; :meth:`close` closes all of it."""
    def __init__(self, env: Any):
        self.env, self._closers, self._ctx = env, [], None

    @property
    def ctx(self) -> Any:
        if self._ctx is None:
            self._ctx = self.env.ssl.SSLContext(self.env.const("PROTOCOL_SSLv23"))
        return self._ctx

    def keep(self, obj: Any) -> Any:
        self._closers.append(obj.close)
        return obj

    def close(self) -> None:
        while self._closers:
            with contextlib.suppress(Exception):
                self._closers.pop()()

    def plain(self) -> socket.socket:
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        s.settimeout(self.env.timeout)
        return s

    def connected(self, timeout: Optional[float], peer_sends: bytes = b"") -> socket.socket:
        """One end of a connected pair; the other end sends ``peer_sends``, then nothing."""
        a, b = (self.keep(s) for s in socket.socketpair())
        a.settimeout(timeout)
        b.settimeout(self.env.timeout)
        b.sendall(peer_sends)
        return a

    def pending(self, timeout: Optional[float], peer_sends: bytes = b"") -> Any:
        """A connected SSLSocket whose handshake has not run yet."""
        return self.keep(self.ctx.wrap_socket(self.connected(timeout, peer_sends), do_handshake_on_connect=False))

    def after_handshake(self, unwrap: bool) -> Any:
        """A client SSLSocket that completed a handshake, then was closed or unwrapped."""
        client_ctx, server_ctx = self.ctx, self.env.context(cert="server")

        def client(sock: socket.socket) -> Any:
            tls = client_ctx.wrap_socket(sock)
            (tls.unwrap() if unwrap else tls).close()
            return tls

        def server(sock: socket.socket) -> None:
            tls = server_ctx.wrap_socket(sock, server_side=True)
            try:
                if unwrap:
                    tls.unwrap().close()
            finally:
                tls.close()

        c, s = run_pair(client, server, timeout=self.env.timeout)
        for side, res in (("client", c), ("server", s)):
            if res.error is not None:
                raise CaseFailure(f"setup: the {side} side of the handshake failed: "
                                  f"{type(res.error).__name__}: {res.error}",
                                  actual=repr(res.error)) from res.error
        return self.keep(c.value)

    def listening(self) -> Tuple[str, int]:
        """A server that accepts a connection and closes it: a call may look at its arguments
        before or after connecting (not documented), so connecting must not fail first."""
        stack = contextlib.ExitStack()
        self._closers.append(stack.close)
        return stack.enter_context(serve(lambda conn: None, timeout=self.env.timeout))

    def refused(self) -> Tuple[str, int]:
        """A loopback address nothing listens on (a port bound, then freed)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[:2]


STATES: Dict[str, Callable[[World], Any]] = {
    "ctx": lambda w: w.ctx,
    "sock": lambda w: w.plain(),
    "connected_nb": lambda w: w.connected(0.0),
    "unconnected": lambda w: w.keep(w.ctx.wrap_socket(w.plain())),
    "pending": lambda w: w.pending(w.env.timeout),
    "pending_nb": lambda w: w.pending(0.0),
    "pending_http": lambda w: w.pending(w.env.timeout, b"GET / HTTP/1.0\r\n\r\n"),
    "closed": lambda w: w.after_handshake(unwrap=False),
    "unwrapped": lambda w: w.after_handshake(unwrap=True),
    "listening": lambda w: w.listening(),
    "refused": lambda w: w.refused(),
    "pem": lambda w: w.env.certs.read("server"),
    "key_pem": lambda w: w.env.certs.read("server", "key"),
}


# -- running and judging a row --------------------------------------------------------------------

def _outcome(exc: Optional[BaseException], ssl_module: Any, raises: str) -> Dict[str, Any]:
    """What a call did, as plain data: no exception, traceback or socket outlives the call."""
    if exc is None:
        return {"raised": None}
    want = ssl_module.SSLError if raises == "SSLError" else getattr(builtins, raises)
    return {"raised": type(exc).__name__, "message": str(exc), "matches": isinstance(exc, want),
            "timeout": isinstance(exc, (socket.timeout, TimeoutError)),
            "errno": getattr(exc, "errno", None), "args0": exc.args[0] if exc.args else None}


def _parse(call: str) -> Tuple[Any, List[str], List[str], List[str]]:
    """Compile ``call``; the module functions, files and states it names."""
    code = compile(call, "<badinput>", "eval")
    return (code, re.findall(r"\bssl\.(\w+)\(", call), [n for n in code.co_names if n in _MAKE or n in _FIXTURES],
            [n for n in code.co_names if n in STATES])


def run_row(env: Any, call: str, raises: str) -> Dict[str, Any]:
    """Make what ``call`` names, call it, close everything: the outcome, with any leaks."""
    code, functions, files, states = _parse(call)
    for name in functions:
        if not hasattr(env.ssl, name):
            raise absent(env, name, f"(documented at edition {env.impl.edition})")
    before, world = snapshot(), World(env)
    namespace: Dict[str, Any] = {"ssl": env.ssl}
    try:
        namespace["f"] = types.SimpleNamespace(**{n: bad_file(env, n) for n in files})
        namespace.update({n: STATES[n](world) for n in states})
        try:
            result = eval(code, {"__builtins__": builtins}, namespace)
        except Exception as exc:
            outcome = _outcome(exc, env.ssl, raises)
        else:
            outcome = dict(_outcome(None, env.ssl, raises), returned=repr(result)[:120])
            if hasattr(result, "close"):
                world.keep(result)
    finally:
        namespace.clear()
        world.close()
    outcome["leaks"] = leftovers(before, env.timeout)
    return outcome


def _prompt_cannot_block() -> bool:
    """True when OpenSSL's pass phrase prompt fails at once: there is no
    controlling terminal to open, and standard input is ``/dev/null`` (as
    under pytest).  Otherwise such rows run in a child process."""
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0)))
        return False
    except OSError:
        pass
    try:
        st, null = os.fstat(0), os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == null.st_rdev


def run_in_child(env: Any, kind: str) -> Dict[str, Any]:
    """:func:`run_row` in a child without a terminal (new session, stdin at EOF)."""
    root = str(ROOT_DIR)
    cmd = [sys.executable, "-c", "import sys; from conformance.cases.badinput import child; child(*sys.argv[1:])",
           env.impl.location, kind, str(env.certs.dir), str(env.timeout), env.impl.edition]
    child_env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + sys.path), PYTHONWARNINGS="ignore")
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=root,
                              env=child_env, timeout=4 * env.timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return {"raised": "no answer from the child process", "message": "", "timeout": True, "leaks": []}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise CaseFailure(f"the child process running {kind} failed: {proc.stderr.strip()[-300:]}",
                          actual=proc.returncode)
    return json.loads(lines[-1])


def child(impl: str, kind: str, certs_dir: str, timeout: str, edition: str) -> None:
    """Entry point of :func:`run_in_child`: one row, its outcome printed as JSON."""
    row = BY_KIND[kind]
    env = Env(load_impl(impl, edition), Certs(Path(certs_dir)), timeout=float(timeout))
    print(json.dumps(run_row(env, row[1], row[2]), default=repr))


def judge(env: Any, kind: str, spec: str, call: str, raises: str, check: Optional[Dict[str, Any]] = None) -> Any:
    """The case: ``call`` raises ``raises`` with a message, promptly, leaving nothing open."""
    check = check or {}
    prompt_in_child = check.get("prompts") and not _prompt_cannot_block()
    out = run_in_child(env, kind) if prompt_in_child else run_row(env, call, raises)
    got = f"{out['raised']}: {out.get('message')}" if out["raised"] else f"returned {out['returned']}"
    expect_true(out["raised"], f"{call} raises {raises} (it accepted the bad input)", expected=raises, actual=got)
    expect_true(not out["timeout"], f"{call} answers at once, not by timing out", expected=raises, actual=got)
    expect_true(out["matches"], f"{call} raises {raises}", expected=raises, actual=got)
    expect_true(out["message"].strip(), f"the {out['raised']} from {call} has a message", actual=repr(got))
    if "errno" in check:
        want = getattr(errno, check["errno"])
        expect_true(out["errno"] == want, f"{call}: errno {check['errno']}", expected=want, actual=got)
    if "args0" in check:
        want = env.const(check["args0"])
        expect_true(out["args0"] == want, f"{call}: args[0] is {check['args0']}", expected=want, actual=got)
    expect_true(not out["leaks"], f"{call} leaves nothing open", expected=[], actual=out["leaks"])
    return {"raised": got[:200], "in_child": bool(prompt_in_child)}


# -- basis: the few rows whose exception the spec names --------------------------------------------
#: kind -> the spec's sentence naming the exception that row expects.  Every other row holds the
#: implementation to CPython (the type it raises, and the errno or ``args[0]`` a check names).
DOCUMENTED: Dict[str, str] = {
    "SSLContext.load_cert_chain/keyfile-of-the-issuer":
        "An :class:`SSLError` is raised if the private key doesn't match with the certificate.",
    "SSLContext.set_ciphers/huge-junk":
        "If no cipher can be selected (because compile-time options or other configuration forbids use of "
        "all the specified ciphers), an :class:`SSLError` will be raised.",
}


def basis_of(row: Dict[str, Any]) -> str:
    """``spec`` where the spec names the exception and no CPython detail is checked, else ``cpython``."""
    return "spec" if row["kind"] in DOCUMENTED and not {"errno", "args0"} & set(row["check"]) else "cpython"


def cite_of(row: Dict[str, Any]) -> str:
    if basis_of(row) == "spec":
        return DOCUMENTED[row["kind"]]
    detail = "".join(f", {key} {value}" for key, value in row["check"].items() if key in ("errno", "args0"))
    return f"CPython raises {row['raises']}{detail} for this input; the spec names no exception for it"


#: documented name -> the first edition that no longer documents it (its rows stop there)
UNTIL: Dict[str, str] = {"wrap_socket": "3.12", "RAND_egd": "3.10"}

BY_KIND: Dict[str, Tuple[Any, ...]] = {row[0]: row for row in ROWS}
for _row in ROWS:
    _parse(_row[1])  # a typo in a call fails the import, not a run

table("badinput/{kind}", spec="{spec}", basis=basis_of, cite=cite_of, until=lambda row: UNTIL.get(row["spec"]),
      rows=[{"kind": r[0], "spec": r[0].split("/")[0], "call": r[1], "raises": r[2], "check": dict(*r[3:])}
            for r in ROWS])(judge)
