"""``openssl s_server`` / ``openssl s_client`` as a peer.

The CLI is OpenSSL's own reading of TLS, independent of any Python binding:
a cell that passes against it shows the implementation interoperates with
the library everyone else uses.  One process per connection:

* server: ``s_server -accept 127.0.0.1:0 -naccept 1 -rev`` prints the port it
  bound (``ACCEPT ...:PORT``), serves one connection and exits.  ``-rev``
  answers each line with the line reversed, so :meth:`OpenSSLCLI.answer`
  reverses the payload's line;
* client: ``s_client -connect ... -ign_eof -brief`` sends the payload from
  stdin and prints what the server answers until the server closes.

Versions are pinned with ``-tls1`` ... ``-tls1_3`` (and ``-ssl3`` where the
build still has it) and bounded with ``-min_protocol`` / ``-max_protocol``;
the legacy policy adds ``-cipher DEFAULT:@SECLEVEL=0`` (and ``-min_protocol``
to the lowest version when neither pinned nor bounded below).  The system
trust store is never loaded (``-no-CAfile -no-CApath -no-CAstore``, where the
build has them): the peer trusts exactly the fixture it is given, and starts
in a few milliseconds instead of parsing the distribution's ~150 roots.  The binary
is ``$SSL_CONFORMANCE_OPENSSL`` or ``openssl`` on ``PATH``.  Every process is
killed when the harness is done with it, whatever happened.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
from typing import Any, FrozenSet, Iterator, List, Optional, Tuple

from ..judge.bounds import resolve
from . import Endpoint, PeerConfig, PeerResult, RunningServer, reason_of_text

__all__ = ["OpenSSLCLI"]

#: version name -> the CLI flag pinning it.
FLAGS = {"SSLv3": "-ssl3", "TLSv1": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2",
         "TLSv1.3": "-tls1_3"}
_ORDER = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"
#: flags that keep the CLI from loading the system's trusted roots.
_NO_STORE = ("-no-CAfile", "-no-CApath", "-no-CAstore")


class _Output:
    """Collects a process's stdout and stderr lines in threads (no blocking reads)."""

    def __init__(self, proc: "subprocess.Popen[bytes]"):
        self.lines: List[str] = []
        self.data = b""
        self.changed = threading.Condition()
        self.threads = [threading.Thread(target=self._pump, args=(s, s is proc.stdout), daemon=True)
                        for s in (proc.stdout, proc.stderr) if s is not None]
        for t in self.threads:
            t.start()

    def _pump(self, stream: Any, keep_bytes: bool) -> None:
        for raw in iter(stream.readline, b""):
            with self.changed:
                if keep_bytes:
                    self.data += raw
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
                self.changed.notify_all()

    def wait_for(self, pattern: "re.Pattern[str]", timeout: float) -> Optional["re.Match[str]"]:
        def found() -> Optional["re.Match[str]"]:
            return next((m for m in map(pattern.search, self.lines) if m), None)
        with self.changed:
            self.changed.wait_for(lambda: found() or not any(t.is_alive() for t in self.threads), timeout)
            return found()

    def join(self, timeout: float) -> None:
        for t in self.threads:
            t.join(timeout)

    def text(self) -> str:
        return "\n".join(self.lines)


def _field(text: str, name: str) -> Optional[str]:
    m = re.search(rf"^{name}:\s*(\S+)", text, re.M)
    return m.group(1) if m else None


def _errors(text: str) -> str:
    """The OpenSSL error lines (``...:error:0A000102:SSL routines:...:reason:...``)."""
    lines = [ln for ln in text.splitlines() if ":error:" in ln or "verify error" in ln.lower()
             or "Verification error" in ln]
    return " | ".join(lines)


