"""``python -m conformance``: the ``ssl-conformance`` command, for an
interpreter whose scripts directory is not on PATH (or has no console script)."""
import sys

from .cli import main

sys.exit(main())
