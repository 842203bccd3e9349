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
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.build import build

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


# --- builds shared by the whole test run ------------------------------------------------------
# The starter library and the fixture project are each built once per run (the first xdist worker
# that asks builds under a file lock, the others wait and read it) instead of once per module.
# Tests only read them; a test that changes something copies one (copy_built) and builds again,
# which rebuilds only what it changed.

def _shared_folder(tmp_path_factory) -> Path:
    """A folder of this test run that every xdist worker sees: the workers' basetemps are
    siblings under one run folder; without xdist the run's own basetemp."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "shared-builds"
    folder.mkdir(exist_ok=True)
    return folder


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def shared_build(tmp_path_factory, name: str, make) -> Path:
    """`make(root)` once per test run, for every worker; its files are left read-only. A build
    that failed fails every test that asks for it with the same message."""
    import fcntl

    folder = _shared_folder(tmp_path_factory)
    root = folder / name
    done, failed = folder / f"{name}.done", folder / f"{name}.failed"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"共享构建 {name} 失败（另一个进程）：{failed.read_text(encoding='utf-8')}", pytrace=False)
        if not done.exists():
            try:
                make(root)
            except BaseException as error:
                failed.write_text(f"{type(error).__name__}: {error}"[:5000], encoding="utf-8")
                raise
            for path in root.rglob("*"):
                if path.is_file():
                    path.chmod(0o444)
            done.touch()
    return root


def copy_built(source: Path, dest: Path) -> Path:
    """A writable copy of a shared build (project and build/), for a test that changes it: the
    manifest comes along, so the next build redoes only the targets the test changed."""
    def copy_writable(src, dst):
        shutil.copy2(src, dst)
        os.chmod(dst, 0o644)

    shutil.copytree(source, dest, copy_function=copy_writable)
    return dest


def _build_starter(root: Path) -> None:
    copy_starter(root)
    result = build_project(root, jobs=2, stations=True)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]


def _build_starter_print(root: Path) -> None:
    copy_starter(root)
    result = build_project(root, jobs=2, print_ready=True, stations=True)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]


def _build_fixture(root: Path) -> None:
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    for print_ready in (False, True):   # print masters beside the screen files
        result = build_project(root, stations=True, jobs=2, print_ready=print_ready)
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]


@pytest.fixture(scope="session")
def _guard_shared():
    """Fails the run's last teardown when a test wrote into a shared build."""
    taken: dict[Path, dict] = {}
    yield taken
    changed = [str(root) for root, before in taken.items() if _snapshot(root) != before]
    assert not changed, f"测试改动了共享构建（应先 copy_built 复制）：{changed}"


def _shared(tmp_path_factory, guard, name: str, make) -> Path:
    root = shared_build(tmp_path_factory, name, make)
    guard.setdefault(root, _snapshot(root))
    return root


@pytest.fixture(scope="session")
def built_starter(tmp_path_factory, _guard_shared) -> Path:
    """The starter library built once per run, every kind with its station packs (screen files):
    read it, never write to it (copy_built for a changed copy)."""
    return _shared(tmp_path_factory, _guard_shared, "starter", _build_starter)


@pytest.fixture(scope="session")
def starter_out(built_starter) -> Path:
    """The build/ folder of the shared starter build (read-only)."""
    return built_starter / "build"


@pytest.fixture(scope="session")
def built_starter_print(tmp_path_factory, _guard_shared) -> Path:
    """The starter library built print-ready with its station packs, once per run; read-only."""
    return _shared(tmp_path_factory, _guard_shared, "starter-print", _build_starter_print)


@pytest.fixture(scope="session")
def built_fixture_project(tmp_path_factory, _guard_shared) -> Path:
    """The fixture project built once per run with its station: screen files, then print masters
    beside them in the same build/; read-only."""
    return _shared(tmp_path_factory, _guard_shared, "fixture", _build_fixture)


def assert_pages_clean(base: Path) -> None:
    """Every PDF under `base` passes the page inspector (flipped, overlapping or off-page text,
    text on images, bleed colour on print-ready pages, blank pages, split names, widowed titles);
    polish (提示) is not a failure."""
    from outreach.rendering.pageinspect import inspect_files

    pdfs = [p for p in sorted(base.rglob("*.pdf")) if not any(part.startswith(".") for part in p.relative_to(base).parts)]
    problems = [p for p in inspect_files(pdfs, base) if p.severity == "error"]
    assert not problems, "\n".join(p.format() for p in problems[:20])


# --- tiers: `make test` runs the tests marked none of slow, browser, starter (pyproject.toml) --------

STARTER_FIXTURES = {"built_starter", "built_starter_print"}
# A fast-tier test slower than this (setup and call, on an idle core) belongs in a slower tier:
# the run's summary names it, so `make test` stays within its two minutes.
FAST_TEST_SECONDS = 4.0
TIER_MARKERS = ("slow", "browser", "starter")


def pytest_collection_modifyitems(config, items) -> None:
    """A test that reads the built starter library is a starter test, one that reads the built
    fixture project a slow test, one that drives Chromium a browser test, whatever module it is in."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & STARTER_FIXTURES:
            item.add_marker(pytest.mark.starter)
        if "built_fixture_project" in names:
            item.add_marker(pytest.mark.slow)   # the shared fixture build takes half a minute
        if "browser" in names:
            item.add_marker(pytest.mark.browser)


_fast_durations: dict[str, float] = {}


def pytest_runtest_logreport(report) -> None:
    if report.when in ("setup", "call") and not any(marker in report.keywords for marker in TIER_MARKERS):
        _fast_durations[report.nodeid] = _fast_durations.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    slow = sorted(((seconds, nodeid) for nodeid, seconds in _fast_durations.items() if seconds > FAST_TEST_SECONDS),
                  reverse=True)
    if slow:
        terminalreporter.section("fast-tier tests over %.0f s (mark them slow, or make them faster)" % FAST_TEST_SECONDS)
        for seconds, nodeid in slow:
            terminalreporter.write_line(f"{seconds:6.1f}s {nodeid}")


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
