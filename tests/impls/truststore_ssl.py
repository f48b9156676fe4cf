"""The stdlib's ``ssl`` with truststore's context as ``SSLContext``.

``truststore.SSLContext`` subclasses ``ssl.SSLContext`` and verifies server
certificates with the operating system's trust store (on Linux: OpenSSL with
the system's CA files, added to what the application loads).  Every other
documented name stays the stdlib's.

Run: ``ssl-conformance run --impl tests/impls/truststore_ssl.py``.
"""
from ssl import *  # noqa: F401,F403
from ssl import DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError  # noqa: F401

try:
    from ssl import wrap_socket  # noqa: F401  (removed in Python 3.12)
except ImportError:
    pass

import truststore

SSLContext = truststore.SSLContext
