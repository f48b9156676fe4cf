"""report.html in a real browser: headless Chromium renders it, runs its
filter script, and the tests assert on the resulting DOM."""
import html.parser
import os
import shutil
import subprocess

import pytest

from conformance.report.html import write_html
from reportdata import sample_doc

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser():
    for name in (os.environ.get("CHROMIUM"),) + BROWSERS:
        if name and shutil.which(name):
            return shutil.which(name)
    pytest.fail("no Chromium on PATH: install Debian's chromium (scripts/test.sh does) or set CHROMIUM")


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)

    def find(self, tag=None, cls=None, id=None):
        out = []
        for c in self.children:
            if (tag is None or c.tag == tag) and (cls is None or cls in c.classes) and \
                    (id is None or c.attrs.get("id") == id):
                out.append(c)
            out += c.find(tag, cls, id)
        return out


class _Builder(html.parser.HTMLParser):
    VOID = {"meta", "br", "input", "img", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.root = self.cur = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text += data


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_html(sample_doc(), path)
    return path


def dom(path, fragment=""):
    result = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
         "--no-first-run", "--dump-dom", path.as_uri() + fragment],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    builder = _Builder()
    builder.feed(result.stdout)
    return builder.root


@pytest.fixture(scope="module")
def page(report):
    return dom(report)


def test_the_verdict_is_up_top(page):
    verdict = page.find(id="verdict")[0]
    assert "bad" in verdict.classes
    assert verdict.all_text().startswith("FAILED: 2 spec failures, 0 CPython-compatibility differences in ")
    assert [n.attrs.get("id") for n in page.find() if n.attrs.get("id")][0] == "verdict"


def test_matrices_are_coloured_grids_with_the_differing_cell_marked(page):
    grids = page.find("table", cls="matrix")
    assert [(g.attrs["data-impl"], g.attrs["data-group"]) for g in grids] == [
        ("reference", "policy default"), ("reference", "policy legacy"),
        ("ssl", "policy default"), ("ssl", "policy legacy")]
    failing = [c for g in grids for c in g.find("td", cls="s-fail")]
    assert [(c.all_text(), c.attrs["data-case"]) for c in failing] == [
        ("no*", "matrix/legacy/client=TLSv1/server=SSLv23")]
    assert "oracle: TLSv1" in failing[0].attrs["title"]
    assert len(grids[0].find("td", cls="connect")) == 4  # SSLv23 and TLSv1_2 pairs
    assert len(grids[2].find("td", cls="s-deviation")) == 1


def test_each_failing_case_shows_expected_vs_actual(page):
    failures = page.find("div", cls="failure")
    assert [f.attrs["data-outcome"] for f in failures] == ["flaky", "fail"]
    fail = failures[1]
    assert fail.find("pre", cls="expected")[0].all_text() == '"TLSv1"'
    assert fail.find("pre", cls="actual")[0].all_text() == '"refused (protocol-version)"'


def _visible_rows(root):
    rows = root.find(id="case-table")[0].find("tr")
    return [r for r in rows if "hidden" not in r.classes and r.attrs.get("data-outcome")]


def test_by_default_the_table_hides_passes(page):
    visible = _visible_rows(page)
    assert {r.attrs["data-outcome"] for r in visible} == {"unsupported", "deviation", "fail", "flaky"}
    assert page.find(id="shown")[0].all_text() == f"{len(visible)} of 105 records shown"


def test_filters_by_area_and_outcome_run_in_the_browser(report):
    root = dom(report, "#outcome=fail&area=matrix")
    visible = _visible_rows(root)
    assert [(r.attrs["data-impl"], r.attrs["data-outcome"]) for r in visible] == [("reference", "fail")]
    assert root.find(id="shown")[0].all_text() == "1 of 105 records shown"
    root = dom(report, "#area=api&impl=ssl&outcome=pass")
    assert len(_visible_rows(root)) == 2


def test_the_page_forbids_every_fetch(page):
    meta = [m for m in page.find("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert meta and "default-src 'none'" in meta[0].attrs["content"]
