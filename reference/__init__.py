"""A reference implementation of the ``ssl`` module API on pyOpenSSL (work in progress)."""
