"""Assembling print packs from finished PDFs (pikepdf), and deterministic zips."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any
from dataclasses import dataclass

import pikepdf
from outreach.render.units import PT_PER_MM

PAPER_SIZES = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148)}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Section:
    """A run of pages in the pack: one part of one item."""

    title: str
    pdf: bytes
    item: int          # index of the pack item it belongs to (for the outline)
    item_title: str


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def paper_size(pdf: bytes) -> tuple[str, int]:
    """("A4", pages) from the first page's TrimBox (or MediaBox); other sizes in millimetres."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        box = page.obj.get("/TrimBox", page.mediabox)
        width = abs(float(box[2]) - float(box[0])) / PT_PER_MM
        height = abs(float(box[3]) - float(box[1])) / PT_PER_MM
        pages = len(document.pages)
    for name, (w, h) in PAPER_SIZES.items():
        if (abs(width - w) < 2 and abs(height - h) < 2) or (abs(width - h) < 2 and abs(height - w) < 2):
            return name + ("（横向）" if width > height else ""), pages
    return f"{width:.0f}×{height:.0f} 毫米", pages


def layout(front_pages: int, sections: list[int]) -> tuple[int, list[int], int]:
    """Start pages (1-based) so every section starts on an odd page; returns
    (blank pages after the front matter, start page of each section, total pages)."""
    pad = front_pages % 2
    cursor = front_pages + pad + 1
    starts = []
    for pages in sections:
        starts.append(cursor)
        cursor += pages + pages % 2
    return pad, starts, cursor - 1


