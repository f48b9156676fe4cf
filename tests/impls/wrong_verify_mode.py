"""The stdlib ``ssl`` with one wrong answer: ``verify_mode`` reads
``CERT_OPTIONAL`` back as ``CERT_NONE`` -- an ``IntEnum`` value, as a wrapper
of the stdlib would return it."""
from ssl import *  # noqa: F401,F403
import ssl as _ssl
from ssl import SSLContext as _Base


class SSLContext(_Base):
    @property
    def verify_mode(self):
        mode = super().verify_mode
        return _ssl.CERT_NONE if mode == _ssl.CERT_OPTIONAL else mode

    @verify_mode.setter
    def verify_mode(self, value):
        _Base.verify_mode.__set__(self, value)
