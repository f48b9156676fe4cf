"""The stdlib ``ssl`` whose contexts give sockets without ``do_handshake()``
-- the shape of a wrapper that hands out its own connection objects."""
from ssl import *  # noqa: F401,F403
from ssl import SSLContext as _Base


class _NoHandshake:
    """Everything of the wrapped SSLSocket but ``do_handshake``."""

    def __init__(self, sock):
        self._sock = sock

    def __getattr__(self, name):
        if name == "do_handshake":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'do_handshake'")
        return getattr(self._sock, name)


class SSLContext(_Base):
    def wrap_socket(self, *args, **kwargs):
        return _NoHandshake(super().wrap_socket(*args, **kwargs))
