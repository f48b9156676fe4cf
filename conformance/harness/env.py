"""What a case receives: the module under test, certificates, and tidy helpers.

A case is ``func(env, **params)``.  ``env.ssl`` is the implementation's module
(use it exactly as a program would use ``ssl``), ``env.certs`` finds the
committed fixtures, and everything opened through ``env`` is closed after the
case, however it ended.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from ..judge.protocols import LEGACY_CIPHERS, VERIFY_MODES
from .. import PACKAGE_DIR, ROOT_DIR
from .impls import Impl
from .registry import Unsupported

__all__ = ["Certs", "Env", "CERTS_DIR", "CHECKOUT_CERTS", "BUNDLED_CERTS", "certs_problem",
           "VERIFY_MODES", "LEGACY_CIPHERS"]

#: The committed fixtures, at the top of a checkout (``scripts/gen_certs.py`` writes them) ...
CHECKOUT_CERTS = ROOT_DIR / "fixtures" / "certs"
#: ... and the copy an installed wheel carries: the build maps the checkout's
#: ``fixtures/`` in as the data package ``conformance.fixtures`` (pyproject.toml).
BUNDLED_CERTS = PACKAGE_DIR / "fixtures" / "certs"


def _default_certs_dir() -> Path:
    """``$SSL_CONFORMANCE_CERTS``, else the checkout's fixtures, else the installed copy."""
    chosen = os.environ.get("SSL_CONFORMANCE_CERTS")
    if chosen:
        return Path(chosen)
    if CHECKOUT_CERTS.is_dir() or not BUNDLED_CERTS.is_dir():
        return CHECKOUT_CERTS
    return BUNDLED_CERTS


#: Where the fixtures of a run are unless ``--certs`` says otherwise.
CERTS_DIR = _default_certs_dir()


def certs_problem(directory: Path) -> Optional[str]:
    """Why ``directory`` cannot serve as the run's fixtures, or None when it can.

    Every case loads a file from there: a run without them would fail each
    case on its own ``FileNotFoundError``, so the entry points ask this first
    and stop with the one message.
    """
    directory = Path(directory)
    if (directory / "manifest.json").is_file():
        return None
    what = "no such directory" if not directory.is_dir() else "no manifest.json in it"
    return (f"certificate fixtures not found at {directory} ({what}): give their directory with "
            "--certs DIR (or $SSL_CONFORMANCE_CERTS); 'ssl-conformance fixtures --out DIR' "
            "writes a copy of the bundled set")



_ROLE_FILES = {"cert": "{}.pem", "key": "{}.key", "chain": "{}-chain.pem",
               "combined": "{}-combined.pem"}


class Certs:
    """The fixture directory and its manifest.

    ``path("server", "chain")`` is the file holding the server leaf, its
    intermediate and the root; roles are ``cert``, ``key``, ``chain`` and
    ``combined`` (key first, then the chain).  A role that is a file name
    (``path("ca-bundle.pem")``) names a file directly.
    """

    def __init__(self, directory: Path = CERTS_DIR):
        self.dir = Path(directory)
        manifest = self.dir / "manifest.json"
        self.manifest: Dict[str, Any] = (
            json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {"fixtures": []})
        self._by_name = {f["name"]: f for f in self.manifest.get("fixtures", [])}

    @property
    def password(self) -> str:
        return self.manifest.get("password", "conformance")

    def names(self) -> List[str]:
        return sorted(self._by_name)

    def fixture(self, name: str) -> Dict[str, Any]:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no fixture {name!r} in {self.dir / 'manifest.json'}") from None

    def path(self, name: str, role: str = "cert") -> str:
        files = self._by_name.get(name, {}).get("files", {})
        if name not in self._by_name and "." in name:
            filename = name
        elif role in files:
            filename = files[role]
        elif role in _ROLE_FILES:
            filename = _ROLE_FILES[role].format(name)
        else:
            filename = name
        return str(self.dir / filename)

    def read(self, name: str, role: str = "cert") -> str:
        return Path(self.path(name, role)).read_text(encoding="ascii")


