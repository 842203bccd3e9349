"""A station's cover is the cover every station shares with the station's own block stamped over
it (rendering/stamping.py, outputs/stationpages.py): the same picture as laying it out whole,
and laid out whole wherever a template's marked part does not stand apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import build_project, write

from outreach.rendering.stamping import MARK, split_page

PAGE = """<!DOCTYPE html><html><head><style>p {{ color: red; }}</style></head><body class="x">
<section class="cover"><div class="band"><p>标题</p></div>
<div class="foot" data-station><div><p>{station}</p><img src="qr.png"><div>地址</div></div></div>
</section></body></html>"""

STATIONS = ("id,name,address,phone,officer,officer_title,officer_phone,wechat_qr_url\n"
            "test-east,测试市公安局测试分局东湖派出所（虚构）,测试市测试区东湖路1号（虚构地址）,0000-1234567,"
            "李警官（虚构）,社区民警,0000-7654321,https://example.org/outreach/test-east\n"
            "test-west,测试市公安局测试分局城关镇中心派出所新华路警务室（虚构）,测试市测试区人民路与解放路交叉口东北角"
            "综合服务大楼一层（虚构地址）,0000-2345678,王警官（虚构）,社区民警,0000-8765432,https://example.org/outreach/test-west\n"
            "test-north,测试市公安局北站派出所（虚构）,,0000-3456789,,,,\n")


def test_the_page_splits_at_its_marked_part():
    split = split_page(PAGE.format(station="东湖派出所"))
    assert split is not None
    assert "东湖派出所" not in split.shared and "标题" in split.shared
    assert f'<div class="foot" {MARK}></div>' in split.shared          # emptied, still there for selectors
    assert "东湖派出所" in split.stamp and "标题" not in split.stamp
    assert '<section data-station-path class="cover">' in split.stamp  # its ancestors, marked, and no sibling
    assert split.stamp.count("<style>") == 2 and split.stamp.endswith("</section></body></html>")
    assert split_page(PAGE.format(station="城关派出所")).key == split.key  # the shared page is every station's


@pytest.mark.parametrize("page", [
    PAGE.replace(f" {MARK}", ""),                                               # no mark
    PAGE.replace('<div class="band">', f'<div class="band" {MARK}>'),            # two marks
    PAGE.replace("<head>", "").replace("</head>", ""),                           # no head to add the style to
    f'<html><head></head><body><img src="a.png" {MARK}></body></html>',          # a mark on an empty element
    PAGE.replace('<p>标题</p>', '<img src="logo.png">'),                         # the shared part reads a file
    PAGE.replace("color: red;", "background: url(paper.png);"),                  # so does its style
])
def test_pages_it_cannot_split_are_laid_out_whole(page):
    assert split_page(page.format(station="东湖派出所")) is None


def cover_picture(path: Path) -> tuple[bytes, bool]:
    """Page 1 rendered at 100 dpi, and whether a form (the stamp) is drawn on it."""
    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        picture = page.render(scale=100 / 72).to_pil().tobytes()
        page.close()
    finally:
        document.close()
    with pikepdf.open(path) as pdf:
        stamped = _draws_stamp(pdf.pages[0].Resources)
    return picture, stamped


def _draws_stamp(resources, depth: int = 0) -> bool:
    """Whether the station's stamp form is among these resources' forms (a print master wraps
    the page in forms of its own)."""
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    return any(name == "/OutreachStation" or (depth < 4 and x.get("/Subtype") == "/Form"
                                               and _draws_stamp(x.get("/Resources"), depth + 1))
               for name, x in xobjects.items())


def build_covers(root: Path) -> dict[str, tuple[bytes, bool]]:
    result = build_project(root, stations=True, only=("packs", "stations"))
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return {station: cover_picture(root / f"build/stations/{station}/fixture.pdf")
            for station in ("test-east", "test-west", "test-north")}


def with_cover_template(root: Path, change) -> None:
    from outreach.rendering.theme import Theme

    builtin = (Theme(root).builtin_dir / "pack-cover.html").read_text(encoding="utf-8")
    changed = change(builtin)
    assert changed != builtin
    write(root, "templates/pack-cover.html", changed)


@pytest.mark.slow
def test_stamped_covers_are_the_picture_of_covers_laid_out_whole(fixture_project, tmp_path):
    write(fixture_project, "content/stations.csv", STATIONS)
    whole = tmp_path / "whole"
    shutil.copytree(fixture_project, whole)
    with_cover_template(whole, lambda text: text.replace(f" {MARK}", ""))   # a volunteer's copy without the mark
    stamped, laid_out = build_covers(fixture_project), build_covers(whole)
    for station in stamped:
        assert stamped[station][0] == laid_out[station][0], station
        assert not laid_out[station][1]
    # Every station is stamped, the first of a process too (laid out whole only to compare).
    assert all(stamped[s][1] for s in stamped)


@pytest.mark.slow
def test_stamped_station_files_do_not_depend_on_workers(fixture_project, tmp_path):
    """Which station a worker meets first (and lays out whole to compare) must not show in any
    station's bytes: -j 1 and -j 2 write the same files (issue 29, item 2b)."""
    write(fixture_project, "content/stations.csv", STATIONS)
    other = tmp_path / "j2"
    shutil.copytree(fixture_project, other)
    for root, jobs in ((fixture_project, 1), (other, 2)):
        result = build_project(root, stations=True, only=("packs", "stations"), jobs=jobs)
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    one, two = ({p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "build/stations").rglob("*")
                 if p.is_file()} for root in (fixture_project, other))
    assert len(one) >= 12 and one == two


