"""``--peer SPEC``: which out-of-process peer takes part in the interop matrix.

A spec is either a built-in third-party peer or ``INTERPRETER:MODULE``:

``openssl-cli``        OpenSSL's ``openssl s_server`` / ``s_client``;
``tlslite``            tlslite-ng, a pure-Python TLS that still speaks SSLv3;
``pypy3:ssl``          PyPy's ``ssl``, driven through the peer agent
                       (``conformance/shim.py``) running under ``pypy3``;
``python3.9:ssl``, ``python3.13:reference``, ``/opt/py/bin/python3:gevent.ssl``
                       any interpreter (a name on PATH or a path) and any
                       module it can import.

Parsing is strict (a bad spec is a ``ValueError`` naming the problem, shown
once at startup); finding the interpreter is not: a peer whose interpreter is
missing is still a peer, and its cells are ``unsupported`` with that reason.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
from typing import List, Optional, Sequence, Tuple

__all__ = ["BUILTIN_PEERS", "PeerSpec", "parse_peer", "parse_peers"]

#: Built-in third-party peers: name -> what it is.
BUILTIN_PEERS = {
    "openssl-cli": "OpenSSL's command line (openssl s_server / s_client)",
    "tlslite": "tlslite-ng, a pure-Python TLS implementation",
}

_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")
_INTERPRETER = re.compile(r"[\w.+/\\~-]+\Z")


@dataclasses.dataclass(frozen=True)
class PeerSpec:
    """A parsed peer spec; ``name`` (the spec as written) names its endpoint."""

    name: str
    builtin: Optional[str] = None  # "openssl-cli" | "tlslite" for third-party peers
    interpreter: Optional[str] = None
    module: Optional[str] = None

    @property
    def is_agent(self) -> bool:
        return self.builtin is None

    def resolve(self) -> Tuple[Optional[str], Optional[str]]:
        """``(executable path, None)`` or ``(None, why it cannot run here)``.

        Only agent peers have an interpreter; built-in peers check their own
        prerequisites when they start.
        """
        if self.interpreter is None:
            return None, None
        candidate = os.path.expanduser(self.interpreter)
        if os.sep in candidate or (os.altsep and os.altsep in candidate):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return os.path.abspath(candidate), None
            return None, f"interpreter {self.interpreter!r} is not an executable file"
        found = shutil.which(candidate)
        if found is None:
            return None, f"interpreter {self.interpreter!r} not found on PATH"
        return found, None


def parse_peer(text: str) -> PeerSpec:
    """Parse one ``--peer`` value (see the module docstring)."""
    spec = text.strip()
    if not spec:
        raise ValueError("empty --peer spec; expected INTERPRETER:MODULE (e.g. pypy3:ssl) or one of "
                         + ", ".join(BUILTIN_PEERS))
    if spec in BUILTIN_PEERS:
        return PeerSpec(name=spec, builtin=spec)
    interpreter, sep, module = spec.rpartition(":")
    if not sep:
        raise ValueError(f"--peer {text!r}: expected INTERPRETER:MODULE (e.g. pypy3:ssl, python3.9:ssl) "
                         f"or a built-in peer ({', '.join(BUILTIN_PEERS)})")
    if not interpreter:
        raise ValueError(f"--peer {text!r}: the interpreter before ':' is missing (e.g. pypy3:{module})")
    if not module:
        raise ValueError(f"--peer {text!r}: the module after ':' is missing (e.g. {interpreter}:ssl)")
    if not _MODULE.match(module):
        raise ValueError(f"--peer {text!r}: {module!r} is not a dotted module name")
    if not _INTERPRETER.match(interpreter):
        raise ValueError(f"--peer {text!r}: {interpreter!r} is not an interpreter name or path")
    return PeerSpec(name=f"{interpreter}:{module}", interpreter=interpreter, module=module)


def parse_peers(texts: Sequence[str]) -> List[PeerSpec]:
    """Parse every ``--peer`` value, keeping the first of duplicates."""
    out, seen = [], set()
    for text in texts:
        peer = parse_peer(text)
        if peer.name not in seen:
            seen.add(peer.name)
            out.append(peer)
    return out
