"""The stdlib ``ssl``, except that ``DER_cert_to_PEM_cert`` ends the process
it runs in -- as a crash in an extension module would."""
import os
from ssl import *  # noqa: F401,F403


def DER_cert_to_PEM_cert(der_cert_bytes):
    os._exit(70)