def assemble(front: bytes, sections: list[Section], stamps: bytes | None, outline_front: str) -> bytes:
    """Front matter, then each section from an odd page (blank versos between), stamps
    (page numbers) overlaid page by page, and an outline: one entry per item, its parts below."""
    output = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(front))] + [pikepdf.open(io.BytesIO(s.pdf)) for s in sections]
    try:
        first = sources[0]
        width, height = (float(v) for v in first.pages[0].mediabox[2:4])

        def add_blank() -> None:
            output.add_blank_page(page_size=(width, height))

        for page in first.pages:
            output.pages.append(page)
        if len(output.pages) % 2:
            add_blank()
        starts = []
        for source in sources[1:]:
            starts.append(len(output.pages))
            for page in source.pages:
                output.pages.append(page)
            if len(output.pages) % 2:
                add_blank()
        if stamps is not None:
            with pikepdf.open(io.BytesIO(stamps)) as stamp:
                for index, page in enumerate(output.pages):
                    if index < len(stamp.pages):
                        _overlay(output, page, stamp.pages[index], index)
        with output.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem(outline_front, 0))
            current = None
            for section, start in zip(sections, starts):
                if current is None or current[0] != section.item:
                    entry = pikepdf.OutlineItem(section.item_title, start)
                    outline.root.append(entry)
                    current = (section.item, entry)
                if section.title != section.item_title:
                    current[1].children.append(pikepdf.OutlineItem(section.title, start))
        output.docinfo["/Creator"] = "outreach"
        share_identical_fonts(output)
        buffer = io.BytesIO()
        output.save(buffer, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
        output.close()


def _overlay(output: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page, index: int) -> None:
    """Draw `stamp` over `page` under a name fixed by the page number: pikepdf's add_overlay
    picks a random one (every rebuild would differ), and pages copied from one file may
    share a resource dictionary, so one name for all would stamp them all alike."""
    name = pikepdf.Name(f"/OutreachStamp{index + 1}")
    form = output.copy_foreign(stamp.as_form_xobject())
    page.add_resource(form, pikepdf.Name.XObject, name)
    box = page.mediabox
    drawing = page.calc_form_xobject_placement(form, name, pikepdf.Rectangle(*[float(v) for v in box]))
    # The page's own content may leave a transformation in force (WeasyPrint's pages start
    # with a flip, `1 0 0 -1 0 h cm`, and never restore it): enclose it in q … Q so the stamp
    # is drawn in the page's default coordinates, upright.
    page.contents_add(output.make_stream(b"q\n"), prepend=True)
    page.contents_add(output.make_stream(b"\nQ\nq\n" + drawing + b"\nQ\n"), prepend=False)


def share_identical_fonts(pdf: pikepdf.Pdf) -> int:
    """Point every copy of an identical embedded font file at one stream.

    Items written in one batch carry byte-identical font subsets; stitched together they
    would be stored once per item. Returns how many copies were dropped.
    """
    first: dict[str, pikepdf.Object] = {}
    dropped = 0
    for descriptor in _font_descriptors(pdf):
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            stream = descriptor.get(key)
            if stream is None:
                continue
            digest = hashlib.sha256(bytes(stream.read_raw_bytes()) + repr(sorted(
                (str(k), str(v)) for k, v in stream.stream_dict.items() if k != "/Length")).encode()).hexdigest()
            if digest in first and first[digest].objgen != stream.objgen:
                descriptor[key] = first[digest]
                dropped += 1
            else:
                first.setdefault(digest, stream)
    return dropped


def _font_descriptors(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        fonts: Any = page.obj.get("/Resources", {}).get("/Font", {})  # type: ignore[call-overload]
        for _, font in fonts.items():
            for candidate in [font, *font.get("/DescendantFonts", [])]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is not None:
                    yield descriptor


def personalise(generic: pikepdf.Pdf, cover: bytes, back: bytes, blank_note: bytes) -> bytes:
    """A station's copy of a pack: its own cover instead of page 1, the shared body as is
    (never re-rendered), then its back page as the last page of an even page count (after
    `blank_note`, a page saying it is left blank on purpose, when one is needed)."""
    output = pikepdf.new()
    with pikepdf.open(io.BytesIO(cover)) as cover_pdf, pikepdf.open(io.BytesIO(back)) as back_pdf, \
            pikepdf.open(io.BytesIO(blank_note)) as note_pdf:
        output.pages.append(cover_pdf.pages[0])
        for page in generic.pages[1:]:
            output.pages.append(page)
        if (len(output.pages) + len(back_pdf.pages)) % 2:
            output.pages.append(note_pdf.pages[0])
        for page in back_pdf.pages:
            output.pages.append(page)
        # The generic outline points into the generic file: rebuild it by page index.
        index = {page.objgen: i for i, page in enumerate(generic.pages)}
        with generic.open_outline() as source, output.open_outline() as outline:
            for entry in source.root:
                item = pikepdf.OutlineItem(entry.title, _page_index(entry, index))
                for child in entry.children:
                    item.children.append(pikepdf.OutlineItem(child.title, _page_index(child, index)))
                outline.root.append(item)
        output.docinfo["/Creator"] = "outreach"
        buffer = io.BytesIO()
        output.save(buffer, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
    output.close()
    return buffer.getvalue()


def _page_index(entry, index: dict) -> int:
    destination = entry.destination
    try:
        return index.get(destination[0].objgen, 0)
    except (TypeError, IndexError, AttributeError):
        return 0


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the names and contents: sorted, fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def impose(card: bytes, fronts, backs, page_size_mm: tuple[float, float],
           marks: list[tuple[float, float, float, float]]) -> bytes:
    """N-up duplex sheet from one laid-out card: page 1 of `card` is the front, page 2 the
    back. Each side is placed as a form XObject at every box (mm from the top-left), with
    cut marks, and a named destination "front-k"/"back-k" at each card's top-left corner.
    The card is laid out once however many copies the sheet holds."""
    width, height = (v * PT_PER_MM for v in page_size_mm)
    output = pikepdf.new()
    destinations = []
    with pikepdf.open(io.BytesIO(card)) as source:
        for side, (label, boxes) in enumerate((("front", fronts), ("back", backs))):
            page = output.add_blank_page(page_size=(width, height))
            name = pikepdf.Name(f"/Card{side + 1}")
            form = output.copy_foreign(source.pages[side].as_form_xobject())
            page.add_resource(form, pikepdf.Name.XObject, name)
            drawing = b""
            for index, box in enumerate(boxes, start=1):
                left, top = box.x * PT_PER_MM, height - box.y * PT_PER_MM
                rect = pikepdf.Rectangle(left, top - box.h * PT_PER_MM, left + box.w * PT_PER_MM, top)
                drawing += page.calc_form_xobject_placement(form, name, rect) + b"\n"
                destinations.append((f"{label}-{index}", page, left, top))
            strokes = "".join(f"{x1 * PT_PER_MM:.3f} {height - y1 * PT_PER_MM:.3f} m "
                              f"{x2 * PT_PER_MM:.3f} {height - y2 * PT_PER_MM:.3f} l S\n" for x1, y1, x2, y2 in marks)
            drawing += f"q 0 G {0.2 * PT_PER_MM:.3f} w\n{strokes}Q\n".encode()
            page.contents_add(output.make_stream(drawing), prepend=False)
    names: list = []
    for destination, page, left, top in sorted(destinations, key=lambda d: d[0]):
        names += [pikepdf.String(destination), pikepdf.Array([page.obj, pikepdf.Name.XYZ, left, top, 0])]
    output.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(names)))
    output.docinfo["/Creator"] = "outreach"
    buffer = io.BytesIO()
    output.save(buffer, deterministic_id=True, compress_streams=True)
    output.close()
    return buffer.getvalue()
