"""Font finishing: every PDF the build writes carries each font face once, holding exactly the
glyphs that file uses.

WeasyPrint embeds each face subset "with retained glyph ids": the CJK face keeps all 65,535
glyph slots (metrics, charset, offsets) although a poster uses a few hundred, and every item
copied into a pack brings its own copy of each face. This step, per PDF:

1. reads which codes every font object actually shows (content streams and forms, parsed by
   pikepdf, not by hand);
2. groups the font objects by face and subsets that face once, to the union of the codes,
   with HarfBuzz (uharfbuzz) — from the installed font file when the file holds several
   copies of the face, else from the embedded program itself;
3. embeds the bare CFF as /FontFile3 /Subtype /CIDFontType0C. The codes in the content
   streams are the original glyph ids (Identity-H), which in CID-keyed CJK fonts are their
   CIDs; a CIDFontType0C program maps CID → glyph through its own charset, so no content
   stream, /W width or ToUnicode entry needs rewriting. The step checks that the charset
   really keeps those CIDs and leaves a face alone otherwise;
4. stores identical images once, and saves with compressed object streams.

Faces it cannot prove safe (TrueType outlines, name-keyed CFF, other encodings) are kept as
WeasyPrint wrote them. Unchanged input gives byte-identical output.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

import pikepdf

_TEXT_OPERATORS = {"Tj", "'", '"', "TJ"}


@dataclass
class _Face:
    """Every font object in the file that shows one face, and the codes shown with each."""

    fonts: list = field(default_factory=list)        # Type0 font dictionaries
    codes: set[int] = field(default_factory=set)
    widths: dict[int, float] | None = None            # read once (_recorded_widths)


def finish_pdf(data: bytes, settled: Collection[int] = ()) -> bytes:
    """The PDF with fonts subset per file and merged per face, images stored once."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return finish_document(pdf, settled)


def finish_document(pdf: pikepdf.Pdf, settled: Collection[int] = ()) -> bytes:
    """finish_pdf for a document already open (a station's copy of a pack, as it is stitched),
    saved. `settled`: 0-based pages already finished as they are (a pack's body): their
    resources are known to be all in use, and are not combed again for unused ones."""
    resources, used = _scan(pdf)
    faces = _faces(resources, used)
    replacements = {}
    for key, face in sorted(faces.items()):
        new_font = _finished_font(pdf, key, face)
        if new_font is not None:
            replacements.update({font.objgen: new_font for font in face.fonts})
    _repoint_fonts(resources, replacements)
    _share_identical_images(pdf, resources)
    buffer = io.BytesIO()
    if settled:
        for index, page in enumerate(pdf.pages):
            if index not in settled:
                page.remove_unreferenced_resources()
    else:
        pdf.remove_unreferenced_resources()
    # The identifier from this final content: qpdf would keep the first half of the one the
    # file came with, made from fonts subset for a whole batch (rendering/pdf.py write_many).
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


# --- which codes each font shows -----------------------------------------------------------------

def _scan(pdf: pikepdf.Pdf) -> tuple[list, dict[tuple, set[int]]]:
    """(every /Resources dictionary in use, codes shown per font object)."""
    used: dict[tuple, set[int]] = {}
    all_resources: list = []
    seen_forms: set[tuple] = set()

    def walk(stream_owner, resources) -> None:
        if resources is None:
            return
        all_resources.append(resources)
        fonts = resources.get("/Font", {})
        xobjects = resources.get("/XObject", {})
        shown, drawn = _stream_text(_content_bytes(stream_owner))
        for name, codes in shown.items():
            font = fonts.get(name)
            if isinstance(font, pikepdf.Dictionary):
                used.setdefault(font.objgen, set()).update(codes)
        for name in drawn:
            xobject = xobjects.get(name)
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form" \
                    and xobject.objgen not in seen_forms:
                seen_forms.add(xobject.objgen)
                walk(xobject, xobject.get("/Resources", resources))

    for page in pdf.pages:
        walk(page, page.obj.get("/Resources"))
    return all_resources, used


