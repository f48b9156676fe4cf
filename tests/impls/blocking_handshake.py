"""The stdlib ``ssl``, whose ``do_handshake()`` blocks even on a non-blocking socket.

The spec's non-blocking handshake loop then never hears ``SSLWantReadError``:
the cases of that loop must fail on it, not pass because the handshake
completed in the end (``tests/test_false_verdicts.py``).
"""
import ssl as _ssl
from ssl import *  # noqa: F401,F403
from ssl import DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError  # noqa: F401


class SSLSocket(_ssl.SSLSocket):
    def do_handshake(self, block=False):
        return super().do_handshake(True)


class SSLContext(_ssl.SSLContext):
    sslsocket_class = SSLSocket
