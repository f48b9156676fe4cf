"""The stdlib ``ssl``, except that ``wrap_socket(server_side=True)`` makes a client.

Both ends of every connection it serves send a ClientHello, so no handshake
between two of its sockets ever completes.  A hostile case that accepts any
failure would pass on it: a reset mid-handshake "ends in an error" because
the handshake could never have worked.  Each such case first runs its
control without a fault, which fails here (``tests/test_false_verdicts.py``).
"""
import ssl as _ssl
from ssl import *  # noqa: F401,F403
from ssl import (DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError,  # noqa: F401
                 cert_time_to_seconds, get_server_certificate)

try:
    from ssl import wrap_socket  # noqa: F401  (gone from 3.12)
except ImportError:
    pass


class SSLContext(_ssl.SSLContext):
    def wrap_socket(self, sock, server_side=False, **kwargs):
        return super().wrap_socket(sock, server_side=False, **kwargs)
