"""The peer agent: an ssl implementation in another interpreter, driven over pipes.

Interoperability is checked between implementations that may live in
different interpreters (PyPy's ``ssl``, CPython 3.9's, the reference on 3.13).
The suite starts one agent per such peer (``conformance.peers.agent``); the
agent does the TLS work with the module under test and reports what it saw.
Like the "shim" of BoringSSL's test runner it is deliberately dumb: all
judging happens in the suite.  It imports nothing but the standard library
and the module under test, so it runs under any Python >= 3.9 or PyPy, as a
module or as a plain file::

    python3.9 -m conformance.shim --impl ssl
    pypy3 path/to/shim.py --impl reference --path /checkout

Protocol, version 2
===================

Version 2 adds the version bounds of ``context`` (``minimum_version``,
``maximum_version``) and what ``hello`` says of them; an agent speaks
versions 1 and 2, and a driver needing the bounds offers only 2, so that an
agent of version 1 -- which would ignore the fields it does not know --
refuses it in ``hello`` instead ("no common protocol version").

One JSON object per line on stdin, one reply per request on stdout, in order.
A request is ``{"cmd": NAME, "id": ANY, ...fields}`` (``id`` is optional and
echoed back).  A reply is ``{"id": ..., "ok": true, ...results}`` or
``{"id": ..., "ok": false, "error": ERROR}``, ERROR being ``{"kind", "type",
"bases", "args", "message", "errno", "reason"}``: ``kind`` is ``request``
(bad JSON, command or fields), ``unsupported`` (the module lacks a name the
request needs) or ``raised`` (the module or the OS raised); ``bases`` lists
the exception's classes (``["SSLError", "OSError", ...]``).  Commands:

``hello {protocols: [1, 2]}``  agree on the highest common protocol version
    (a request error when there is none);
    reply ``protocol``, ``agent``, ``interpreter``, ``impl`` (module, file),
    ``openssl`` (the ``OPENSSL_VERSION*`` names) and ``has`` (``PROTOCOL_*``,
    ``OP_*``, ``CERT_*`` names present, ``minimum_version``,
    ``maximum_version``, ``tls_versions``: the ``TLSVersion`` member names,
    ``version_method``).  Optional: any command works without it.
``context {protocol, options, verify, certfile, keyfile, cafile, capath, ciphers, policy,
minimum_version, maximum_version}``
    ``SSLContext(PROTOCOL_<protocol>)`` (default ``SSLv23``) with ``OP_<name>``
    for each of ``options``; ``policy: "legacy"`` lowers ``minimum_version``
    to the minimum supported (where it exists) and sets the ciphers
    ``DEFAULT:@SECLEVEL=0``; then (version 2) ``minimum_version`` and
    ``maximum_version`` set to the ``TLSVersion`` members they name
    (``"TLSv1_2"``, ``"MAXIMUM_SUPPORTED"``; unsupported when the module lacks
    them); then the cert chain, the trusted CAs,
    ``verify_mode = CERT_<verify>`` and ``set_ciphers(ciphers)``.  Reply
    ``context``, a handle.
``listen {context, timeout, payload | echo, host, port}``  listen on loopback
    (``127.0.0.1`` unless ``host``), reply ``port`` and ``session`` at once;
    in the background accept one connection, handshake server-side, read
    ``len(payload)`` bytes (which must be ``payload``) and send them back.
``connect {context, port, timeout, payload | echo, answer, host, server_hostname}``
    reply ``session`` at once; in the background connect, handshake
    client-side, send ``payload``, read back as many bytes as ``answer``
    (default: the payload, an echo), which must be ``answer``.
``result {session, timeout}``  wait for the session (at most ``timeout``,
    default ``3 * timeout`` of the session; past it its sockets are shut
    down) and reply its report: ``done``, ``completed`` (handshake and echo
    succeeded), the ``stage`` reached (accept, connect, wrap, handshake,
    echo, done), ``version``, ``cipher``, ``peercert`` (dict form),
    ``peercert_der`` (base64), ``echoed`` (base64, first 4096 bytes),
    ``echoed_len``, ``timed_out``, ``failure`` (ERROR or null).  The
    session is forgotten afterwards.
``forget {context}``, ``reset``  drop a context, or every context and
    finished session.  ``ping``: reply ``pong``.  ``bye``: reply, then exit.

``payload`` and ``answer`` are base64; ``echo: N`` stands for the N bytes
``i % 256``; the default payload is ``ping``.  Every socket operation has
``timeout`` (default 5 s).  The agent exits when stdin closes, on ``bye``, or
after ``--idle-timeout`` seconds without a request.  A module that cannot be
imported gets one ERROR reply (``id`` null) and exit status 2.  What the
module under test prints goes to stderr, never into the protocol stream.
"""
from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import platform
import socket
import sys
import threading
import time
import warnings
from typing import Any, Dict, List, Optional

