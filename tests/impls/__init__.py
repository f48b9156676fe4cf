"""Shim modules that put third-party contexts behind the stdlib's ``ssl`` API,
to run the suite against them: ``--impl tests/impls/<name>.py``, or
``--impl impls.<name>`` with ``tests/`` on ``sys.path``."""
