"""Real certificates nobody here wrote: the reference's decoder against CPython's.

Every CA certificate of Debian's ``ca-certificates`` (the package's files
under ``/usr/share/ca-certificates/mozilla``; the bundle
``/etc/ssl/certs/ca-certificates.crt`` is made of the same certificates plus
the machine's own local CAs, which are not Debian's and are left out) and of
``certifi`` (Mozilla's list, often newer than Debian's) is decoded by
``reference.certdecode`` and by the interpreter's own
``ssl._ssl._test_decode_cert``, the code behind ``getpeercert()``.  They must
agree on every one: the decoder's docstring decides on no difference that
occurs among real CA certificates (its one decided difference, SAN text that
is not UTF-8, is tested in ``test_certdecode.py``).

One test over the whole corpus, failing with the list of every certificate
that differs and how.  ``scripts/test.sh`` installs both sources; a corpus
smaller than :data:`MIN_CERTIFICATES` fails rather than pass on too little.
"""
from __future__ import annotations

import glob
import re
import ssl
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("OpenSSL")

from reference.certdecode import decode_der  # noqa: E402

DEBIAN_FILES = "/usr/share/ca-certificates/mozilla/*.crt"
MIN_CERTIFICATES = 100  # Debian ships ~140 roots, certifi ~120; most are the same
PEM = re.compile(r"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----", re.S)


def _certifi_bundle() -> List[str]:
    try:
        import certifi
    except ImportError:
        return []
    return [certifi.where()]


def corpus() -> Dict[bytes, str]:
    """DER -> where it was first found (``file`` or ``file#n`` for a bundle's n-th)."""
    found: Dict[bytes, str] = {}
    for path in sorted(glob.glob(DEBIAN_FILES)):
        for block in PEM.findall(Path(path).read_text(encoding="ascii", errors="replace")):
            found.setdefault(ssl.PEM_cert_to_DER_cert(block), Path(path).name)
    for bundle in _certifi_bundle():
        for index, block in enumerate(PEM.findall(Path(bundle).read_text(encoding="ascii",
                                                                         errors="replace"))):
            found.setdefault(ssl.PEM_cert_to_DER_cert(block), "%s#%d" % (bundle, index))
    return found


def _difference(mine: Any, cpython: Dict[str, Any]) -> str:
    if not isinstance(mine, dict):
        return "reference raised %s" % mine
    keys = sorted(set(mine) | set(cpython))
    return "; ".join("%s: reference %r, CPython %r" % (key, mine.get(key), cpython.get(key))
                     for key in keys if mine.get(key) != cpython.get(key))


def test_reference_decodes_every_ca_certificate_as_cpython(tmp_path: Path) -> None:
    certificates = corpus()
    assert len(certificates) >= MIN_CERTIFICATES, (
        "only %d certificates found: install Debian's ca-certificates and certifi "
        "(scripts/test.sh does)" % len(certificates))
    differing = []
    path = tmp_path / "one.pem"
    for der, origin in certificates.items():
        path.write_text(ssl.DER_cert_to_PEM_cert(der))
        cpython = ssl._ssl._test_decode_cert(str(path))
        try:
            mine: Any = decode_der(der)
        except Exception as exc:  # reported with the others, not one at a time
            mine = "%s: %s" % (type(exc).__name__, exc)
        if mine != cpython:
            differing.append("%s: %s" % (origin, _difference(mine, cpython)))
    assert not differing, "%d of %d certificates decode differently:\n%s" % (
        len(differing), len(certificates), "\n".join(differing))
