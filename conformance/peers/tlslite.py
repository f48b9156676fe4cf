"""tlslite-ng as a peer: a pure-Python TLS stack that still speaks SSLv3.

On a modern OpenSSL no in-process implementation can *offer* SSLv3, so the
cells saying "the implementation under test must refuse SSLv3" need a peer
that really sends an SSLv3 hello or an SSLv3 ServerHello: tlslite-ng does
(``minVersion = (3, 0)``), and it also offers TLS 1.0 through 1.3.  A
``PeerConfig``'s bounds become ``minVersion`` / ``maxVersion``.

tlslite-ng is optional (the ``peers`` extra) and imported only here, when the
endpoint is used; without it the cells are ``unsupported`` with the import
error as the reason.

What this endpoint does not do: X.509 path validation.  ``verify`` other
than NONE makes a tlslite server *request and require* a client certificate
(``reqCert=True``) without checking its chain, and a tlslite client does not
check the server's chain at all.  Cells needing validation on the peer's side
use the openssl CLI.  The fixtures it presents are the RSA ones
(``server-rsa``/``client-rsa``; an ``-rsa`` variant of whatever ``cert`` names,
when there is one), since SSLv3 has no ECDSA cipher suites.

Each connection runs in a thread with the socket timeout set on every
operation; the server thread is joined (bounded) and its socket closed on
exit.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import warnings
from pathlib import Path
from typing import Any, FrozenSet, Iterator, Optional, Tuple

from ..judge.bounds import resolve
from . import Endpoint, PeerConfig, PeerResult, RunningServer, reason_of_text, run_on

__all__ = ["TLSLite"]

#: version name -> tlslite's (major, minor).
TUPLES = {"SSLv3": (3, 0), "TLSv1": (3, 1), "TLSv1.1": (3, 2), "TLSv1.2": (3, 3), "TLSv1.3": (3, 4)}
NAMES = {t: n for n, t in TUPLES.items()}


def _tlslite() -> Any:
    with warnings.catch_warnings():  # its integration modules import asyncore
        warnings.simplefilter("ignore", DeprecationWarning)
        import tlslite.api  # noqa: F401  (optional dependency: the ``peers`` extra)
        import tlslite
    return tlslite


def _rsa(certs: Any, name: str) -> str:
    rsa = f"{name}-rsa"
    return rsa if rsa in certs.names() else name



def _read_up_to(conn: Any, size: int) -> bytes:
    """Read from a tlslite connection until ``size`` bytes came or the peer ended."""
    data = b""
    while len(data) < size:
        chunk = conn.read(max=size - len(data))
        if not chunk:
            break
        data += chunk
    return data

class _Server(RunningServer):
    def __init__(self, thread: threading.Thread, box: dict, address: Tuple[str, int], timeout: float):
        self.thread, self.box, self.address, self.timeout = thread, box, address, timeout

    def result(self) -> PeerResult:
        self.thread.join(3 * self.timeout)
        if self.thread.is_alive():
            return PeerResult(error="tlslite server did not finish", reason="timeout", timed_out=True)
        return self.box.get("result") or PeerResult(error="tlslite server produced no result", reason="other")


class TLSLite(Endpoint):
    name = "tlslite"
    validates = False  # see the module docstring
    tls13_client_auth = False  # tlslite-ng has no in-handshake TLS 1.3 client authentication

    def available(self) -> Optional[str]:
        try:
            _tlslite()
        except ImportError as exc:
            return f"tlslite-ng is not installed (pip install 'ssl-conformance[peers]'): {exc}"
        return None

    def versions(self, policy: str = "default") -> FrozenSet[str]:
        return frozenset(TUPLES) if self.available() is None else frozenset()

    def describe(self) -> str:
        try:
            return f"tlslite-ng {_tlslite().__version__}"
        except ImportError:
            return "tlslite-ng (missing)"

    # -- pieces --------------------------------------------------------
    def _settings(self, config: PeerConfig) -> Any:
        tl = _tlslite()
        s = tl.HandshakeSettings()
        low, high = (resolve(config.minimum, "min", TUPLES), resolve(config.maximum, "max", TUPLES))
        if config.version is not None:
            s.minVersion = s.maxVersion = TUPLES[config.version]
        else:
            s.minVersion = TUPLES[low] if low else (3, 0) if config.policy == "legacy" else (3, 1)
            s.maxVersion = TUPLES[high] if high else (3, 4)
        s.versions = sorted((t for t in TUPLES.values() if s.minVersion <= t <= s.maxVersion), reverse=True)
        if s.maxVersion >= (3, 4):  # curves TLS 1.3 forbids must not be offered with it
            s.eccCurves = [c for c in s.eccCurves if not c.startswith("brainpool")]
        if s.minVersion < (3, 3):
            s.cipherNames = ["aes128gcm", "aes256gcm", "aes128", "aes256", "3des"]
        return s

    def _identity(self, config: PeerConfig, certs: Any) -> Tuple[Any, Any]:
        if config.cert is None:
            return None, None
        tl = _tlslite()
        name = _rsa(certs, config.cert)
        chain = tl.X509CertChain()
        chain.parsePemList(Path(certs.path(name, "chain")).read_text(encoding="ascii"))
        key = tl.parsePEMKey(Path(certs.path(name, "key")).read_text(encoding="ascii"), private=True)
        return chain, key

    def _run(self, sock: socket.socket, config: PeerConfig, certs: Any, server: bool) -> PeerResult:
        tl = _tlslite()
        res = PeerResult()
        try:
            conn = tl.TLSConnection(sock)
            chain, key = self._identity(config, certs)
            settings = self._settings(config)
            if server:
                conn.handshakeServer(certChain=chain, privateKey=key, settings=settings,
                                     reqCert=config.verify != "NONE")
            else:
                conn.handshakeClientCert(certChain=chain, privateKey=key, settings=settings)
            res.version = NAMES.get(tuple(conn.version), str(conn.version))
            res.cipher = conn.getCipherName()
            if server:
                data = _read_up_to(conn, len(config.payload))
                conn.write(self.answer(data))
            else:
                conn.write(config.payload)
                data = _read_up_to(conn, len(config.payload))
            res.received = bytes(data)
            res.ok = res.received == config.payload
            if not res.ok:
                res.error, res.reason = f"expected {config.payload!r}, got {res.received!r}", "other"
            with contextlib.suppress(Exception):
                conn.close()
        except Exception as exc:  # every TLS failure is a result, not an exception
            res.ok = False
            res.error = f"{type(exc).__name__}: {exc}"
            res.reason = _reason(exc)
        return res

    # -- the two roles -------------------------------------------------
    @contextlib.contextmanager
    def server(self, config: PeerConfig, certs: Any, timeout: float) -> Iterator[RunningServer]:
        _tlslite()
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.settimeout(timeout)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        box: dict = {}
        conns = []

        def serve_one() -> None:
            try:
                conn, _ = lsock.accept()
            except OSError as exc:
                box["result"] = PeerResult(error=f"accept: {exc}", reason=reason_of_text(str(exc)) or "timeout")
                return
            conns.append(conn)
            conn.settimeout(timeout)
            with conn:
                box["result"] = self._run(conn, config, certs, server=True)

        thread = threading.Thread(target=serve_one, name="tlslite-server", daemon=True)
        thread.start()
        try:
            yield _Server(thread, box, lsock.getsockname()[:2], timeout)
        finally:
            with contextlib.suppress(OSError):
                lsock.shutdown(socket.SHUT_RDWR)  # wakes an idle accept() on Linux
            lsock.close()
            thread.join(3 * timeout)
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            thread.join(timeout)

    def client(self, address: Tuple[str, int], config: PeerConfig, certs: Any, timeout: float) -> PeerResult:
        _tlslite()
        sock = socket.create_connection(address, timeout=timeout)
        results = run_on(sock, lambda s: self._run(s, config, certs, server=False), timeout, "tlslite-client")
        return results[0] if results else PeerResult(error="tlslite client did not finish", reason="timeout",
                                                     timed_out=True)


def _reason(exc: BaseException) -> Optional[str]:
    """tlslite words alerts as ``TLSRemoteAlert``/``TLSLocalAlert`` with names."""
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    if "protocol_version" in low or "protocol version" in low:
        return "protocol-version"
    if "handshake_failure" in low:
        return "handshake-failure"
    if "closed" in low and "abruptly" in low:
        return "unexpected-eof"
    return reason_of_text(text) or "other"