PROTOCOLS = (1, 2)
AGENT_VERSION = "2.0"
LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"
MAX_PAYLOAD = 1 << 20


class RequestError(Exception):
    """The request is malformed; the reply says why."""


class Missing(Exception):
    """The module under test lacks a name the request needs."""


def describe_error(exc: BaseException, kind: str = "raised") -> Dict[str, Any]:
    """An exception as a JSON object (see ERROR in the module docstring)."""
    if isinstance(exc, RequestError):
        kind = "request"
    elif isinstance(exc, Missing):
        kind = "unsupported"
    return {"kind": kind, "type": type(exc).__name__,
            "bases": [c.__name__ for c in type(exc).__mro__[:-1]],
            "args": jsonable(list(exc.args)), "message": str(exc),
            "errno": jsonable(getattr(exc, "errno", None)),
            "reason": jsonable(getattr(exc, "reason", None))}


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return repr(value)


def field(req: Dict[str, Any], name: str, kind: Any, default: Any = RequestError) -> Any:
    """``req[name]`` checked against ``kind``; a missing required field is a RequestError."""
    if name not in req or req[name] is None:
        if default is RequestError:
            raise RequestError(f"{req.get('cmd')}: missing field {name!r}")
        return default
    value, kinds = req[name], kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise RequestError(f"{req.get('cmd')}: field {name!r} has the wrong type "
                           f"({type(value).__name__})")
    return value


class Session(threading.Thread):
    """One TLS connection in the background: accept or connect, handshake, echo."""

    def __init__(self, ctx: Any, server_side: bool, payload: bytes, answer: bytes,
                 timeout: float, sock: socket.socket, addr: Any, server_hostname: Optional[str]):
        super().__init__(daemon=True)
        self.ctx, self.server_side, self.answer = ctx, server_side, answer
        self.payload, self.timeout, self.sock, self.addr = payload, timeout, sock, addr
        self.server_hostname = server_hostname
        self.conns: List[socket.socket] = [sock]
        self.deadline = time.monotonic() + 3 * timeout
        self.report: Dict[str, Any] = {"completed": False, "stage": "accept" if server_side else "connect",
                                       "version": None, "cipher": None, "peercert": None,
                                       "peercert_der": None, "echoed": None, "echoed_len": 0,
                                       "timed_out": False, "failure": None}

    def run(self) -> None:
        rep = self.report
        tls = None
        try:
            if self.server_side:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            else:
                conn = self.sock
                conn.connect(self.addr)
            conn.settimeout(self.timeout)
            rep["stage"] = "wrap"
            kwargs: Dict[str, Any] = {"server_side": self.server_side, "do_handshake_on_connect": False}
            if self.server_hostname is not None:
                kwargs["server_hostname"] = self.server_hostname
            tls = self.ctx.wrap_socket(conn, **kwargs)
            rep["stage"] = "handshake"
            tls.do_handshake()
            rep["stage"] = "echo"
            version = getattr(tls, "version", None)
            rep["cipher"] = jsonable(tls.cipher())
            rep["version"] = (version() if callable(version) else None) or (rep["cipher"] or [None, None])[1]
            rep["peercert"] = jsonable(tls.getpeercert())
            rep["peercert_der"] = jsonable(tls.getpeercert(True))
            if self.server_side:
                data, want = read_exactly(tls, len(self.payload)), self.payload
                tls.sendall(data)
            else:
                tls.sendall(self.payload)
                data, want = read_exactly(tls, len(self.answer)), self.answer
            rep["echoed"], rep["echoed_len"] = jsonable(data[:4096]), len(data)
            if data != want:
                raise ValueError(f"echo mismatch: expected {want[:64]!r}, got {data[:64]!r}")
            rep["stage"], rep["completed"] = "done", True
        except BaseException as exc:  # reported, never lost
            rep["failure"] = describe_error(exc)
        finally:
            for closeable in ([tls] if tls is not None else []) + self.conns:
                quietly(closeable.close)

    def cut(self) -> None:
        """Shut the sockets down so a blocked call returns now."""
        for s in self.conns:
            quietly(s.shutdown, socket.SHUT_RDWR)


