"""Loading an implementation under test, and what it can do.

An implementation is any importable module exposing the documented ``ssl``
API: ``ssl``, ``reference``, ``gevent.ssl``, ``eventlet.green.ssl``, your own.
Loading it either gives an :class:`Impl` or one :class:`ImplLoadError` whose
message fits on a line: the suite reports it as a single failing item rather
than a traceback per case.

Some implementations need their runtime prepared before their sockets work
with plain threads; that preparation lives in :data:`ADAPTERS`, keyed by
module name, so no case ever has to know.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import platform
import sys
from typing import Any, Callable, Dict, List, Optional

__all__ = ["Impl", "ImplLoadError", "load_impl", "ADAPTERS", "CORE_NAMES", "interpreter_info"]

#: Names without which nothing in the suite can run.  A module missing more
#: than half of them is not an ssl implementation at all.
CORE_NAMES = (
    "SSLError", "wrap_socket", "SSLContext", "CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED",
    "PROTOCOL_SSLv23", "PROTOCOL_TLSv1", "OP_ALL", "OPENSSL_VERSION",
    "DER_cert_to_PEM_cert", "PEM_cert_to_DER_cert", "cert_time_to_seconds",
    "get_server_certificate", "RAND_status", "RAND_add",
)


class ImplLoadError(Exception):
    """The implementation could not be loaded; ``str()`` is one line."""


#: module name -> hook run once after import, before any case.
ADAPTERS: Dict[str, Callable[[Any], None]] = {}


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

    @property
    def module_file(self) -> Optional[str]:
        return getattr(self.module, "__file__", None)

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


def load_impl(name: str) -> Impl:
    """Import ``name`` (a dotted module path) and check it looks like ``ssl``.

    The current directory is importable too (as with ``python -m pytest``),
    so ``pytest --impl mymodule`` finds ``./mymodule.py`` however pytest was
    started.
    """
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise ImplLoadError(f"cannot import implementation {name!r}: {exc}") from None
    except Exception as exc:  # a broken module must not take the run down
        raise ImplLoadError(
            f"importing implementation {name!r} raised {type(exc).__name__}: {exc}") from None
    missing = [n for n in CORE_NAMES if not hasattr(module, n)]
    if len(missing) > len(CORE_NAMES) // 2:
        raise ImplLoadError(
            f"{name!r} ({getattr(module, '__file__', '?')}) lacks most of the documented ssl API: "
            f"missing {', '.join(missing)}")
    hook = ADAPTERS.get(name)
    if hook is not None:
        hook(module)
    return Impl(name=name, module=module, missing=missing)