def _content_bytes(stream_owner) -> bytes:
    """A page's content (its streams joined, as a reader joins them) or a form's."""
    if isinstance(stream_owner, pikepdf.Page):
        contents = stream_owner.obj.get("/Contents")
        if contents is None:
            return b""
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        return b"\n".join(bytes(s.read_bytes()) for s in streams if isinstance(s, pikepdf.Stream))
    return bytes(stream_owner.read_bytes())


# Content streams read, by their bytes: a station's copy of a pack repeats the pack's pages, and
# a worker finishes hundreds of such copies (outputs/stations.py).
_STREAMS: dict[bytes, tuple[dict[str, set[int]], tuple[str, ...]]] = {}
_STREAMS_MAX = 256


def _stream_text(data: bytes) -> tuple[dict[str, set[int]], tuple[str, ...]]:
    """(codes shown with each font resource name, names of the XObjects drawn, in order) of one
    content stream; the font in use is saved and restored with the graphics state (q, Q)."""
    key = hashlib.sha256(data).digest()
    known = _STREAMS.pop(key, None)
    if known is not None:
        _STREAMS[key] = known   # most recently used last: a pack's pages stay while covers come and go
        return known
    shown: dict[str, set[int]] = {}
    drawn: list[str] = []
    stack: list = []
    current = None
    scratch = pikepdf.new()
    for instruction in pikepdf.parse_content_stream(scratch.make_stream(data), "Tf Tj ' \" TJ q Q Do"):
        operands, name = instruction.operands, str(instruction.operator)
        if name == "Tf" and operands:
            current = str(operands[0])
        elif name in _TEXT_OPERATORS and current is not None:
            codes = shown.setdefault(current, set())
            for operand in operands:
                for string in (operand if isinstance(operand, pikepdf.Array) else [operand]):
                    if isinstance(string, pikepdf.String):
                        raw = bytes(string)
                        codes.update(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw) - 1, 2))
        elif name == "q":
            stack.append(current)
        elif name == "Q" and stack:
            current = stack.pop()
        elif name == "Do" and operands:
            drawn.append(str(operands[0]))
    scratch.close()
    if len(_STREAMS) >= _STREAMS_MAX:
        _STREAMS.pop(next(iter(_STREAMS)))
    _STREAMS[key] = (shown, tuple(drawn))
    return shown, tuple(drawn)


def _faces(resources: list, used: dict[tuple, set[int]]) -> dict[str, _Face]:
    faces: dict[str, _Face] = {}
    seen: set[tuple] = set()
    for resource in resources:
        for _, font in resource.get("/Font", {}).items():
            if font.objgen in seen or not _is_cid_cff(font):
                continue
            seen.add(font.objgen)
            face = faces.setdefault(str(font.BaseFont).split("+", 1)[-1], _Face())
            face.fonts.append(font)
            face.codes |= used.get(font.objgen, set())
    return faces


def _is_cid_cff(font) -> bool:
    """A Type0 font with Identity-H codes over a CID-keyed CFF program (WeasyPrint's CJK fonts)."""
    try:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            return False
        cid_font = font.DescendantFonts[0]
        program = cid_font.FontDescriptor.get("/FontFile3")
        return cid_font.get("/Subtype") == "/CIDFontType0" and program is not None \
            and program.get("/Subtype") in ("/OpenType", "/CIDFontType0C")
    except (AttributeError, IndexError, KeyError, TypeError):
        return False


# --- one program per face ------------------------------------------------------------------------

def _finished_font(pdf: pikepdf.Pdf, key: str, face: _Face):
    """A new Type0 font for the face holding exactly its glyphs, or None to leave it alone."""
    import uharfbuzz as hb

    glyphs = sorted(face.codes | {0})
    source = _source_face(face, glyphs)
    if source is None:
        return None
    subset_input = hb.SubsetInput()
    for glyph in glyphs:
        subset_input.glyph_set.add(glyph)
    subset_input.flags = (hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_LAYOUT_CLOSURE
                          | hb.SubsetFlags.NOTDEF_OUTLINE)
    for table in _UNUSED_TABLES:   # only the CFF table is embedded: the others are not worth subsetting
        subset_input.drop_table_tag_set.add(table)
    subset = hb.subset(source, subset_input)
    if subset is None:
        return None
    cff = bytes(subset.reference_table("CFF ").data)
    if not cff or not _keeps_cids(cff, glyphs):
        return None

    first = face.fonts[0]
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(cff).digest()[:6])
    program = pikepdf.Stream(pdf, cff)
    program["/Subtype"] = pikepdf.Name("/CIDFontType0C")
    descriptor = pikepdf.Dictionary({k: v for k, v in first.DescendantFonts[0].FontDescriptor.items()
                                     if k not in ("/FontFile3", "/CIDSet")})
    descriptor["/FontFile3"] = program
    descriptor["/FontName"] = pikepdf.Name(f"/{tag}+{key}")
    cid_font = pikepdf.Dictionary({k: v for k, v in first.DescendantFonts[0].items() if k not in ("/W",)})
    cid_font["/FontDescriptor"] = pdf.make_indirect(descriptor)
    cid_font["/BaseFont"] = pikepdf.Name(f"/{tag}+{key}")
    cid_font["/W"] = _widths(face, set(glyphs))
    font = pikepdf.Dictionary({k: v for k, v in first.items() if k not in ("/ToUnicode",)})
    font["/BaseFont"] = pikepdf.Name(f"/{tag}+{key}")
    font["/DescendantFonts"] = pikepdf.Array([pdf.make_indirect(cid_font)])
    font["/ToUnicode"] = pikepdf.Stream(pdf, _to_unicode(face, face.codes))
    return pdf.make_indirect(font)


_UNUSED_TABLES = tuple(int.from_bytes(tag.encode("ascii"), "big") for tag in (
    "BASE", "GDEF", "GPOS", "GSUB", "OS/2", "VORG", "cmap", "head", "hhea", "hmtx", "maxp", "name", "post",
    "vhea", "vmtx", "DSIG", "JSTF", "MATH", "kern", "meta", "STAT", "gasp"))

def _source_face(face: _Face, glyphs: list[int]):
    """The HarfBuzz face to subset from: the embedded program when the file holds one copy of
    the face (as WeasyPrint wrote it); else the installed font file the copies were cut from,
    recognised by its CFF font name and checked against the widths the copies record, so the
    union of their glyphs is available."""
    programs = [p for p in (_program(font) for font in face.fonts) if p is not None]
    if len(programs) != len(face.fonts):
        return None
    if len(set(programs)) == 1 and not programs[0].bare:
        return _embedded_face(programs[0])
    if len(programs) == 1 and programs[0].bare:
        return None  # already finished
    names = {p.cff_name for p in programs}
    if len(names) != 1 or None in names:
        return None
    family = str(face.fonts[0].DescendantFonts[0].FontDescriptor.get("/FontFamily", ""))
    widths = _recorded_widths(face)
    probes = sorted(c for c in face.codes if c in widths)[:8]
    for candidate, cff_name, scale in _installed_faces(family):
        if cff_name in names and all(abs(_advance(candidate, c) * scale - widths[c]) < 0.5 for c in probes):
            return candidate
    return None


@dataclass(frozen=True)
class _Program:
    data: bytes          # the decompressed font file
    bare: bool           # a bare CFF (already finished) rather than an OpenType wrapper
    cff_name: str | None


# A batch's files share its programs (WeasyPrint's, ~0.8 MB each for a CJK face with every glyph
# slot): a few batches' worth. 64 kept ~50 MB per worker once a station build had made 32 batches.
@lru_cache(maxsize=16)
def _program_from_bytes(data: bytes, bare: bool) -> _Program:
    cff = data if bare else _opentype_cff(data)
    return _Program(data, bare, _cff_font_name(cff) if cff else None)


def _program(font) -> _Program | None:
    try:
        stream = font.DescendantFonts[0].FontDescriptor.FontFile3
        # Known by its stored bytes: every station's copy of a pack carries the pack's programs,
        # and inflating each again (up to 0.8 MB) cost more than comparing the compressed bytes.
        return _program_from_stream(bytes(stream.read_raw_bytes()), repr(stream.get("/Filter")),
                                    repr(stream.get("/DecodeParms")) + repr(stream.get("/Subtype")), stream)
    except (pikepdf.PdfError, AttributeError):
        return None


# The same few programs as _program_from_bytes keeps (each holds its inflated bytes).
_by_stored: OrderedDict[tuple[bytes, str, str], _Program] = OrderedDict()


def _program_from_stream(raw: bytes, filters: str, parameters: str, stream) -> _Program:
    """The program of a stream stored as `raw`, encoded with `filters` and `parameters`."""
    key = (raw, filters, parameters)
    found = _by_stored.get(key)
    if found is None:
        found = _program_from_bytes(bytes(stream.read_bytes()), stream.get("/Subtype") == "/CIDFontType0C")
        _by_stored[key] = found
        while len(_by_stored) > 16:
            _by_stored.popitem(last=False)
    else:
        _by_stored.move_to_end(key)
    return found


def _embedded_face(program: _Program):
    import uharfbuzz as hb

    return hb.Face(hb.Blob(program.data))


def _opentype_cff(data: bytes) -> bytes | None:
    import uharfbuzz as hb

    table = hb.Face(hb.Blob(data)).reference_table("CFF ").data
    return bytes(table) if table else None


def _cff_font_name(cff: bytes) -> str | None:
    """The first name of a CFF's Name INDEX (read from the header, without parsing the font)."""
    try:
        position = cff[2]                                   # header size
        count = int.from_bytes(cff[position:position + 2], "big")
        if count < 1:
            return None
        size = cff[position + 2]
        offsets = position + 3
        start = int.from_bytes(cff[offsets:offsets + size], "big")
        end = int.from_bytes(cff[offsets + size:offsets + 2 * size], "big")
        data = offsets + (count + 1) * size - 1
        return cff[data + start:data + end].decode("latin-1")
    except (IndexError, ValueError):
        return None


def _recorded_widths(face: _Face) -> dict[int, float]:
    """Each code's width as the face's fonts record it (the first font that has it wins)."""
    if face.widths is None:
        widths: dict[int, float] = {}
        for font in reversed(face.fonts):
            array = font.DescendantFonts[0].get("/W")
            if array is None:
                continue
            text = bytes(array.unparse())
            # WeasyPrint writes plain numbers; anything else (a reference "5 0 R") is read through pikepdf.
            parsed = _parsed_widths(text) if b"R" not in text else None
            widths.update(parsed if parsed is not None else _walked_widths(array))
        face.widths = widths
    return face.widths


def _walked_widths(entries) -> dict[int, float]:
    widths: dict[int, float] = {}
    index = 0
    while index + 1 < len(entries):
        start = int(entries[index])
        follow = entries[index + 1]
        if isinstance(follow, pikepdf.Array):
            for offset, width in enumerate(follow):
                widths.setdefault(start + offset, float(width))
            index += 2
        else:
            for cid in range(start, int(follow) + 1):
                widths.setdefault(cid, float(entries[index + 2]))
            index += 3
    return widths


_W_TOKEN = re.compile(rb"\[|\]|[-+]?(?:\d+\.?\d*|\.\d+)")


@lru_cache(maxsize=64)
def _parsed_widths(text: bytes) -> dict[int, float] | None:
    """A /W array's widths by code, from its PDF syntax (None if it is not the plain form): read
    element by element through pikepdf it took milliseconds per font, and a station's copy of a
    pack repeats the pack's fonts."""
    widths: dict[int, float] = {}
    tokens = _W_TOKEN.findall(text)[1:-1]   # inside the outer brackets
    index = 0
    try:
        while index + 1 < len(tokens):
            start = int(float(tokens[index]))
            if tokens[index + 1] == b"[":
                index += 2
                offset = 0
                while tokens[index] != b"]":
                    widths.setdefault(start + offset, float(tokens[index]))
                    offset += 1
                    index += 1
                index += 1
            else:
                width = float(tokens[index + 2])
                for cid in range(start, int(float(tokens[index + 1])) + 1):
                    widths.setdefault(cid, width)
                index += 3
    except (IndexError, ValueError):
        return None
    return widths


def _advance(face, glyph: int) -> int:
    import uharfbuzz as hb

    return hb.Font(face).get_glyph_h_advance(glyph)


@lru_cache(maxsize=32)
def _installed_faces(family: str) -> tuple:
    """(HarfBuzz face, CFF font name, width scale to 1/1000 em) of the installed font files
    fontconfig lists for `family`, CFF-based ones only (cached per process)."""
    import shutil
    import subprocess

    import uharfbuzz as hb

    if not family or not shutil.which("fc-list"):
        return ()
    listing = subprocess.run(["fc-list", family, "--format", "%{file}\t%{index}\n"],
                             capture_output=True, text=True, timeout=30).stdout
    faces = []
    for line in sorted(set(listing.splitlines())):
        path, _, index = line.partition("\t")
        try:
            face = hb.Face(_blob(path), int(index or 0))
        except (OSError, ValueError):
            continue
        table = face.reference_table("CFF ").data
        if table:
            faces.append((face, _cff_font_name(bytes(table[:4096])), 1000 / face.upem))
    return tuple(faces)


@lru_cache(maxsize=16)
def _blob(path: str):
    import uharfbuzz as hb

    return hb.Blob.from_file_path(path)


def _keeps_cids(cff: bytes, glyphs: list[int]) -> bool:
    """The subset's charset names glyph i by the CID the content streams use for it."""
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    try:
        fonts.decompile(io.BytesIO(cff), None)
        top = fonts[fonts.fontNames[0]]
        if not hasattr(top, "ROS"):
            return False
        charset = top.charset
    except Exception:
        return False
    expected = [".notdef"] + [f"cid{g:05d}" for g in glyphs if g]
    return list(charset) == expected


# --- widths and text mapping, merged over the copies ----------------------------------------------

def _widths(face: _Face, keep: set[int]) -> pikepdf.Array:
    widths = _recorded_widths(face)
    array: list = []
    for cid in sorted(c for c in widths if c in keep):
        width = widths[cid]
        value = int(width) if width == int(width) else width
        if array and isinstance(array[-1], list) and array[-2] + len(array[-1]) == cid:
            array[-1].append(value)
        else:
            array += [cid, [value]]
    return pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item for item in array])


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _to_unicode(face: _Face, keep: set[int]) -> bytes:
    mapping: dict[int, str] = {}
    for font in reversed(face.fonts):   # the first font that maps a code wins
        stream = font.get("/ToUnicode")
        if stream is not None:
            mapping.update(_cmap(bytes(stream.read_bytes())))
    entries = [(code, mapping[code]) for code in sorted(mapping) if code in keep]
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode() for code, text in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"


@lru_cache(maxsize=64)
def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's text by code (the first entry for a code wins); a station's copy of a
    pack repeats the pack's CMaps."""
    mapping: dict[int, str] = {}
    for code, text in _parse_cmap(data):
        mapping.setdefault(code, text)
    return mapping


def _parse_cmap(data: bytes):
    for block in _BFCHAR.findall(data):
        values = _HEX.findall(block)
        for code, text in zip(values[0::2], values[1::2], strict=False):
            yield int(code, 16), _utf16(text)
    for block in _BFRANGE.findall(data):
        for line in block.splitlines():
            values = _HEX.findall(line)
            if len(values) == 3 and b"[" not in line:
                low, high, first = int(values[0], 16), int(values[1], 16), _utf16(values[2])
                for offset in range(high - low + 1):
                    yield low + offset, first[:-1] + chr(ord(first[-1]) + offset) if first else ""
            elif len(values) >= 3 and b"[" in line:
                low = int(values[0], 16)
                for offset, text in enumerate(values[2:]):
                    yield low + offset, _utf16(text)


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


# --- pointing the pages at the new objects -------------------------------------------------------

def _repoint_fonts(resources: list, replacements: dict) -> None:
    for resource in resources:
        fonts = resource.get("/Font")
        if fonts is None:
            continue
        for name, font in list(fonts.items()):
            if font.objgen in replacements:
                fonts[name] = replacements[font.objgen]


def _share_identical_images(pdf: pikepdf.Pdf, resources: list) -> None:
    first: dict[str, pikepdf.Object] = {}
    for resource in resources:
        xobjects = resource.get("/XObject")
        if xobjects is None:
            continue
        for name, xobject in list(xobjects.items()):
            if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != "/Image":
                continue
            digest = hashlib.sha256(bytes(xobject.read_raw_bytes()) + repr(sorted(
                (str(k), str(v)) for k, v in xobject.stream_dict.items() if k != "/Length")).encode()).hexdigest()
            keep = first.setdefault(digest, xobject)
            if keep.objgen != xobject.objgen:
                xobjects[name] = keep


__all__ = ["finish_pdf"]
