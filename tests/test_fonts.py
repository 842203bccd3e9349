"""Lean PDFs: every output kind, finished (fonts subset per file, one program per face in merged
files) against the same build with `[pdf] optimise_fonts = false` — same pixels in pdfium and
poppler, same text, every font program holding exactly the glyphs its file shows."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_PROJECT, build_project, edit
from fontTools.cffLib import CFFFontSet
from PIL import Image, ImageChops

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


KINDS = [
    "posters/fake-loan.pdf", "tips/answer-96110.pdf", "quiz/basics-cards.pdf", "quiz/basics-key.pdf",
    "quiz/basics-answer-sheet.pdf", "scripts/xiaopin-fake-police.pdf", "scripts/xiaopin-fake-police/王大妈.pdf",
    "scripts/talk-track-refund-card.pdf", "scripts/talk-track-refund-card-sheet.pdf", "packs/fixture.pdf",
    "stations/test-east/fixture.pdf", "stations/test-east/contact-cards.pdf",
]
MERGED = ["packs/fixture.pdf", "stations/test-east/fixture.pdf", "stations/test-east/contact-cards.pdf",
          "scripts/talk-track-refund-card-sheet.pdf", "quiz/basics-cards.pdf"]


def build_variant(base: Path, name: str, optimise: bool, print_ready: bool = False) -> Path:
    root = base / name
    shutil.copytree(FIXTURE_PROJECT, root)
    if not optimise:
        config = root / "outreach.toml"
        config.write_text(config.read_text(encoding="utf-8") + "\n[pdf]\noptimise_fonts = false\n", encoding="utf-8")
    result = build_project(root, stations=True, jobs=2, print_ready=print_ready)
    assert result.ok, [f"{f.label}: {f.message}" for f in result.failures]
    return root / "build"


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("fonts")
    return build_variant(base, "lean", True), build_variant(base, "plain", False)


def pdfium_pages(path: Path, scale: float = 1.5) -> list[tuple[Image.Image, str]]:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [(document[i].render(scale=scale, may_draw_forms=False).to_pil().convert("RGB"),
                 document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()


def poppler_pages(path: Path, out: Path) -> list[Image.Image]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(path), str(out / "p")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(out.glob("p-*.png"))]


def assert_same_picture(a: Image.Image, b: Image.Image, what: str) -> None:
    assert a.size == b.size, what
    difference = ImageChops.difference(a, b)
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    differing = sum(largest.histogram()[64:]) / (a.width * a.height)  # more than 25 % off
    assert differing < 0.001, f"{what}: {differing:.3%} of the pixels differ"


@pytest.mark.parametrize("relpath", KINDS)
def test_finished_pdf_looks_and_reads_like_weasyprints(builds, relpath, tmp_path):
    lean, plain = builds[0] / relpath, builds[1] / relpath
    assert lean.stat().st_size < plain.stat().st_size
    lean_pages, plain_pages = pdfium_pages(lean), pdfium_pages(plain)
    assert len(lean_pages) == len(plain_pages)
    for number, ((a, text_a), (b, text_b)) in enumerate(zip(lean_pages, plain_pages, strict=True), start=1):
        assert text_a == text_b, f"{relpath} page {number}: extracted text differs"
        assert_same_picture(a, b, f"{relpath} page {number} (pdfium)")
    for number, (a, b) in enumerate(zip(poppler_pages(lean, tmp_path / "a"), poppler_pages(plain, tmp_path / "b"), strict=True), 1):
        assert_same_picture(a, b, f"{relpath} page {number} (poppler)")
    assert subprocess.run(["pdftotext", str(lean), "-"], capture_output=True).stdout == \
        subprocess.run(["pdftotext", str(plain), "-"], capture_output=True).stdout
    with pikepdf.open(lean) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf's own check, as `qpdf --check` runs it


def font_programs(path: Path) -> dict[str, list[tuple[str, set[int]]]]:
    """Face name → [(program digest, CIDs in its charset)] for every CFF program in the file."""
    from outreach.rendering.fontfinish import _scan

    programs: dict[str, list] = {}
    with pikepdf.open(path) as pdf:
        resources, used = _scan(pdf)
        seen = set()
        for resource in resources:
            for _, font in resource.get("/Font", {}).items():
                if font.objgen in seen:
                    continue
                seen.add(font.objgen)
                stream = font.DescendantFonts[0].FontDescriptor.FontFile3
                assert stream.get("/Subtype") == "/CIDFontType0C", font.BaseFont
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(bytes(stream.read_bytes())), None)
                charset = cff[cff.fontNames[0]].charset
                cids = {0 if name == ".notdef" else int(name[3:]) for name in charset}
                face = str(font.BaseFont).split("+", 1)[1]
                programs.setdefault(face, []).append((stream.objgen, cids, used.get(font.objgen, set())))
    return programs


@pytest.mark.parametrize("relpath", KINDS)
def test_each_program_holds_exactly_the_glyphs_its_file_shows(builds, relpath):
    programs = font_programs(builds[0] / relpath)
    assert programs
    for face, entries in programs.items():
        shown = set().union(*(used for _, _, used in entries))
        for _, cids, _ in entries:
            assert cids == shown | {0}, f"{relpath} {face}: {len(cids)} glyphs for {len(shown)} shown"


@pytest.mark.parametrize("relpath", MERGED)
def test_a_merged_pdf_holds_one_program_per_face(builds, relpath):
    for face, entries in font_programs(builds[0] / relpath).items():
        assert len({objgen for objgen, _, _ in entries}) == 1, f"{relpath}: {face} stored more than once"


def test_fonts_stay_embedded_and_outlines_and_destinations_survive(builds):
    lean, plain = builds
    listing = subprocess.run(["pdffonts", str(lean / "packs/fixture.pdf")], capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" and row[-3] == "yes" for row in rows), listing  # emb, uni
    with pikepdf.open(lean / "packs/fixture.pdf") as a, pikepdf.open(plain / "packs/fixture.pdf") as b:
        with a.open_outline() as outline_a, b.open_outline() as outline_b:
            assert [e.title for e in outline_a.root] == [e.title for e in outline_b.root]
    with pikepdf.open(plain / "quiz/basics-cards.pdf") as b, pikepdf.open(lean / "quiz/basics-cards.pdf") as a:
        def names(pdf):
            return sorted(str(n) for n in pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])[0::2])

        assert names(a) == names(b)


def test_print_ready_boxes_survive(tmp_path):
    lean = build_variant(tmp_path, "lean-print", True, print_ready=True)
    with pikepdf.open(lean / "print/posters/fake-loan.pdf") as pdf:
        page = pdf.pages[0]
        assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
        assert float(page.obj.TrimBox[2]) - float(page.obj.TrimBox[0]) == pytest.approx(595.28, abs=0.5)


def test_optimised_output_is_deterministic(fixture_project, tmp_path):
    assert build_project(fixture_project, only=("posters", "packs"), jobs=2).ok
    first = {p: p.read_bytes() for p in (fixture_project / "build").rglob("*.pdf")}
    assert build_project(fixture_project, only=("posters", "packs"), jobs=2, clean=True).ok
    assert {p: p.read_bytes() for p in (fixture_project / "build").rglob("*.pdf")} == first


def test_turning_optimisation_off_rebuilds_and_keeps_weasyprints_fonts(fixture_project):
    assert build_project(fixture_project, only=("posters",)).ok
    lean = (fixture_project / "build/posters/fake-loan.pdf").stat().st_size
    edit(fixture_project / "outreach.toml", "[lint]", "[pdf]\noptimise_fonts = false\n\n[lint]")
    result = build_project(fixture_project, only=("posters",))
    assert "posters/fake-loan" in result.built
    with pikepdf.open(fixture_project / "build/posters/fake-loan.pdf") as pdf:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        assert font.DescendantFonts[0].FontDescriptor.FontFile3.get("/Subtype") == "/OpenType"
    assert (fixture_project / "build/posters/fake-loan.pdf").stat().st_size > 3 * lean


def test_widths_read_from_the_pdf_syntax_are_those_pikepdf_reads():
    """Font finishing reads a /W array from its text (a station's pack repeats the pack's fonts);
    the same widths as walking the array, and a form it does not read (a reference) is walked."""
    from outreach.rendering.fontfinish import _parsed_widths, _walked_widths

    pdf = pikepdf.new()
    plain = pikepdf.Array([1, pikepdf.Array([500, 600.5]), 10, 12, 250, 1, pikepdf.Array([999])])
    expected = {1: 500.0, 2: 600.5, 10: 250.0, 11: 250.0, 12: 250.0}
    assert _walked_widths(plain) == expected
    assert _parsed_widths(bytes(plain.unparse())) == expected
    referenced = pikepdf.Array([1, pdf.make_indirect(pikepdf.Array([500, 600.5]))])
    assert b"R" in bytes(referenced.unparse()) and _walked_widths(referenced) == {1: 500.0, 2: 600.5}
    assert _parsed_widths(b"[ 1 [ 500 ") is None   # cut short: not the plain form


def test_leaving_the_other_tables_out_cuts_the_same_program():
    """Font finishing embeds only the CFF table, so it asks HarfBuzz for no other: the program
    is the one a whole-font subset holds."""
    import uharfbuzz as hb

    from outreach.rendering.fontfinish import _UNUSED_TABLES

    found = subprocess.run(["fc-match", "Noto Sans CJK SC", "--format", "%{file}\t%{index}"],
                           capture_output=True, text=True, check=True).stdout
    file, _, index = found.partition("\t")
    face = hb.Face(hb.Blob.from_file_path(file), int(index or 0))

    def program(drop: tuple[int, ...]) -> bytes:
        subset_input = hb.SubsetInput()
        for glyph in (0, 1200, 1201, 5000, 30000):
            subset_input.glyph_set.add(glyph)
        subset_input.flags = hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_LAYOUT_CLOSURE
        for table in drop:
            subset_input.drop_table_tag_set.add(table)
        subset = hb.subset(face, subset_input)
        assert bool(drop) != (subset.reference_table("GSUB").data != b"")   # the others are gone
        return bytes(subset.reference_table("CFF ").data)

    assert program(_UNUSED_TABLES) == program(())


def test_a_station_pack_is_finished_as_it_is_stitched(builds):
    """A station's copy is finished before it is first saved: every font program once, no empty
    stream marked compressed (qpdf writes a copied empty stream so), and its own pages (cover,
    back) keep only the resources they use, as the pack's body does."""
    lean, _ = builds
    with pikepdf.open(lean / "stations/test-east/fixture.pdf") as pdf:
        for stream in (o for o in pdf.objects if isinstance(o, pikepdf.Stream)):
            assert stream.read_raw_bytes() or "/Filter" not in stream.stream_dict, stream.objgen
        before = [sorted((str(k), sorted(str(n) for n in v.keys())) for k, v in page.Resources.items()
                         if isinstance(v, pikepdf.Dictionary)) for page in (pdf.pages[0], pdf.pages[-1])]
        pdf.remove_unreferenced_resources()
        after = [sorted((str(k), sorted(str(n) for n in v.keys())) for k, v in page.Resources.items()
                        if isinstance(v, pikepdf.Dictionary)) for page in (pdf.pages[0], pdf.pages[-1])]
        assert before == after
