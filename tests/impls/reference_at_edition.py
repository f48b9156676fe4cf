"""``reference`` at the run's edition, as far as its hostname rules go.

Until ``reference`` offers ``for_edition`` of its own, this stands in: its
``for_edition(edition)`` gives a copy of the ``reference`` module whose
``SSLContext`` follows ``edition`` (``SSLContext._edition``, which
``reference.hostnames`` reads) and whose ``match_hostname`` is that edition's
(gone from 3.12).  ``--impl tests/impls/reference_at_edition.py``.
"""
import types

import reference
from reference import hostnames

from reference import *  # noqa: F401,F403


def for_edition(edition):
    module = types.ModuleType("reference_at_" + edition.replace(".", "_"), reference.__doc__)
    module.__dict__.update({k: v for k, v in vars(reference).items() if not k.startswith("__")})
    module.__file__ = reference.__file__
    module.SSLContext = type("SSLContext", (reference.SSLContext,), {"_edition": edition,
                                                                      "__module__": reference.SSLContext.__module__})
    major, minor = (int(p) for p in edition.split("."))
    if (major, minor) < (3, 12):
        module.match_hostname = hostnames.match_hostname_for(edition)
    else:
        module.__dict__.pop("match_hostname", None)
    return module
