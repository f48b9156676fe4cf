"""The stdlib ``ssl``, with a non-blocking handshake that is slow to give up once.

The first ``do_handshake()`` that would raise ``SSLWantReadError`` waits
0.3 s and tries again before it raises: what a thread kept off the CPU
between sending its ClientHello and reading the answer does, under load.
If the peer answered meanwhile, the handshake completes in that first call,
which the documentation allows (a non-blocking handshake *may* raise).  A
case that counts on a ``SSLWantReadError`` must make sure the peer cannot
have answered yet (``tests/test_false_verdicts.py``).
"""
import ssl as _ssl
import time
from ssl import *  # noqa: F401,F403
from ssl import DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError  # noqa: F401

#: how long the first attempt that finds nothing to read is held up
HELD_UP = 0.3


class SSLSocket(_ssl.SSLSocket):
    def do_handshake(self, block=False):
        try:
            return super().do_handshake(block)
        except _ssl.SSLWantReadError:
            if getattr(self, "_held_up", False):
                raise
            self._held_up = True
            time.sleep(HELD_UP)
            return super().do_handshake(block)


class SSLContext(_ssl.SSLContext):
    sslsocket_class = SSLSocket
