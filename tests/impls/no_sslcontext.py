"""The stdlib ``ssl`` without ``SSLContext`` (a module of the 3.1 era)."""
from ssl import *  # noqa: F401,F403

del SSLContext  # noqa: F821
