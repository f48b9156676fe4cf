"""The stdlib's ``ssl`` with urllib3's pyOpenSSL-backed context as ``SSLContext``.

``urllib3.contrib.pyopenssl.PyOpenSSLContext`` stands in for
``ssl.SSLContext`` inside urllib3 (``urllib3.contrib.pyopenssl.inject_into_urllib3``)
so that urllib3 can use pyOpenSSL where the stdlib's ``ssl`` is too old or
missing.  Every other documented name (constants, ``SSLError``,
``wrap_socket``, the certificate functions, ``OPENSSL_VERSION``) stays the
stdlib's, as it does for urllib3: the suite then measures the context class
alone.  Note that ``OPENSSL_VERSION`` describes the stdlib's OpenSSL, while
the connections run on the one pyOpenSSL is built with (cryptography's).

Run: ``ssl-conformance run --impl tests/impls/urllib3_pyopenssl_ssl.py``.
"""
from ssl import *  # noqa: F401,F403
from ssl import DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, SSLError  # noqa: F401

try:
    from ssl import wrap_socket  # noqa: F401  (removed in Python 3.12)
except ImportError:
    pass

from urllib3.contrib.pyopenssl import PyOpenSSLContext as SSLContext  # noqa: F401
