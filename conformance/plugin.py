"""pytest plugin of the conformance suite (being built: see the harness issue)."""


def pytest_addoption(parser):
    group = parser.getgroup("ssl-conformance")
    group.addoption("--impl", action="append", default=[], metavar="MODULE",
                    help="dotted module name of an ssl implementation under test (repeatable)")
