"""The stdlib ``ssl``, with sockets shaped like urllib3's ``PyOpenSSLContext`` gives.

``urllib3.contrib.pyopenssl`` wraps a socket in a ``WrappedSocket`` that
handshakes inside ``wrap_socket`` and has no ``do_handshake()`` method.  A
version probe that calls ``do_handshake()`` gets an ``AttributeError``, which
says nothing about the TLS versions the module completes: the suite must
report that cause, not derive verdicts from it (``tests/test_false_verdicts.py``).
"""
import ssl as _ssl
from ssl import *  # noqa: F401,F403
from ssl import (DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError,  # noqa: F401
                 cert_time_to_seconds, get_server_certificate)

try:
    from ssl import wrap_socket  # noqa: F401  (gone from 3.12)
except ImportError:
    pass


class WrappedSocket:
    """A handshaken TLS socket that offers everything but ``do_handshake``."""

    def __init__(self, tls):
        self._tls = tls

    def __getattr__(self, name):
        if name == "do_handshake":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'do_handshake'")
        return getattr(self._tls, name)


class SSLContext(_ssl.SSLContext):
    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        # As PyOpenSSLContext: the handshake happens here, whatever was asked.
        return WrappedSocket(super().wrap_socket(
            sock, server_side=server_side, do_handshake_on_connect=True,
            suppress_ragged_eofs=suppress_ragged_eofs, server_hostname=server_hostname,
            session=session))