@pytest.mark.slow
def test_a_marked_part_that_moves_the_page_is_not_stamped(fixture_project, tmp_path):
    """Marked in the flow (the band at the top): without it the rest of the page moves up, the
    comparison sees it, and every station's cover is laid out whole."""
    write(fixture_project, "content/stations.csv", STATIONS)
    with_cover_template(fixture_project, lambda text: text.replace(f" {MARK}", "").replace(
        '<div class="cover-band">', f'<div class="cover-band" {MARK}>'))
    covers = build_covers(fixture_project)
    assert not any(stamped for _, stamped in covers.values())
    reference = tmp_path / "reference"
    shutil.copytree(fixture_project, reference, ignore=shutil.ignore_patterns("build", ".outreach"))
    with_cover_template(reference, lambda text: text.replace(f" {MARK}", ""))
    assert {s: p for s, (p, _) in covers.items()} == {s: p for s, (p, _) in build_covers(reference).items()}


@pytest.mark.slow
def test_stamped_print_masters_pass_preflight_and_look_like_whole_ones(fixture_project, tmp_path):
    """A print build stamps its covers before they become print masters (colour converted, marks
    and slug added, preflighted with the station's pack): the same picture as a whole cover's."""
    write(fixture_project, "content/stations.csv", STATIONS)
    whole = tmp_path / "whole"
    shutil.copytree(fixture_project, whole)
    with_cover_template(whole, lambda text: text.replace(f" {MARK}", ""))
    pictures = {}
    for root in (fixture_project, whole):
        result = build_project(root, stations=True, print_ready=True, only=("packs", "stations"))
        assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
        pictures[root] = {s: cover_picture(root / f"build/print/stations/{s}/fixture.pdf")
                          for s in ("test-east", "test-west", "test-north")}
    # A master's page is redrawn (colours converted, marks added), the stamp's form with it: what
    # the build kept tells whether it stamped (-j 1 renders in this process).
    from outreach.outputs import stationpages

    kept = {key[3]: shared for key, shared in stationpages._shared.items() if key[2]}
    assert kept.get(fixture_project) is not None and whole not in kept
    for station, (picture, _) in pictures[fixture_project].items():
        assert picture == pictures[whole][station][0], station
