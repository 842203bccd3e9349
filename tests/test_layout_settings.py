"""Layouts that hold for every documented setting (issue 27, items 1–6): hotline sets of 1–4 in
every documented format, unit names, station names and addresses up to their documented limits,
each region profile, both scripts, plain and print-ready. Every output either passes the page
inspector — `outreach check --pages` is clean after every successful build — or the build fails
with a message naming the setting to change. Never a broken page reported as success.

Time is bounded (about 2 minutes on 2 cores): the fixture project, a few generated cases with a
fixed seed, the extreme cases as explicit examples, each building only the kinds it exercises.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURE_PROJECT, build_project, copy_starter, pdf_pages
from hypothesis import example, given, settings
from hypothesis import strategies as st
from layoutsettings import (
    COUNTY_FOUR,
    FORMATS,
    LABEL_LIMIT,
    LONG_UNIT,
    LONGEST_FOUR,
    LONGEST_STATION,
    LONGEST_UNIT,
    ORGANISATION_LIMIT,
    configure,
    set_station,
)

from outreach.checks.spacing import apply_spacing
from outreach.project.phones import digits
from outreach.rendering.theme import BUILTIN_DIR as REPO_THEME

pytestmark = pytest.mark.slow   # every test builds a changed project cold (README, 测试)

# Failures must say what to change: an outreach.toml entry or section, or the station sheet.
SETTING = re.compile(r"outreach\.toml|\[\[project\.hotlines\]\]|\[quiz\]|stations\.csv|站点表|电话|单位名称")


def _fixture(parent: Path) -> Path:
    root = parent / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    return root


def check_pages(root: Path) -> str:
    """`outreach check --pages` on the last build: its output; the test fails when it exits 1."""
    from typer.testing import CliRunner

    from outreach.cli.commands import app  # importing the commands registers them on the app

    run = CliRunner().invoke(app, ["-C", str(root), "check", "--pages"])
    assert run.exit_code == 0, run.output[-3000:]
    return run.output


def judged(root: Path, **options):
    """Build; a success must leave `check --pages` clean and every hotline whole, a failure must
    name the setting to change."""
    result = build_project(root, jobs=2, **options)
    if result.ok:
        check_pages(root)
        assert_hotlines_whole(root)
        return result
    assert not result.fatal and not result.skipped, (result.fatal, result.skipped)
    causes = [f for f in result.failures if "生成失败，已跳过" not in f.message]
    assert causes
    for failure in causes:
        # A page the inspector rejects is a layout bug within the documented settings, not a
        # setting to change: only the fitting steps (hotline bands, overflow) may refuse.
        assert "版面有问题" not in failure.message, (failure.label, failure.message)
        assert SETTING.search(failure.message) or failure.file in ("outreach.toml", "content/stations.csv"), \
            (failure.label, failure.file, failure.message)
    return result


def assert_hotlines_whole(root: Path) -> None:
    """On every page that prints the hotlines, each number is on one line, with its label on the
    same line or right above or below it (a unit printed as number over label)."""
    from outreach.project.config import load_config

    config, _ = load_config(root)
    out = root / "build"
    rule = config.lint.cjk_latin_space
    pages_with_hotlines = [(path, index) for pattern in ("**/posters/*.pdf", "**/tips/*.pdf")
                           for path in out.glob(pattern) for index in (0,)]
    pages_with_hotlines += [(path, index) for path in out.glob("**/quiz/*-cards.pdf")
                            for index in range(1, len(pdf_pages(path)), 2)]          # the backs
    pages_with_hotlines += [(path, 1) for path in out.glob("**/contact-cards.pdf")]
    for path, index in pages_with_hotlines:
        page = pdf_pages(path)[index]
        lines = [line.replace("轉", "转") for line in page.replace("\r\n", "\n").split("\n")]
        converted = "zh-Hant" in path.relative_to(out).parts
        for hotline in config.project.hotlines:
            shown = apply_spacing(hotline.display, rule)
            found = [i for i, line in enumerate(lines) if shown in line]
            where = f"{path.relative_to(out)} p{index + 1}: {hotline.display}"
            assert found, f"{where} broken or missing in {lines}"
            if converted:
                continue   # the label is in Traditional characters there; the number is the same
            label = hotline.label[:4]
            assert any(label in "".join(lines[max(i - 1, 0):i + 2]) for i in found), \
                f"{where}: label {hotline.label} not with its number"


# --- reproduced from the trials (each failed on main before issue 27) --------------------------

@pytest.fixture(scope="module")
def county_print(tmp_path_factory) -> tuple[Path, object]:
    """The fixture project as the county bureau of the trial set it up: a landline as a third
    hotline, a long unit name, a station row at every documented limit; built print-ready with
    the stations (one build, read by the tests below)."""
    root = _fixture(tmp_path_factory.mktemp("county"))
    configure(root, hotlines=[FORMATS["short"], FORMATS["short5"], FORMATS["landline"]], organisation=LONG_UNIT)
    set_station(root, **LONGEST_STATION)
    return root, judged(root, print_ready=True, stations=True)


def test_tip_footer_keeps_every_hotline_whole_and_its_unit_name_off_the_trim(tmp_path, county_print):
    """Item 1 and 3: a third hotline (a landline) and a long unit name: the tip footer split
    "0571-8700" / "0000" and, print-ready, put the unit name 293 mm down; the build succeeded
    and `check --pages` reported text-near-trim on every tip."""
    root = _fixture(tmp_path)
    configure(root, hotlines=[FORMATS["short"], FORMATS["short5"], FORMATS["landline"]], organisation=LONG_UNIT)
    assert judged(root, only=("tips",)).ok
    for build in (root / "build", county_print[0] / "build/print"):
        text = pdf_pages(build / "tips/answer-96110.pdf")[0]
        assert "0571-8700 0000" in text and "某某县公安局值班电话" in text


def test_print_ready_station_build_leaves_nothing_for_check_pages(county_print):
    """Item 3: `--print-ready --stations` with three hotlines: success, then 120 problems
    (`judged` runs `check --pages` after the build)."""
    root, result = county_print
    assert result.ok
    assert (root / "build/print/stations/test-east/fixture.pdf").exists()


KEY_NOTE = '<p style="position: absolute; left: 12mm; bottom: 1mm; font-size: 12pt">主持人签名</p>'


def test_a_page_check_pages_would_reject_fails_the_build(tmp_path):
    """Item 3, for every kind: the build used to inspect posters, tips and cards only, and only
    for overlapping or off-page text; an answer key with text 1 mm from the trim was written."""
    from conftest import write

    root = _fixture(tmp_path)
    key = (REPO_THEME / "quiz/key.html").read_text(encoding="utf-8")
    write(root, "templates/quiz/key.html", key.replace("</div>\n{% endblock %}", f"</div>\n{KEY_NOTE}\n{{% endblock %}}"))
    result = build_project(root, only=("quiz",), print_ready=True)
    [failure] = result.failures
    assert "print/quiz/basics-key.pdf 第 1 页" in failure.message and "离裁切线不足 3 毫米" in failure.message
    assert "“主”" in failure.message and "outreach check --pages" in failure.message
    assert not (root / "build/print/quiz/basics-key.pdf").exists()


def test_station_pages_keep_labels_whole_and_long_addresses_clear_of_the_code(tmp_path, county_print):
    """Item 6: "社区民/警", "民警电/话", "值班电/话" on the back page; the address under the QR code
    on the cover (the page inspector's text-on-image: the code is a picture). A station row at
    every documented limit, in both scripts, print-ready and plain."""
    root = _fixture(tmp_path)
    set_station(root, **LONGEST_STATION)
    assert judged(root, stations=True, only=("stations",), locale="zh-Hant").ok
    for pack, labels in ((county_print[0] / "build/print/stations/test-east/fixture.pdf", ("社区民警", "民警电话", "值班电话")),
                         (root / "build/zh-Hant/stations/test-east/fixture.pdf", ("社區民警", "民警電話", "值班電話"))):
        folder = "zh-Hant/" if "zh-Hant" in pack.parts else ""
        pages = pdf_pages(pack)
        back = pages[-1].replace("\r\n", "\n").split("\n")
        for label in labels:
            assert any(label in line for line in back), (folder, label, back)
        cover = pages[0].replace("\r\n", "").replace("\n", "")
        assert LONGEST_STATION["address"][:20] in cover.replace("地址：", "") or folder


def test_station_sheet_limits_are_checked(tmp_path):
    from conftest import check

    root = _fixture(tmp_path)
    set_station(root, address="某" * 61)
    [problem] = [d for d in check(root) if d.code == "too-long"]
    assert problem.file == "content/stations.csv" and problem.line == 2 and "最多 60 个字" in problem.message


# --- the starter library with 4 hotlines and a long unit name, in every variant ----------------

STARTER_VARIANTS = {
    # The full builds (packs, stations, zh-Hant, every kind) were checked by hand; the tests keep
    # the one-page pieces, where the hotlines and the unit name take room from the content. Packs
    # and station packs: county_print above and the generated settings below; zh-Hant: Macau.
    "plain": dict(only=("posters", "tips", "quiz")),
    "print-ready": dict(print_ready=True, only=("posters", "tips", "quiz")),
}


@pytest.fixture(scope="module")
def county_starter(tmp_path_factory) -> Path:
    root = copy_starter(tmp_path_factory.mktemp("starter4") / "proj")
    configure(root, hotlines=COUNTY_FOUR, organisation=LONG_UNIT)
    return root


@pytest.mark.parametrize("variant", sorted(STARTER_VARIANTS))
def test_starter_builds_with_four_hotlines_and_a_long_unit_name(county_starter, variant):
    """Item 4: four hotlines (README's maximum) made every starter poster fail."""
    result = judged(county_starter, **STARTER_VARIANTS[variant])
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures][:5]


def test_starter_builds_with_the_macau_profile(tmp_path):
    """Item 5: the Macau profile (three hotlines) overflowed 7 posters by 3–6 mm, which failed the
    campus and elderly packs. (Packs with the Macau profile, and Hong Kong and Taiwan with two
    hotlines each, are among the generated settings.)"""
    root = copy_starter(tmp_path / "proj")
    configure(root, region="mo", organisation=LONG_UNIT)
    result = judged(root, only=("posters", "tips"))
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures][:5]


# --- generated settings ------------------------------------------------------------------------

CJK = "某省市县区局分所站警务社反诈骗中心值班电话热线咨询专线银行客服公安东湖北山联合宣传大队"
NUMBERS = [number for number, _ in FORMATS.values()] + ["0571-87000000-12345", "4001234567", "010-12345678"]
KIND_SETS = [("posters", "tips"), ("quiz", "scripts"), ("stations",)]


@st.composite
def project_settings(draw):
    region = draw(st.sampled_from(["mainland", "mainland", "hk", "mo", "tw"]))
    hotlines = None
    if region == "mainland":
        hotlines = draw(st.lists(st.tuples(st.sampled_from(NUMBERS), st.text(CJK, min_size=1, max_size=LABEL_LIMIT)),
                                 min_size=1, max_size=4, unique_by=lambda h: digits(h[0])))
    return {
        "region": region, "hotlines": hotlines,
        "organisation": draw(st.text(CJK, min_size=1, max_size=ORGANISATION_LIMIT)),
        "station": draw(st.booleans()),
        "locale": draw(st.sampled_from(["zh-Hans", "zh-Hant"])) if region == "mainland" else None,
        "print_ready": draw(st.booleans()),
        "kinds": draw(st.sampled_from(KIND_SETS)),
    }


EXTREME = {"region": "mainland", "hotlines": LONGEST_FOUR, "organisation": LONGEST_UNIT, "station": True,
           "locale": "zh-Hans", "print_ready": True, "kinds": ("stations",)}
MACAU = {"region": "mo", "hotlines": None, "organisation": LONGEST_UNIT, "station": True, "locale": None,
         "print_ready": False, "kinds": ("stations",)}


@settings(max_examples=3, deadline=None, derandomize=True, database=None)
@given(project_settings())
@example(EXTREME)
@example(MACAU)
def test_generated_settings_pass_the_inspector_or_name_what_to_change(case):
    with tempfile.TemporaryDirectory() as folder:
        root = _fixture(Path(folder))
        configure(root, hotlines=case["hotlines"], organisation=case["organisation"],
                  region=None if case["region"] == "mainland" else case["region"])
        if case["station"]:
            set_station(root, **LONGEST_STATION)
        stations = "stations" in case["kinds"]
        judged(root, only=case["kinds"], stations=stations, print_ready=case["print_ready"], locale=case["locale"])
