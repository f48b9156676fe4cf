"""ssl-conformance: a conformance suite for the Python ``ssl`` module API.

The package imports only the standard library at import time, so that
``python -m conformance.shim`` and the suite itself run on interpreters where
cryptography or pyOpenSSL will not install.  pytest is imported only by the
plugin and the case runner.
"""

from pathlib import Path

__version__ = "0.1.0"

#: this package's directory, and the directory it is imported from (a checkout's root)
PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent
