"""Assembling print packs from finished PDFs (pikepdf), and deterministic zips."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pikepdf

from outreach.rendering.units import PT_PER_MM

PAPER_SIZES = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148)}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
BACK_COVER_TITLE = "封底"


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
    facts = pdf_facts(pdf)
    return facts.paper, facts.pages


@dataclass(frozen=True)
class PdfFacts:
    """What a print shop needs to know about a finished PDF, read from the file itself."""

    pages: int
    trim_mm: tuple[float, float]     # the trimmed page (TrimBox, else MediaBox)
    bleed_mm: float                  # artwork beyond the trim on each side (0: none)
    pieces: tuple[tuple[float, float], ...]   # the pieces cut from one page (print masters; w, h mm)

    @property
    def paper(self) -> str:
        return paper_name(*self.trim_mm)


def pdf_facts(pdf: bytes) -> PdfFacts:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        trim = _box(page, "/TrimBox")
        bleed = _box(page, "/BleedBox") if "/TrimBox" in page.obj else trim
        pieces: tuple = ()
        cuts = _recorded_cuts(page)
        if isinstance(cuts, pikepdf.Array):
            pieces = tuple((float(c[2]), float(c[3])) for c in cuts)
        return PdfFacts(len(document.pages), ((trim[2] - trim[0]) / PT_PER_MM, (trim[3] - trim[1]) / PT_PER_MM),
                        round((trim[0] - bleed[0]) / PT_PER_MM, 1), pieces)


def _recorded_cuts(page: pikepdf.Page):
    """The cut boxes a print master recorded on the page (/PieceInfo /Outreach), or None."""
    node: Any = page.obj
    for key in ("/PieceInfo", "/Outreach", "/Private", "/Cuts"):
        if not isinstance(node, pikepdf.Dictionary) or key not in node:
            return None
        node = node[key]
    return node


def paper_name(width: float, height: float) -> str:
    """"A4", "A4（横向）", or the size in millimetres."""
    for name, (w, h) in PAPER_SIZES.items():
        if (abs(width - w) < 2 and abs(height - h) < 2) or (abs(width - h) < 2 and abs(height - w) < 2):
            return name + ("（横向）" if width > height else "")
    return f"{width:.0f}×{height:.0f} 毫米"


@dataclass(frozen=True)
class PackLayout:
    """Where everything of a pack goes (pages numbered from 1): the front matter from page 1,
    each section from an odd page, and the back cover on the last page, an even one, so it is
    the back of the last sheet when the pack is printed on both sides."""

    starts: list[int]     # first page of each section
    blanks: list[int]     # pages left blank on purpose (a blank verso, the page before the back cover)
    total: int            # pages in all, the back cover included

    @property
    def back(self) -> int:
        return self.total


def layout(front_pages: int, sections: list[int]) -> PackLayout:
    """Every section starts on an odd page (a blank verso after an odd run of pages); the back
    cover takes the last section's blank verso, or follows a blank page of its own."""
    blanks: list[int] = []
    starts: list[int] = []
    cursor = front_pages + 1          # the next free page
    for pages in sections:
        if cursor % 2 == 0:           # the run before ended on an odd page: a blank verso
            blanks.append(cursor)
            cursor += 1
        starts.append(cursor)
        cursor += pages
    if cursor % 2 == 1:               # the back cover must land on an even page
        blanks.append(cursor)
        cursor += 1
    return PackLayout(starts, blanks, cursor)


def assemble(front: bytes, sections: list[Section], back: bytes, stamps: bytes | None, outline_front: str,
             blanks: bytes | None = None, uniform: bool = False) -> bytes:
    """Front matter, then each section from an odd page (blank versos between), the back cover
    on the last (even) page as `layout` places it, stamps (page numbers) overlaid page by page,
    and an outline: one entry per item, its parts below, and the back cover.

    Every page keeps one size: a blank page is a page of `blanks`, in order (a print master's
    blank pages, with marks and slug), else an empty page with the boxes of the first page.
    `uniform` (print masters from several files): every page is moved so its trim sits where
    the first page's does, in one MediaBox wide enough for every page's marks and slug."""
    output = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(front))] + [pikepdf.open(io.BytesIO(s.pdf)) for s in sections]
    back_pdf = pikepdf.open(io.BytesIO(back))
    spare = pikepdf.open(io.BytesIO(blanks)) if blanks is not None else None
    try:
        first = sources[0]
        reference = first.pages[0]
        used = 0

        def add_blank() -> None:
            nonlocal used
            if spare is not None:
                output.pages.append(spare.pages[used])
                used += 1
                return
            page = output.add_blank_page(page_size=(float(reference.mediabox[2]), float(reference.mediabox[3])))
            for key in ("/MediaBox", "/TrimBox", "/BleedBox"):
                if key in reference.obj:
                    page.obj[key] = pikepdf.Array([float(v) for v in reference.obj[key]])

        for page in first.pages:
            output.pages.append(page)
        starts = []
        for source in sources[1:]:
            if len(output.pages) % 2:
                add_blank()
            starts.append(len(output.pages))
            for page in source.pages:
                output.pages.append(page)
        # The back cover on an even page: straight after an odd run, else after a blank page.
        if len(output.pages) % 2 == 0:
            add_blank()
        output.pages.append(back_pdf.pages[0])
        if stamps is not None:
            with pikepdf.open(io.BytesIO(stamps)) as stamp:
                for index, page in enumerate(output.pages):
                    if index < len(stamp.pages):
                        _overlay(output, page, stamp.pages[index], index)
        with output.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem(outline_front, 0))
            current = None
            for section, start in zip(sections, starts, strict=True):
                if current is None or current[0] != section.item:
                    entry = pikepdf.OutlineItem(section.item_title, start)
                    outline.root.append(entry)
                    current = (section.item, entry)
                if section.title != section.item_title:
                    current[1].children.append(pikepdf.OutlineItem(section.title, start))
            outline.root.append(pikepdf.OutlineItem(BACK_COVER_TITLE, len(output.pages) - 1))
        if uniform:
            uniform_boxes(output)
        output.docinfo["/Creator"] = "outreach"
        share_identical_fonts(output)
        buffer = io.BytesIO()
        output.save(buffer, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
        back_pdf.close()
        if spare is not None:
            spare.close()
        output.close()


def _box(page: pikepdf.Page, key: str) -> list[float]:
    return [float(v) for v in page.obj.get(key, page.obj.get("/MediaBox", page.mediabox))]


def uniform_boxes(pdf: pikepdf.Pdf) -> None:
    """Give every page the same MediaBox, TrimBox and BleedBox: each page's content moves so its
    trim lands at one place, and the MediaBox holds the widest margins (marks, slug) of any page.
    Pages must share the trimmed size and bleed (print masters of one kind of page)."""
    if not len(pdf.pages):
        return
    margins = [0.0, 0.0, 0.0, 0.0]   # left, bottom, right, top: media beyond the trim
    for page in pdf.pages:
        media, trim = _box(page, "/MediaBox"), _box(page, "/TrimBox")
        found = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
        margins = [max(a, b) for a, b in zip(margins, found, strict=True)]
    first_trim, first_bleed = _box(pdf.pages[0], "/TrimBox"), _box(pdf.pages[0], "/BleedBox")
    width, height = first_trim[2] - first_trim[0], first_trim[3] - first_trim[1]
    edges = [first_trim[i] - first_bleed[i] if i < 2 else first_bleed[i] - first_trim[i] for i in range(4)]
    left, bottom = margins[0], margins[1]
    trim = [left, bottom, left + width, bottom + height]
    for page in pdf.pages:
        own = _box(page, "/TrimBox")
        dx, dy = left - own[0], bottom - own[1]
        if abs(dx) > 0.001 or abs(dy) > 0.001:
            page.contents_add(pdf.make_stream(b"q 1 0 0 1 %.4f %.4f cm\n" % (dx, dy)), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ\n"), prepend=False)
        page.obj.MediaBox = pikepdf.Array([0, 0, round(left + width + margins[2], 4), round(bottom + height + margins[3], 4)])
        page.obj.TrimBox = pikepdf.Array([round(v, 4) for v in trim])
        page.obj.BleedBox = pikepdf.Array([round(trim[0] - edges[0], 4), round(trim[1] - edges[1], 4),
                                           round(trim[2] + edges[2], 4), round(trim[3] + edges[3], 4)])
        for key in ("/CropBox", "/ArtBox"):
            if key in page.obj:
                del page.obj[key]


def _overlay(output: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page, index: int) -> None:
    """Draw `stamp` over `page` under a name fixed by the page number: pages copied from one
    file may share a resource dictionary, so one name for all would stamp them all alike. The
    stamp's trimmed page goes onto the page's (a print master's page is larger than its trim)."""
    overlay(output, page, stamp, pikepdf.Name(f"/OutreachStamp{index + 1}"), _box(page, "/TrimBox"))


def overlay(output: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page, name: pikepdf.Name, box,
            bleed: bool = False) -> None:
    """Draw `stamp` (a page of another file) over `page`, fitted to `box`, as the form XObject
    `name`: pikepdf's add_overlay picks a random name, and every rebuild would differ. The form
    holds the stamp's trimmed page, or with `bleed` its whole page (MediaBox)."""
    form = stamp.as_form_xobject()
    if bleed:
        form.BBox = stamp.mediabox
    form = output.copy_foreign(form)
    page.add_resource(form, pikepdf.Name.XObject, name)
    drawing = page.calc_form_xobject_placement(form, name, pikepdf.Rectangle(*box))
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


def personalise(generic: pikepdf.Pdf, cover: bytes, back: bytes, uniform: bool = False, finish: bool = False) -> bytes:
    """A station's copy of a pack: its own cover instead of page 1 and its own back cover
    instead of the last page, the shared body between as is (never re-rendered, numbers and
    all). `uniform`: print masters, every page given the same boxes (see uniform_boxes).
    `finish`: its fonts finished before it is first saved (fontfinish.finish_document), the
    body's pages known to be finished already, as the pack's file they come from was."""
    output = pikepdf.new()
    with pikepdf.open(io.BytesIO(cover)) as cover_pdf, pikepdf.open(io.BytesIO(back)) as back_pdf:
        output.pages.append(cover_pdf.pages[0])
        for page in generic.pages[1:-1]:
            output.pages.append(page)
        output.pages.append(back_pdf.pages[0])
        # The generic outline points into the generic file: rebuild it by page index.
        index = {page.objgen: i for i, page in enumerate(generic.pages)}
        with generic.open_outline() as source, output.open_outline() as outline:
            for entry in source.root:
                item = pikepdf.OutlineItem(entry.title, _page_index(entry, index))
                for child in entry.children:
                    item.children.append(pikepdf.OutlineItem(child.title, _page_index(child, index)))
                outline.root.append(item)
        if uniform:
            uniform_boxes(output)
        output.docinfo["/Creator"] = "outreach"
        if finish:
            from outreach.rendering.fontfinish import finish_document

            _drop_empty_contents(output)
            data = finish_document(output, settled=range(1, len(output.pages) - 1))
        else:
            buffer = io.BytesIO()
            output.save(buffer, deterministic_id=True, compress_streams=True,
                        object_stream_mode=pikepdf.ObjectStreamMode.generate)
            data = buffer.getvalue()
    output.close()
    return data


def _drop_empty_contents(pdf: pikepdf.Pdf) -> None:
    """Leave out the empty content streams of pages copied from another file (a blank verso's):
    saved straight from the copy, qpdf writes each as zero bytes marked Flate-compressed, which
    is not a valid Flate stream."""
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array) and any(not s.read_raw_bytes() for s in contents):
            page.obj.Contents = pikepdf.Array([s for s in contents if s.read_raw_bytes()])


def _page_index(entry, index: dict) -> int:
    destination = entry.destination
    try:
        return index.get(destination[0].objgen, 0)
    except (TypeError, IndexError, AttributeError):
        return 0


# Formats compressed inside already: deflating a station's pack again took 5 ms of its ~0.2 s
# and saved 9 % of its size (bench/stations.py), so they are stored as they are.
STORED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".pptx", ".zip")


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the names and contents: sorted, fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            stored = name.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def impose(card: bytes, fronts, backs, page_size_mm: tuple[float, float],
           marks: list[tuple[float, float, float, float]], bleed_mm: float = 0.0) -> bytes:
    """N-up duplex sheet from one laid-out card: page 1 of `card` is the front, page 2 the
    back. Each side is placed as a form XObject at every box (mm from the top-left), with
    cut marks, and a named destination "front-k"/"back-k" at each card's top-left corner.
    The card is laid out once however many copies the sheet holds.

    With `bleed_mm` (a print master) the card was laid out with that much bleed: each copy is
    placed with its bleed around its box, and the sheet gets the same bleed around its trim
    (MediaBox = BleedBox, TrimBox = the sheet) like every page WeasyPrint lays out with bleed."""
    width, height = (v * PT_PER_MM for v in page_size_mm)
    edge = bleed_mm * PT_PER_MM
    output = pikepdf.new()
    destinations = []
    with pikepdf.open(io.BytesIO(card)) as source:
        for side, (label, boxes) in enumerate((("front", fronts), ("back", backs))):
            page = output.add_blank_page(page_size=(width, height))
            if edge:
                page.obj.MediaBox = page.obj.BleedBox = pikepdf.Array([-edge, -edge, width + edge, height + edge])
                page.obj.TrimBox = pikepdf.Array([0, 0, width, height])
            name = pikepdf.Name(f"/Card{side + 1}")
            form = output.copy_foreign(source.pages[side].as_form_xobject())
            if edge:   # the form shows the card's bleed too, not only its trimmed size
                form.BBox = _bleed_box(source.pages[side])
            page.add_resource(form, pikepdf.Name.XObject, name)
            drawing = b""
            for index, box in enumerate(boxes, start=1):
                left, top = box.x * PT_PER_MM, height - box.y * PT_PER_MM
                rect = pikepdf.Rectangle(left - edge, top - box.h * PT_PER_MM - edge, left + box.w * PT_PER_MM + edge,
                                         top + edge)
                drawing += page.calc_form_xobject_placement(form, name, rect) + b"\n"
                destinations.append((f"{label}-{index}", page, left, top))
            if marks:
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


def _bleed_box(page: pikepdf.Page) -> pikepdf.Array:
    return pikepdf.Array([float(v) for v in page.obj.get("/BleedBox", page.mediabox)])
