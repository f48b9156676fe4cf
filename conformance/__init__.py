"""ssl-conformance: a conformance suite for the Python ``ssl`` module API.

The package imports only the standard library at import time, so that
``python -m conformance.agent`` and the suite itself run on interpreters where
cryptography or pyOpenSSL will not install.  pytest is imported only by the
plugin and the case runner.
"""

__version__ = "0.1.0"
