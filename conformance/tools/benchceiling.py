"""The ceiling the bench compares against: what OpenSSL alone does on this machine.

``openssl speed`` gives the two costs no Python code can avoid: the AEAD
cipher that bulk transfer runs through (the one the bulk workloads
negotiated, at 16 KiB per call: one full TLS record), and the signature each
handshake makes and checks (ECDSA P-256 or RSA-2048).  ``openssl s_time``
gives full handshakes per second between two C processes (``s_server`` and
``s_time``), for the handshake workloads it can reproduce (any version and
server key; without client certificates).

Every figure comes from the ``openssl`` found on PATH, which need not be the
library the implementations link; its version is recorded next to the
figures.  Nothing here raises: a figure that cannot be had is left out, with
the reason in ``errors``.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from typing import Any, Dict, List, Optional

from .benchloads import SERVER_KEYS

__all__ = ["aead_name", "speed", "s_time", "openssl_version"]

#: Markers in a negotiated cipher name -> the ``openssl speed -evp`` cipher.
_AEADS = (("AES_256_GCM", "aes-256-gcm"), ("AES256-GCM", "aes-256-gcm"),
          ("AES_128_GCM", "aes-128-gcm"), ("AES128-GCM", "aes-128-gcm"),
          ("CHACHA20", "chacha20-poly1305"))
#: handshake key label -> (``openssl speed`` algorithm, its ``-mr`` result tag)
_SIGNATURES = {"ecdsa-p256": ("ecdsap256", "+F4:"), "rsa-2048": ("rsa2048", "+F2:")}
_STIME_VERSION = {"TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}


def _openssl() -> Optional[str]:
    return shutil.which("openssl")


def openssl_version() -> Optional[str]:
    """``openssl version`` of the CLI on PATH, or None."""
    binary = _openssl()
    if binary is None:
        return None
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def aead_name(cipher: Optional[str]) -> Optional[str]:
    """The ``openssl speed -evp`` name for a negotiated cipher (None if it is not an AEAD we know)."""
    for marker, name in _AEADS:
        if cipher and marker in cipher:
            return name
    return None


def _run_speed(args: List[str], timeout: float) -> str:
    binary = _openssl()
    if binary is None:
        raise RuntimeError("no openssl on PATH")
    out = subprocess.run([binary, "speed", "-mr"] + args, capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"openssl speed {' '.join(args)}: exit {out.returncode}: {out.stderr.strip()[-200:]}")
    return out.stdout


def speed(aead: Optional[str], keys: List[str], seconds: int = 1) -> Dict[str, Any]:
    """``openssl speed`` for the AEAD (MB/s at 16 KiB) and each key's sign/verify per second."""
    figures: List[Dict[str, Any]] = []
    errors: List[str] = []
    if aead:
        try:
            text = _run_speed(["-seconds", str(seconds), "-bytes", "16384", "-evp", aead], 30 + seconds * 4)
            m = re.search(r"^\+F:\d+:[^:]+:([0-9.]+)\s*$", text, re.M)
            if m is None:
                raise RuntimeError(f"no +F line in the output of openssl speed {aead}")
            figures.append({"id": f"speed/{aead}/16KiB", "what": f"{aead} encrypt, 16 KiB blocks",
                            "value": float(m.group(1)) / 1e6, "unit": "MB/s"})
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            errors.append(f"{aead}: {exc}")
    for key in keys:
        algo, tag = _SIGNATURES[key]
        try:
            text = _run_speed(["-seconds", str(seconds), algo], 30 + seconds * 4)
            line = next((ln for ln in text.splitlines() if ln.startswith(tag)), None)
            if line is None:
                raise RuntimeError(f"no {tag} line in the output of openssl speed {algo}")
            sign, verify = (float(v) for v in line.split(":")[-2:])
            figures.append({"id": f"speed/{key}/sign", "what": f"{key} sign", "value": sign, "unit": "ops/s"})
            figures.append({"id": f"speed/{key}/verify", "what": f"{key} verify", "value": verify,
                            "unit": "ops/s"})
        except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as exc:
            errors.append(f"{algo}: {exc}")
    return {"figures": figures, "errors": errors}


def _wait_for_port(path: str, proc: "subprocess.Popen[bytes]", timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, "r", errors="replace") as f:
            m = re.search(r"ACCEPT\s+\S*?:(\d+)\s*$", f.read(), re.M)
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    with open(path, "r", errors="replace") as f:
        raise RuntimeError(f"openssl s_server did not start: {f.read()[-300:]}")


def s_time(certs: Any, version: str, key: str, seconds: int = 1, timeout: float = 10.0) -> float:
    """Full handshakes/s of ``openssl s_time -new`` against ``openssl s_server`` (no client cert)."""
    binary = _openssl()
    if binary is None:
        raise RuntimeError("no openssl on PATH")
    server_name = SERVER_KEYS[key][0]
    with tempfile.TemporaryDirectory(prefix="bench-s_server-") as tmp:
        log = os.path.join(tmp, "out")
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [binary, "s_server", "-accept", "127.0.0.1:0", "-cert", certs.path(server_name, "cert"), "-key", certs.path(server_name, "key"),
                 "-cert_chain", certs.path(server_name, "chain"), _STIME_VERSION[version]],
                stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)  # EOF on stdin stops it
        try:
            port = _wait_for_port(log, server, timeout)
            start = time.perf_counter()
            result = subprocess.run(
                [binary, "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-time", str(seconds),
                 _STIME_VERSION[version], "-CAfile", certs.path("root-ca", "cert")],
                capture_output=True, text=True, timeout=seconds + timeout,
                stdin=subprocess.DEVNULL)
            wall = time.perf_counter() - start
        finally:
            server.kill()
            server.wait(timeout)
            server.stdin.close()  # type: ignore[union-attr]
    # s_time prints whole seconds of real time; the wall clock around it is finer.
    m = re.search(r"(\d+) connections in [0-9.]+ real seconds", result.stdout)
    if m is None:
        raise RuntimeError(f"openssl s_time: unexpected output: {(result.stdout + result.stderr)[-300:]}")
    return int(m.group(1)) / wall