def _stop(proc: "subprocess.Popen[bytes]") -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class _Server(RunningServer):
    def __init__(self, proc: "subprocess.Popen[bytes]", out: _Output, address: Tuple[str, int],
                 timeout: float):
        self.proc, self.out, self.address, self.timeout = proc, out, address, timeout

    def result(self) -> PeerResult:
        timed_out = False
        try:
            self.proc.wait(2 * self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(self.proc)
        self.out.join(self.timeout)
        text = self.out.text()
        res = _judge(text, None, timed_out, server=True)
        res.alpn = _field(text, "ALPN protocols selected")
        return res


def _judge(text: str, received: Optional[bytes], timed_out: bool, *, server: bool,
           verifying: bool = True) -> PeerResult:
    established = "CONNECTION ESTABLISHED" in text
    errors = _errors(text)
    res = PeerResult(version=_field(text, "Protocol version"), cipher=_field(text, "Ciphersuite"),
                     received=received, timed_out=timed_out)
    # A close without close_notify after the exchange is not a failure here.
    real = [e for e in errors.split(" | ") if e and "unexpected eof" not in e]
    if not verifying:  # without -verify_return_error a verify error is only reported
        real = [e for e in real if "verif" not in e.lower()]
    if established and not real and not timed_out:
        res.ok = True
        return res
    res.error = errors or ("timed out" if timed_out else text.strip().splitlines()[-1:] and
                           text.strip().splitlines()[-1] or "no handshake")
    res.reason = "timeout" if timed_out and not errors else reason_of_text(res.error)
    if established and res.reason is None:
        res.reason = "other"
    return res


class OpenSSLCLI(Endpoint):
    name = "openssl-cli"

    def __init__(self, binary: Optional[str] = None):
        self.binary = binary or os.environ.get("SSL_CONFORMANCE_OPENSSL") or shutil.which("openssl")
        self._version: Optional[str] = None
        self._flags: Optional[FrozenSet[str]] = None
        self._no_store: List[str] = []

    def _help_flags(self) -> FrozenSet[str]:
        if self._flags is None:
            try:
                out = subprocess.run([self.binary, "s_client", "-help"], capture_output=True,
                                     timeout=10, check=False)
                text = (out.stdout + out.stderr).decode("utf-8", "replace")
                version = subprocess.run([self.binary, "version"], capture_output=True,
                                         timeout=10, check=False).stdout.decode().strip()
            except (OSError, subprocess.SubprocessError):
                text, version = "", ""
            self._version = version

            def offers(flag: str) -> bool:
                return re.search(rf"^\s*{flag}\s", text, re.M) is not None

            self._no_store = [f for f in _NO_STORE if offers(f)]
            self._flags = frozenset(v for v, f in FLAGS.items() if offers(f))
        return self._flags

    def available(self) -> Optional[str]:
        if not self.binary:
            return "no openssl binary on PATH (set SSL_CONFORMANCE_OPENSSL)"
        if not self._help_flags():
            return f"{self.binary} s_client offers no -tls1* flag"
        return None

    def versions(self, policy: str = "default") -> FrozenSet[str]:
        """Versions the CLI has a pinning flag for.  Old versions need the
        legacy policy (security level 0) to actually handshake."""
        return self._help_flags() if self.binary else frozenset()

    def describe(self) -> str:
        self._help_flags()
        return f"openssl-cli ({self._version or self.binary})"

    def answer(self, payload: bytes) -> bytes:
        line = payload.rstrip(b"\n")
        return line[::-1] + payload[len(line):]

    # -- command lines ---------------------------------------------------
    def _common(self, config: PeerConfig, certs: Any) -> List[str]:
        self._help_flags()
        args: List[str] = list(self._no_store)
        low, high = (resolve(config.minimum, "min", self.versions()), resolve(config.maximum, "max", self.versions()))
        if config.version is not None:
            args.append(FLAGS[config.version])
        elif config.policy == "legacy" and low is None:
            low = next(v for v in _ORDER if v in self.versions())
        args += ["-min_protocol", low] if low is not None else []
        args += ["-max_protocol", high] if high is not None else []
        ciphers = config.ciphers or (_LEGACY_CIPHERS if config.policy == "legacy" else None)
        if ciphers:
            args += ["-cipher", ciphers]
        if config.cert is not None:
            args += ["-cert", certs.path(config.cert, "cert"), "-key", certs.path(config.cert, "key"),
                     "-cert_chain", certs.path(config.cert, "chain")]
        if config.trust is not None:
            args += ["-CAfile", certs.path(config.trust, "cert")]
        if config.alpn:
            args += ["-alpn", ",".join(config.alpn)]
        return args

    @contextlib.contextmanager
    def server(self, config: PeerConfig, certs: Any, timeout: float) -> Iterator[RunningServer]:
        args = [self.binary, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev"]
        args += self._common(config, certs)
        if config.verify == "OPTIONAL":
            args += ["-verify", "9", "-verify_return_error"]
        elif config.verify == "REQUIRED":
            args += ["-Verify", "9", "-verify_return_error"]
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            out = _Output(proc)
            m = out.wait_for(re.compile(r"ACCEPT\s+\S*?:(\d+)\s*$"), timeout)
            if m is None:
                raise RuntimeError(f"openssl s_server did not start: {out.text()[-500:]}")
            yield _Server(proc, out, ("127.0.0.1", int(m.group(1))), timeout)
        finally:
            _stop(proc)

    def client(self, address: Tuple[str, int], config: PeerConfig, certs: Any, timeout: float) -> PeerResult:
        args = [self.binary, "s_client", "-connect", f"{address[0]}:{address[1]}", "-ign_eof",
                "-brief", "-noservername"] + self._common(config, certs)
        if config.verify in ("OPTIONAL", "REQUIRED"):
            args.append("-verify_return_error")
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        timed_out = False
        try:
            try:
                stdout, stderr = proc.communicate(config.payload, timeout=2 * timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.kill()
                stdout, stderr = proc.communicate(timeout=timeout)
        finally:
            _stop(proc)
        text = stderr.decode("utf-8", "replace") + "\n" + stdout.decode("utf-8", "replace")
        res = _judge(text, stdout, timed_out, server=False, verifying=config.verify != "NONE")
        if res.ok and stdout != config.payload:  # the implementation's server echoes
            res.ok, res.reason = False, "other"
            res.error = f"answer mismatch: got {stdout!r}"
        return res