def quietly(fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except Exception:
        pass


def b64field(req: Dict[str, Any], name: str, default: bytes) -> bytes:
    text = field(req, name, str, None)
    if text is None:
        return default
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise RequestError(f"{req.get('cmd')}: {name} is not base64") from None


def read_exactly(tls: Any, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = tls.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


class Agent:
    """Holds the module under test, its contexts and sessions; answers requests."""

    def __init__(self, module: Any, name: str):
        self.ssl, self.name = module, name
        self.contexts: Dict[str, Any] = {}
        self.sessions: Dict[str, Session] = {}
        self.counter = 0

    def handle(self, line: str) -> Dict[str, Any]:
        """The reply to one request line; never raises."""
        req_id = None
        try:
            try:
                req = json.loads(line)
            except ValueError as exc:
                raise RequestError(f"malformed JSON: {exc}") from None
            if not isinstance(req, dict):
                raise RequestError("a request is a JSON object")
            req_id = req.get("id")
            cmd = req.get("cmd")
            method = getattr(self, "cmd_" + cmd, None) if isinstance(cmd, str) else None
            if method is None:
                raise RequestError(f"unknown command {cmd!r}; known: " + ", ".join(
                    sorted(n[4:] for n in dir(self) if n.startswith("cmd_"))))
            reply = {"id": req_id, "ok": True}
            reply.update(method(req))
            return reply
        except Exception as exc:
            return {"id": req_id, "ok": False, "error": describe_error(exc)}

    def const(self, name: str) -> Any:
        try:
            return getattr(self.ssl, name)
        except AttributeError:
            raise Missing(f"{self.name} has no {name}") from None

    def handle_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # -- commands --------------------------------------------------------
    def cmd_hello(self, req: Dict[str, Any]) -> Dict[str, Any]:
        offered = field(req, "protocols", list, [1])
        common = [p for p in PROTOCOLS if p in offered]
        if not common:
            raise RequestError(f"no common protocol version: agent speaks {list(PROTOCOLS)}, "
                               f"offered {offered}")
        m = self.ssl
        names = dir(m)
        ctx_cls = getattr(m, "SSLContext", object)
        tls_version = getattr(m, "TLSVersion", None)
        return {"protocol": max(common), "agent": AGENT_VERSION,
                "interpreter": {"implementation": platform.python_implementation(),
                                "version": platform.python_version(), "executable": sys.executable},
                "impl": {"module": self.name, "module_file": getattr(m, "__file__", None)},
                "openssl": {"openssl_version": jsonable(getattr(m, "OPENSSL_VERSION", None)),
                            "openssl_version_number": jsonable(getattr(m, "OPENSSL_VERSION_NUMBER", None)),
                            "openssl_version_info": jsonable(getattr(m, "OPENSSL_VERSION_INFO", None))},
                "has": {"protocols": sorted(n[9:] for n in names if n.startswith("PROTOCOL_")),
                        "options": sorted(n for n in names if n.startswith("OP_")),
                        "cert_reqs": sorted(n for n in names if n.startswith("CERT_")),
                        "minimum_version": hasattr(ctx_cls, "minimum_version"),
                        "maximum_version": hasattr(ctx_cls, "maximum_version"),
                        "tls_versions": [v.name for v in tls_version] if tls_version is not None else [],
                        "version_method": hasattr(getattr(m, "SSLSocket", object), "version")}}

    def cmd_context(self, req: Dict[str, Any]) -> Dict[str, Any]:
        ctx = self.ssl.SSLContext(self.const("PROTOCOL_" + field(req, "protocol", str, "SSLv23")))
        policy = field(req, "policy", str, "default")
        if policy == "legacy":
            lowest = getattr(getattr(self.ssl, "TLSVersion", None), "MINIMUM_SUPPORTED", None)
            if lowest is not None and hasattr(ctx, "minimum_version"):
                quietly(setattr, ctx, "minimum_version", lowest)
            ctx.set_ciphers(LEGACY_CIPHERS)
        elif policy != "default":
            raise RequestError(f"context: unknown policy {policy!r} (default, legacy)")
        for name in field(req, "options", list, []):
            ctx.options |= self.const("OP_" + str(name))
        for attr in ("minimum_version", "maximum_version"):
            member = field(req, attr, str, None)
            if member is None:
                continue
            if not hasattr(ctx, attr):
                raise Missing(f"{self.name}'s SSLContext has no {attr}")
            tls_version = self.const("TLSVersion")
            if member not in getattr(tls_version, "__members__", {}):
                raise Missing(f"{self.name} has no TLSVersion.{member}")
            setattr(ctx, attr, getattr(tls_version, member))
        certfile = field(req, "certfile", str, None)
        if certfile is not None:
            ctx.load_cert_chain(certfile, field(req, "keyfile", str, None))
        cafile, capath = field(req, "cafile", str, None), field(req, "capath", str, None)
        if cafile is not None or capath is not None:
            ctx.load_verify_locations(cafile, capath)
        verify = field(req, "verify", str, None)
        if verify is not None:
            ctx.verify_mode = self.const("CERT_" + verify)
        ciphers = field(req, "ciphers", str, None)
        if ciphers is not None:
            ctx.set_ciphers(ciphers)
        handle = self.handle_id("c")
        self.contexts[handle] = ctx
        return {"context": handle}

    def _start(self, req: Dict[str, Any], server_side: bool) -> Dict[str, Any]:
        handle = field(req, "context", str)
        if handle not in self.contexts:
            raise RequestError(f"{req['cmd']}: no context {handle!r}")
        timeout = float(field(req, "timeout", (int, float), 5.0))
        if not 0 < timeout <= 600:
            raise RequestError(f"{req['cmd']}: timeout must be in (0, 600]")
        pattern = bytes(i % 256 for i in range(min(field(req, "echo", int, 0), MAX_PAYLOAD + 1)))
        payload = b64field(req, "payload", pattern or b"ping")
        answer = b64field(req, "answer", payload)
        if max(len(payload), len(answer)) > MAX_PAYLOAD:
            raise RequestError(f"{req['cmd']}: payload larger than {MAX_PAYLOAD} bytes")
        host = field(req, "host", str, "127.0.0.1")
        addr = (host, field(req, "port", int, 0 if server_side else RequestError))
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        reply: Dict[str, Any] = {}
        try:
            sock.settimeout(timeout)
            if server_side:
                sock.bind(addr)
                sock.listen(1)
                reply["port"] = sock.getsockname()[1]
        except BaseException:
            sock.close()
            raise
        session = Session(self.contexts[handle], server_side, payload, answer, timeout, sock, addr,
                          field(req, "server_hostname", str, None))
        reply["session"] = self.handle_id("s")
        self.sessions[reply["session"]] = session
        session.start()
        return reply

    def cmd_listen(self, req: Dict[str, Any]) -> Dict[str, Any]:
        return self._start(req, server_side=True)

    def cmd_connect(self, req: Dict[str, Any]) -> Dict[str, Any]:
        return self._start(req, server_side=False)

    def cmd_result(self, req: Dict[str, Any]) -> Dict[str, Any]:
        handle = field(req, "session", str)
        session = self.sessions.get(handle)
        if session is None:
            raise RequestError(f"result: no session {handle!r}")
        wait = field(req, "timeout", (int, float), None)
        deadline = session.deadline if wait is None else time.monotonic() + float(wait)
        session.join(max(0.0, deadline - time.monotonic()))
        if session.is_alive():
            session.report["timed_out"] = True
            session.cut()
            session.join(session.timeout)
        if session.is_alive():  # still stuck after the cut: report, keep the thread
            report = dict(session.report, done=False)
            report["failure"] = report["failure"] or describe_error(
                socket.timeout(f"session {handle} still running after its sockets were shut down"))
            return report
        del self.sessions[handle]
        return dict(session.report, done=True)

    def cmd_forget(self, req: Dict[str, Any]) -> Dict[str, Any]:
        handle = field(req, "context", str)
        if self.contexts.pop(handle, None) is None:
            raise RequestError(f"forget: no context {handle!r}")
        return {}

    def cmd_reset(self, req: Dict[str, Any]) -> Dict[str, Any]:
        self.contexts.clear()
        for handle, session in list(self.sessions.items()):
            if not session.is_alive():
                del self.sessions[handle]
        return {"sessions_running": len(self.sessions)}

    def cmd_ping(self, req: Dict[str, Any]) -> Dict[str, Any]:
        return {"pong": True}

    def cmd_bye(self, req: Dict[str, Any]) -> Dict[str, Any]:
        return {"bye": True}


def serve(agent: Agent, stdin: Any, out: Any, idle_timeout: float) -> int:
    """Answer request lines from ``stdin`` until it closes or ``bye``."""
    idle_since: List[Optional[float]] = [time.monotonic()]  # None while a request is handled
    if idle_timeout > 0:
        def watchdog() -> None:
            while True:
                time.sleep(min(idle_timeout, 1.0))
                since = idle_since[0]
                if since is not None and time.monotonic() - since > idle_timeout:
                    sys.stderr.write(f"agent: no request for {idle_timeout:g}s, exiting\n")
                    os._exit(3)
        threading.Thread(target=watchdog, daemon=True).start()
    while True:
        raw = stdin.readline()
        if not raw:
            return 0
        idle_since[0] = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = "\x00"  # not JSON: the reply says "malformed JSON"
        reply = agent.handle(line) if line.strip() else None
        if reply is not None:
            out.write((json.dumps(reply) + "\n").encode("utf-8"))
            out.flush()
        idle_since[0] = time.monotonic()
        if reply is not None and reply.get("ok") and reply.get("bye"):
            return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="ssl-conformance peer agent (see the module docstring)")
    parser.add_argument("--impl", default="ssl", help="dotted name of the ssl module under test")
    parser.add_argument("--path", action="append", default=[], help="prepend DIR to sys.path")
    parser.add_argument("--idle-timeout", type=float, default=600.0,
                        help="exit after this many seconds without a request (0: never)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", DeprecationWarning)  # the spec's API is the legacy one
    # The protocol owns the real stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.path[:0] = args.path
    try:
        module = importlib.import_module(args.impl)
    except BaseException as exc:  # say why in the protocol, then exit
        err = describe_error(exc)
        err["message"] = f"cannot import {args.impl!r}: {err['message']}"
        out.write((json.dumps({"id": None, "ok": False, "error": err}) + "\n").encode("utf-8"))
        out.flush()
        return 2
    return serve(Agent(module, args.impl), sys.stdin.buffer, out, args.idle_timeout)


if __name__ == "__main__":
    sys.exit(main())
