"""Print packs and per-station personalisation: order, odd-page starts, outline, zips, stations."""

from __future__ import annotations

import re
import shutil
import zipfile
from itertools import pairwise

import openpyxl
import pikepdf
import pytest
from conftest import (
    FIXTURE_PROJECT,
    REPO,
    build_project,
    check,
    copy_built,
    edit,
    located,
    pdf_pages,
    pdf_text,
    write,
)

HEADER = "id,name,address,phone,officer,officer_title,officer_phone,wechat_qr_url\n"


def page_texts(path) -> list[str]:
    return [re.sub(r"\s+", "", text) for text in pdf_pages(path)]


def outline(path) -> list[tuple[str, int, list[str]]]:
    with pikepdf.open(path) as pdf:
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        with pdf.open_outline() as tree:
            return [(item.title, index[item.destination[0].objgen] + 1, [c.title for c in item.children])
                    for item in tree.root]


@pytest.fixture(scope="module")
def pack_build(built_starter):
    return built_starter


@pytest.mark.slow
def test_pack_has_cover_toc_outline_and_odd_page_starts(pack_build):
    from outreach.project.loader import load_library

    library, _ = load_library(REPO)
    for pack_id, pack in library.packs.items():
        path = pack_build / f"build/packs/{pack_id}.pdf"
        texts = page_texts(path)
        assert len(texts) % 2 == 0
        assert pack.title in texts[0] and "本资料包包括" in texts[0] and library.config.project.organisation in texts[0]
        assert "目录" in texts[1]
        entries = outline(path)
        assert entries[0] == ("封面和目录", 1, [])
        assert entries[-1] == ("封底", len(texts), [])               # the back cover, an even page
        assert len(entries) == len(pack.items) + 2
        for title, start, _children in entries[1:-1]:
            assert start % 2 == 1, (pack_id, title, start)          # every item starts on an odd page
            assert str(start) in texts[1]                             # and the TOC says where
        # a blank verso follows every item with an odd number of pages
        starts = [start for _, start, _ in entries[1:]]
        for begin, end in pairwise(starts):
            if (end - begin) % 2 == 0 and end - begin >= 2 and "本页有意留白" in texts[end - 2]:
                assert texts[end - 2].replace("（本页有意留白）", "").strip() in ("", str(end - 1))


def test_items_in_pack_order(pack_build):
    from outreach.project.loader import load_library

    library, _ = load_library(REPO)
    pack = library.packs["elderly"]
    entries = outline(pack_build / "build/packs/elderly.pdf")
    expected = []
    for item in pack.items:
        kind = {"poster": "scenarios", "tip": "tips", "quiz": "quizzes", "script": "scripts"}[item.key]
        expected.append(library.get(kind, item.ref).model.title)
    assert [title for title, _, _ in entries[1:-1]] == expected and entries[-1][0] == "封底"
    quiz = next(children for title, _, children in entries if title == library.quizzes["community-basics"].title)
    assert [c.split("（")[-1] for c in quiz] == ["卡片）", "答题卡）", "答案）"]


def test_page_numbers_in_the_footer(pack_build):
    texts = page_texts(pack_build / "build/packs/campus.pdf")
    for number in range(2, len(texts)):     # every page but the covers
        assert str(number) in texts[number - 1], number


def test_zip_holds_pack_items_and_print_sheet(pack_build):
    with zipfile.ZipFile(pack_build / "build/packs/elderly.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"elderly/elderly.pdf", "elderly/打印说明.txt", "elderly/posters/elderly-care-fraud.pdf",
                "elderly/posters/elderly-care-fraud.png", "elderly/texts/elderly-care-fraud.sms.txt",
                "elderly/tips/answer-96110.pdf", "elderly/quiz/community-basics-cards.pdf",
                "elderly/quiz/community-basics/index.html"} <= set(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        sheet = archive.read("elderly/打印说明.txt").decode("utf-8-sig").replace("\r\n", "\n")
    assert "纸张：A4" in sheet and "双面打印（长边翻转）" in sheet and "单面打印" in sheet
    assert "裁切线" in sheet and "建议份数" in sheet
    assert re.search(r"community-basics-cards\.pdf（[^\n]*）\n   纸张：A4（210×297 ?毫米）\n   页数：4", sheet)


@pytest.mark.slow
def test_rebuild_gives_byte_identical_zip(pack_build, tmp_path):
    before = (pack_build / "build/packs/market.zip").read_bytes()
    other = copy_built(pack_build, tmp_path / "again")
    result = build_project(other, only=("packs",), clean=False)
    assert "packs/market" not in result.built
    assert (other / "build/packs/market.zip").read_bytes() == before
    # Re-stitching unchanged parts gives the same bytes too.
    (other / "build/packs/market.zip").unlink()
    assert "packs/market" in build_project(other, only=("packs",)).built
    assert (other / "build/packs/market.zip").read_bytes() == before


@pytest.mark.slow
def test_one_changed_item_rerenders_only_that_item(pack_build, tmp_path):
    other = copy_built(pack_build, tmp_path / "edit")
    path = other / "content/scenarios/elderly-care-fraud.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 养老诈骗", "title: 养老诈骗陷阱"), encoding="utf-8")
    result = build_project(other, only=("packs",))
    item = {"packs/elderly", "posters/elderly-care-fraud", "texts/elderly-care-fraud"}
    assert item <= set(result.built)
    # What other kinds make for the pack as a whole (a roll-up, a board) shows its scenarios too.
    from outreach.outputs.packs import pack_attachments
    from outreach.project.loader import load_library

    attached = {part.target for part in pack_attachments("elderly", load_library(other)[0], False)}
    assert set(result.built) - item <= attached, result.built
    assert "养老诈骗陷阱" in pdf_text(other / "build/packs/elderly.pdf")


def stations_project(tmp_path, rows: str, name: str = "stations.csv"):
    """The small fixture project (one pack with every item kind) with these station rows."""
    root = tmp_path / "st"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    (root / "content/stations.csv").unlink()
    write(root, f"content/{name}", rows)
    return root


def fifty_stations() -> str:
    return station_rows(50)


def station_rows(count: int) -> str:
    """Fictional stations s01… (three prove most points; one test builds fifty)."""
    lines = [HEADER]
    for n in range(1, count + 1):
        lines.append(f"s{n:02d},示例第{n}派出所（虚构）,示例路{n}号（虚构）,0000-{1000000 + n},民警{n}（虚构）,社区民警,"
                     f"0000-{2000000 + n},https://example.org/s{n}\n")
    return "".join(lines)


@pytest.mark.slow
def test_fifty_stations_from_csv(tmp_path):
    root = stations_project(tmp_path, fifty_stations())
    result = build_project(root, only=("stations",), stations=True, jobs=2)
    assert result.ok, result.failures
    stations = sorted(p.name for p in (root / "build/stations").iterdir())
    assert len(stations) == 50
    generic = page_texts(root / "build/packs/fixture.pdf")
    personal = page_texts(root / "build/stations/s07/fixture.pdf")
    assert len(personal) == len(generic) and len(personal) % 2 == 0   # its own covers replace the pack's
    assert "示例第7派出所（虚构）" in personal[0] and "0000-1000007" in personal[0]
    assert personal[1:-1] == generic[1:-1]                          # the shared body, untouched
    assert "有困难，找民警" in personal[-1] and "0000-2000007" in personal[-1]
    assert [t for t, _, _ in outline(root / "build/stations/s07/fixture.pdf")] == \
        [t for t, _, _ in outline(root / "build/packs/fixture.pdf")]


@pytest.mark.slow
def test_contact_cards_ten_up_duplex(tmp_path):
    root = stations_project(tmp_path, station_rows(3))
    assert build_project(root, only=("stations",), stations=True).ok
    path = root / "build/stations/s01/contact-cards.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        names = pdf.Root.Names.Dests.Names
        places = {str(names[i]): (float(names[i + 1][2]), float(names[i + 1][3])) for i in range(0, len(names), 2)}
        width = float(pdf.pages[0].mediabox[2])
    mm = 72 / 25.4
    fronts = [places[f"front-{k}"] for k in range(1, 11)]
    assert len({round(x) for x, _ in fronts}) == 2 and len({round(y) for _, y in fronts}) == 5
    for k in range(1, 11):
        fx, fy = places[f"front-{k}"]
        bx, by = places[f"back-{k}"]
        assert abs(bx - (width - fx - 90 * mm)) < 0.2 and abs(by - fy) < 0.2
    front, back = page_texts(path)
    assert front.count("警民联系卡") == 10 and front.count("示例第1派出所（虚构）") == 10
    assert back.count("96110") == 10 and "转账汇款多核实" in back


@pytest.mark.slow
def test_xlsx_with_chinese_headers(tmp_path):
    root = stations_project(tmp_path, "placeholder\n")
    (root / "content/stations.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["编号", "派出所", "地址", "电话", "民警", "职务", "民警电话", "二维码链接"])
    sheet.append(["xa", "示例甲派出所（虚构）", "示例路1号", "0000-1234567", "王警官（虚构）", "社区民警", 13900000002, None])
    sheet.append(["xb", "示例乙派出所（虚构）", None, "0000-7654321", None, None, None, None])
    workbook.save(root / "content/stations.xlsx")
    # A number typed into Excel arrives as a float; it is read back as the digits typed.
    assert [(d.file, d.line, d.column, d.severity.value, d.code) for d in check(root)] == \
        [("content/stations.xlsx", 2, 7, "warning", "station-mobile")]
    config = root / "outreach.toml"
    edit(config, "[lint]\n", '[lint]\nreal_numbers = ["139-0000-0002"]\n')
    assert check(root) == []
    result = build_project(root, only=("stations",), stations=True)
    assert result.ok, result.failures
    assert "13900000002" in page_texts(root / "build/stations/xa/contact-cards.pdf")[0]
    assert sorted(p.name for p in (root / "build/stations").iterdir()) == ["xa", "xb"]


@pytest.mark.slow
def test_bad_station_rows_are_located_by_row_and_column(tmp_path):
    rows = HEADER + (",没有编号的派出所,,0000-1234567,,,,\n"
                     "dup,示例甲,,0000-1234567,,,,\n"
                     "dup,示例乙,,0000-1234567,,,,\n"
                     "badphone,示例丙,,12345,,,abc,\n"
                     "Bad_Id,示例丁,,0000-1234567,,,,notaurl\n")
    root = stations_project(tmp_path, rows)
    found = located(check(root), "content/stations.csv")
    assert (2, 1, "missing-field") in found
    assert (4, 1, "duplicate-id") in found
    assert (5, 7, "bad-phone") in found
    assert (6, 1, "invalid-id") in found and (6, 8, "bad-value") in found
    # The rows with errors are left out and listed (exit 1); the good row is built (issue 25 item 11).
    result = build_project(root, only=("stations",), stations=True)
    assert not result.ok and [item.file for item in result.skipped] == ["content/stations.csv"]
    assert [t for t in result.built if t.startswith("stations/")] == ["stations/dup"]


def test_every_row_problem_is_reported_in_one_go(tmp_path):
    # The first "dup" row has another error; its id still counts for the duplicate check.
    rows = HEADER + ("dup,示例甲,,电话待补,,,,\n"
                     "dup,示例乙,,0000-1234567,,,,\n"
                     "ok,示例丙,,0000-1234567,,,,\n"
                     "ok,示例丁,,0000-1234567,,,,\n")
    root = stations_project(tmp_path, rows)
    found = located(check(root), "content/stations.csv")
    assert found == [(2, 4, "bad-phone"), (3, 1, "duplicate-id"), (5, 1, "duplicate-id")]


def test_xlsx_phone_stored_as_a_number_is_flagged_at_its_cell(tmp_path):
    root = stations_project(tmp_path, "placeholder\n")
    (root / "content/stations.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["编号", "派出所", "电话"])
    sheet.append(["xa", "示例甲派出所（虚构）", 57187654321])        # was 0571-87654321
    sheet.append(["xb", "示例乙派出所（虚构）", 110])                # a short number survives as a number
    workbook.save(root / "content/stations.xlsx")
    diagnostics = [d for d in check(root) if d.file == "content/stations.xlsx"]
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(2, 3, "phone-as-number")]
    assert "开头的 0" in diagnostics[0].message and "文本" in diagnostics[0].message


def test_both_station_files_warn_which_is_used(tmp_path):
    root = stations_project(tmp_path, HEADER + "xa,示例甲派出所（虚构）,,0000-1234567,,,,\n")
    (root / "content/stations.xlsx").write_bytes(b"an older copy")
    found = [(d.file, d.code) for d in check(root)]
    assert found == [("content/stations.xlsx", "station-file-ignored")]
    assert "使用的是 stations.csv" in check(root)[0].message


def test_missing_required_column(tmp_path):
    root = stations_project(tmp_path, "编号,地址\nx,某地\n")
    assert located(check(root), "content/stations.csv") == [(1, 1, "missing-column")]


@pytest.mark.slow
def test_stations_are_off_unless_asked(tmp_path):
    root = stations_project(tmp_path, station_rows(3))
    refused = build_project(root, only=("stations",))
    assert refused.built == [] and "--stations" in refused.failures[0].message   # said, not silently nothing
    from outreach.buildspec.options import BuildOptions
    from outreach.engine.planner import plan_build
    from outreach.project.loader import load_library

    library, _ = load_library(root, stations=None)
    planned = plan_build(root, library, BuildOptions()).targets              # what a plain build would make
    assert planned and not [t for t in planned if t.renderer == "stations"]
    edit_config = root / "outreach.toml"
    edit_config.write_text(edit_config.read_text(encoding="utf-8") + "\n[stations]\nenabled = true\n", encoding="utf-8")
    assert len([t for t in build_project(root, only=("stations",)).built if t.startswith("stations/")]) == 3


@pytest.mark.slow
def test_editing_one_row_rebuilds_one_station(tmp_path):
    root = stations_project(tmp_path, station_rows(3))
    assert build_project(root, only=("stations",), stations=True).ok
    path = root / "content/stations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("示例第2派出所", "示例第二派出所"), encoding="utf-8")
    result = build_project(root, only=("stations",), stations=True)
    # That station's packs and cards, and its outputs of other per-station kinds (contact stickers).
    assert "stations/s02" in result.built and all(target.endswith("/s02") for target in result.built), result.built