class Env:
    """The environment of one case run against one implementation."""

    def __init__(self, impl: Impl, certs: Certs, *, timeout: float = 5.0,
                 tmp_path: Optional[Path] = None, peer: Optional["Env"] = None,
                 caps: Any = None):
        self.impl = impl
        self.certs = certs
        self.timeout = timeout
        self.peer = peer
        self._caps = caps
        self._tmp = tmp_path
        self._closers: List[Callable[[], Any]] = []

    @property
    def ssl(self) -> Any:
        return self.impl.module

    @property
    def caps(self) -> Any:
        """The implementation's probed capabilities
        (``conformance.probe.capabilities.Capabilities``): the session probes
        each implementation once, before its first case, and hands them over."""
        if self._caps is None:
            raise RuntimeError(f"no capabilities were given for {self.impl.name}: an Env of a case "
                               "gets them from the session (Env(..., caps=session.capabilities(name)))")
        return self._caps

    @property
    def tmp_path(self) -> Path:
        if self._tmp is None:
            d = tempfile.TemporaryDirectory(prefix="ssl-conformance-")
            self.cleanup(d.cleanup)
            self._tmp = Path(d.name)
        return self._tmp

    # -- tidy helpers -------------------------------------------------
    def cleanup(self, closer: Callable[[], Any]) -> None:
        """Run ``closer()`` after the case (last registered runs first)."""
        self._closers.append(closer)

    def close(self) -> None:
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:
                pass

    def socket(self, family: int = socket.AF_INET) -> socket.socket:
        """A plain TCP socket with the case timeout, closed after the case."""
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        self.cleanup(s.close)
        return s

    def const(self, name: str) -> Any:
        """``env.ssl.<name>``, or :class:`Unsupported` if the module lacks it."""
        try:
            return getattr(self.ssl, name)
        except AttributeError:
            raise Unsupported(name, f"{self.impl.name} has no {name}") from None

    def context(self, protocol: str = "SSLv23", *, cert: Optional[str] = None,
                trust: Optional[str] = None, certfile: Optional[str] = None,
                keyfile: Optional[str] = None, cafile: Optional[str] = None,
                capath: Optional[str] = None, verify: Optional[str] = None,
                ciphers: Optional[str] = None, options: Any = (),
                policy: str = "default", minimum: Optional[str] = None,
                maximum: Optional[str] = None) -> Any:
        """An ``SSLContext`` of the module under test, described by names.

        ``protocol`` is the suffix of a ``PROTOCOL_*`` constant; ``cert`` a
        fixture name whose chain and key are loaded; ``trust`` a fixture
        name (or file) loaded with ``load_verify_locations``; ``verify`` is
        NONE / OPTIONAL / REQUIRED; ``options`` names ``OP_*`` constants
        (without the prefix) to set.  ``policy="legacy"`` lowers the cipher
        security level to 0 and, where the module has ``minimum_version``
        (post-3.2), the version floor to the lowest supported.  ``minimum``
        / ``maximum`` name ``TLSVersion`` members set as ``minimum_version``
        / ``maximum_version`` after the policy and the options (Python 3.7+).
        """
        ctx = self.ssl.SSLContext(self.const("PROTOCOL_" + protocol))
        if policy == "legacy":
            self.lower_floor(ctx)
            ctx.set_ciphers(LEGACY_CIPHERS)
        elif policy != "default":
            raise ValueError(f"unknown policy {policy!r}")
        for name in (options,) if isinstance(options, str) else options:
            ctx.options |= self.const("OP_" + name)
        for attr, member in (("minimum_version", minimum), ("maximum_version", maximum)):
            if member is not None:
                setattr(ctx, attr, getattr(self.const("TLSVersion"), member))
        if cert is not None:
            ctx.load_cert_chain(self.certs.path(cert, "chain"), self.certs.path(cert, "key"))
        if certfile is not None:
            ctx.load_cert_chain(certfile, keyfile)
        if trust is not None:
            ctx.load_verify_locations(self.certs.path(trust, "cert"))
        if cafile is not None or capath is not None:
            ctx.load_verify_locations(cafile, capath)
        if verify is not None:
            ctx.verify_mode = self.const("CERT_" + verify)
        if ciphers is not None:
            ctx.set_ciphers(ciphers)
        return ctx

    def lower_floor(self, ctx: Any) -> None:
        """Lower ``minimum_version`` to the lowest the module supports, if it has one."""
        tls_version = getattr(self.ssl, "TLSVersion", None)
        if tls_version is not None and hasattr(ctx, "minimum_version"):
            try:
                ctx.minimum_version = tls_version.MINIMUM_SUPPORTED
            except (ValueError, AttributeError):
                pass
