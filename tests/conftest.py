"""Shared fixtures: a throw-away copy of the starter project, and helpers to run checks."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from outreach.checks.lint import lint_library
from outreach.project.loader import load_library

REPO = Path(__file__).resolve().parents[1]

# Tests judge review dates as of a fixed day, so they never expire (subprocesses inherit it).
# Tests about review dates pass their own `today`.
os.environ["OUTREACH_TODAY"] = "2026-12-01"


def copy_starter(root: Path, drop_packs: tuple[str, ...] = ()) -> Path:
    """The starter project (outreach.toml and content/) copied to `root`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    shutil.copytree(REPO / "content", root / "content")
    for pack in drop_packs:
        (root / f"content/packs/{pack}.yaml").unlink()
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the starter library that a test may break freely."""
    root = copy_starter(tmp_path / "proj")
    (root / "templates").mkdir()
    return root


def write(root: Path, relpath: str, text: str | bytes) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check(root: Path, lint: bool = True) -> list:
    library, diagnostics = load_library(root)
    if lint and library is not None:
        diagnostics.extend(lint_library(library))
    return diagnostics.sorted()


def located(diagnostics, relpath: str) -> list[tuple[int, int, str]]:
    """(line, column, code) of the diagnostics about one file."""
    return [(d.line, d.column, d.code) for d in diagnostics if d.file == relpath]


MINI_PROJECT = REPO / "tests" / "fixtures" / "mini"



@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """outreach.toml, the law catalog and two scenarios (tests/fixtures/mini, frozen: editing the
    starter library never changes what the engine tests build): quick to build."""
    root = tmp_path / "mini"
    shutil.copytree(MINI_PROJECT, root)
    (root / "templates").mkdir()
    return root


# --- posting: a real bot server on 127.0.0.1 and a project with a channel pointing at it ------

@pytest.fixture
def bot():
    from botserver import BotServer

    server = BotServer()
    yield server
    server.close()


def add_channel(root, name: str, kind: str, fmt: str = "text", extra: str = "") -> None:
    with open(root / "outreach.toml", "a", encoding="utf-8") as handle:
        handle.write(f'\n[channels.{name}]\ntype = "{kind}"\nurl_env = "TEST_BOT_URL"\nformat = "{fmt}"\n'
                     f'rate = "1000/s"\nretries = 3\nretry_base = 0.01\ntimeout = 2\nlimit_wait = 1\n{extra}')


@pytest.fixture
def posting(mini_project, bot, monkeypatch):
    add_channel(mini_project, "group", "wecom", "markdown")
    monkeypatch.setenv("TEST_BOT_URL", bot.url())
    assert build_project(mini_project, only=("texts",)).ok
    return mini_project


def build_project(root: Path, **options):
    from outreach.engine.build import build
    from outreach.renderers.options import BuildOptions

    options.setdefault("jobs", 1)
    return build(root, BuildOptions(**options))


def build_posters(root: Path, **options):
    """Build the posters only (tests that count targets or outputs)."""
    return build_project(root, only=("posters",), **options)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, extracted with pdfium (what a reader's copy-paste gets)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    return "".join(pdf_pages(path))


FIXTURE_PROJECT = REPO / "tests" / "fixtures" / "project"


@pytest.fixture
def fixture_project(tmp_path: Path) -> Path:
    """A small, frozen project (3 scenarios, a tip, a 4-question quiz, a talk track, a skit,
    one pack, one fictional station) with review dates far ahead: engine tests that need every
    output kind build this, not the starter library."""
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def assert_pages_clean(base: Path) -> None:
    """Every PDF under `base` passes the page inspector (flipped, overlapping or off-page text,
    text on images, bleed colour on print-ready pages, blank pages, split names, widowed titles);
    polish (提示) is not a failure."""
    from outreach.render.pageinspect import inspect_files

    pdfs = [p for p in sorted(base.rglob("*.pdf")) if not any(part.startswith(".") for part in p.relative_to(base).parts)]
    problems = [p for p in inspect_files(pdfs, base) if p.severity == "error"]
    assert not problems, "\n".join(p.format() for p in problems[:20])


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "bad_pages: the test makes faulty PDFs on purpose (skips the page inspector)")


@pytest.fixture(autouse=True)
def _inspect_every_pdf(request, tmp_path: Path):
    """Every PDF a test produces goes through the page inspector after the test."""
    yield
    if request.node.get_closest_marker("bad_pages") is None and getattr(request.node, "rep_call_passed", False):
        assert_pages_clean(tmp_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_passed = report.passed


def start_serve(root: Path):
    """`outreach serve --port 0` on `root`, in its own process group (stop it with os.killpg);
    returns the process and its URL once it listens."""
    import re
    import subprocess
    import sys

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "outreach", "serve", "--port", "0"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line + process.stderr.read()
    return process, f"http://127.0.0.1:{match.group(1)}/"


# --- real headless Chromium (Debian's), driven by Playwright -----------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI 需要 Debian 的 chromium（make test 会安装）")
        pytest.skip("本机没有 chromium")
    return found


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def regional_qr(toml: str, region: str) -> str:
    """The starter's QR code (the Ministry of Public Security's site) pointed at the region's
    own anti-fraud site, as a region edition must (its build refuses a Mainland site)."""
    from outreach.project.regions import REGIONS

    site = REGIONS[region].site
    return toml.replace('qr_url = "https://www.mps.gov.cn/"', f'qr_url = "{site}"' if site else "")
