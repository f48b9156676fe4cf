"""Tools beside the suite: ``bench``, ``soak``, ``selftest`` and ``fixtures``.

Each is a subcommand of ``ssl-conformance`` (``conformance.cli``) and a module
of its own that runs standalone too (``python -m conformance.tools.bench``):
it offers ``add_arguments(parser)`` and ``run(args) -> int``, and
:func:`standalone` is the ``main()`` of each.
"""
from __future__ import annotations

import argparse
from types import ModuleType
from typing import Optional, Sequence

__all__ = ["standalone"]


def standalone(tool: ModuleType, prog: str, argv: Optional[Sequence[str]] = None) -> int:
    """Parse ``argv`` with ``tool``'s arguments and run it; its exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=(tool.__doc__ or "").split("\n\n")[0])
    tool.add_arguments(parser)
    return tool.run(parser.parse_args(argv))
