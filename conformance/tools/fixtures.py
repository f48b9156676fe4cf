"""``ssl-conformance fixtures --out DIR``: a copy of the certificate fixtures.

The suite runs against the fixtures committed at the top of a checkout
(``fixtures/certs/``), or against the copy a wheel installs with the package.
This writes that set -- every certificate, key and bundle, and the
``manifest.json`` that says what each one is and what a verifier must make
of it -- into a directory of your own, to read, to edit, or to replace, and
then to run with ``ssl-conformance run --certs DIR``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import standalone
from ..harness.env import CERTS_DIR, certs_problem

__all__ = ["add_arguments", "run", "copy_fixtures"]

REGENERATE = ("To make a fresh set instead (new keys, same names and manifest layout), run "
              "'python scripts/gen_certs.py --out DIR' from a checkout of ssl-conformance, with the "
              "test extra installed (trustme, cryptography, pyasn1-modules).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ssl-conformance fixtures`` (and ``python -m conformance.tools.fixtures``)."""
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="where to write the copy: a new or empty directory")
    parser.add_argument("--certs", metavar="DIR",
                        help=f"the set to copy (default: the one a run uses, now {CERTS_DIR})")
    parser.epilog = REGENERATE


def copy_fixtures(source: Path, out: Path) -> int:
    """Copy the fixture directory ``source`` into ``out``; the number of files written.

    Raises ValueError when ``source`` holds no fixtures or ``out`` is not empty:
    a copy never mixes with files already there.
    """
    problem = certs_problem(source)
    if problem:
        raise ValueError(problem)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"--out {out}: exists and is not an empty directory")
    shutil.copytree(source, out, dirs_exist_ok=True)
    return sum(1 for p in out.rglob("*") if p.is_file())


def run(args: argparse.Namespace) -> int:
    """Write the copy and say how to use it; 2 when there is nothing to copy or nowhere to put it."""
    source = Path(args.certs) if args.certs else CERTS_DIR
    out = Path(args.out)
    try:
        count = copy_fixtures(source, out)
    except ValueError as exc:
        print(f"ssl-conformance fixtures: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} files from {source} to {out}; run with: ssl-conformance run --certs {out}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    return standalone(sys.modules[__name__], "python -m conformance.tools.fixtures", argv)


if __name__ == "__main__":
    sys.exit(main())
