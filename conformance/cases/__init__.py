"""Every case module; importing this package registers all cases.

One module per area of the spec.  Cases are data plus one function: see
``conformance.harness.registry``.
"""
import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
