"""The file's frame: PDF/X identification, OutputIntent, boxes on every page, fonts, annotations."""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Dictionary, Name

from outreach.project.iccprofile import icc_header_problem
from outreach.rendering.preflight.geometry import PageBoxes, size_mm
from outreach.rendering.preflight.problems import ERROR, WARNING, Measures, Problem
from outreach.rendering.units import PT_PER_MM

MIN_BLEED_MM = 2.9   # 3 mm asked; a tenth of a millimetre for rounding


def check_identification(pdf: pikepdf.Pdf, problems: list[Problem], measures: Measures) -> None:
    version = _xmp_value(pdf, "GTS_PDFXVersion")
    if not version:
        problems.append(Problem("pdfx-missing", ERROR, "文件没有 PDF/X 标识（XMP 元数据里没有 pdfxid:GTS_PDFXVersion），"
                                "印刷厂会当作普通 PDF 退回。请用 outreach build --print-ready 生成印刷版"))
    elif not version.startswith("PDF/X-4"):
        problems.append(Problem("pdfx-version", WARNING, f"文件标为 {version}，不是 PDF/X-4"))
    trapped = pdf.docinfo.get(Name.Trapped) if pdf.trailer.get(Name.Info) is not None else None
    if trapped not in (Name("/True"), Name("/False")):
        problems.append(Problem("trapped", ERROR, "文件信息里没有写明是否做过陷印（Trapped 应为 True 或 False）"))
    if tuple(int(v) for v in pdf.pdf_version.split(".")) > (1, 6):
        problems.append(Problem("pdf-version", ERROR, f"PDF 版本是 {pdf.pdf_version}，PDF/X-4 要求 1.6 或更低"))


def check_output_intent(pdf: pikepdf.Pdf, problems: list[Problem], measures: Measures) -> None:
    intents = [i for i in pdf.Root.get(Name.OutputIntents, []) if isinstance(i, Dictionary) and i.get(Name.S) == Name.GTS_PDFX]
    if not intents:
        problems.append(Problem("output-intent", ERROR, "没有印刷输出条件（PDF/X OutputIntent），印刷厂不知道按什么纸张和油墨印"))
        return
    intent = intents[0]
    measures.output_condition = str(intent.get(Name.OutputConditionIdentifier, ""))
    profile = intent.get(Name.DestOutputProfile)
    if profile is None:
        if measures.output_condition in ("", "Custom"):
            problems.append(Problem("output-profile", ERROR, "输出条件没有嵌入 ICC 颜色配置文件"))
        return
    why = icc_header_problem(profile.read_bytes()[:132])
    if why:
        problems.append(Problem("output-profile", ERROR, f"输出条件嵌入的颜色配置文件{why}"))


def check_boxes(pdf: pikepdf.Pdf, problems: list[Problem], measures: Measures) -> list[PageBoxes]:
    pages = [PageBoxes.of(page) for page in pdf.pages]
    measures.pages = len(pages)
    missing = [n for n, boxes in enumerate(pages, 1) if boxes.trim is None or boxes.bleed is None]
    if missing:
        shown = _pages(missing)
        problems.append(Problem("boxes-missing", ERROR, f"{shown}没有成品尺寸框和出血框（TrimBox/BleedBox），"
                                "印刷厂无法确定裁切位置", page=missing[0]))
    first = pages[0] if pages else None
    if first is not None and first.trim is not None:
        measures.trim_mm = size_mm(first.trim)
    for number, boxes in enumerate(pages[1:], start=2):
        if first is not None and boxes.rounded() != first.rounded():
            got = size_mm(boxes.media)
            want = size_mm(first.media)
            problems.append(Problem("boxes-differ", ERROR, f"这一页的页面尺寸或裁切框和第 1 页不同（本页 {got[0]:g}×{got[1]:g} 毫米，"
                                    f"第 1 页 {want[0]:g}×{want[1]:g} 毫米）：同一个文件的每一页必须一样大", page=number))
            break
    for number, boxes in enumerate(pages, start=1):
        if boxes.trim is None or boxes.bleed is None:
            continue
        bleed = min(boxes.trim[0] - boxes.bleed[0], boxes.bleed[2] - boxes.trim[2],
                    boxes.trim[1] - boxes.bleed[1], boxes.bleed[3] - boxes.trim[3]) / PT_PER_MM
        if number == 1:
            measures.bleed_mm = round(bleed, 2)
        if bleed < MIN_BLEED_MM:
            problems.append(Problem("bleed-box", ERROR, f"出血只有 {max(bleed, 0):.1f} 毫米，四边都需要 3 毫米", page=number))
            break
        if not _inside(boxes.bleed, boxes.media):
            problems.append(Problem("bleed-outside-media", ERROR, "出血框超出了页面（MediaBox）", page=number))
            break
    return pages


def check_fonts(pdf: pikepdf.Pdf, problems: list[Problem]) -> None:
    seen: set = set()
    reported: set[str] = set()
    for number, page in enumerate(pdf.pages, start=1):
        for font in _fonts(page.obj.get(Name.Resources), seen):
            name = str(font.get(Name.BaseFont, "")).lstrip("/") or "（无名字体）"
            if font.get(Name.Subtype) == Name.Type3 or name in reported:
                continue
            descriptor = _descriptor(font)
            embedded = descriptor is not None and any(k in descriptor for k in (Name.FontFile, Name.FontFile2, Name.FontFile3))
            if not embedded:
                reported.add(name)
                problems.append(Problem("font-not-embedded", ERROR, f"字体“{name}”没有嵌入文件，印刷厂的电脑上会换成别的字体", page=number))
            elif not re.match(r"^[A-Z]{6}\+", name):
                reported.add(name)
                problems.append(Problem("font-not-subset", WARNING, f"字体“{name}”嵌入了整套字形（没有子集化），文件会很大", page=number))


def check_annotations(pdf: pikepdf.Pdf, pages: list[PageBoxes], problems: list[Problem]) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get(Name.Annots, []):
            if not isinstance(annotation, Dictionary) or annotation.get(Name.Subtype) in (Name.PrinterMark, Name.TrapNet):
                continue
            problems.append(Problem("annotation", ERROR, "页面上有链接、批注或表单域，PDF/X 不允许出现在印刷区域里", page=number))
            return


def _fonts(resources, seen: set, depth: int = 0):
    if not isinstance(resources, Dictionary) or depth > 12:
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    fonts = resources.get(Name.Font)
    if isinstance(fonts, Dictionary):
        for key in fonts.keys():
            yield fonts[key]
    for holder in (Name.XObject, Name.Pattern):
        items = resources.get(holder)
        if isinstance(items, Dictionary):
            for key in items.keys():
                item = items[key]
                if isinstance(item, (Dictionary, pikepdf.Stream)) and Name.Resources in item:
                    yield from _fonts(item.Resources, seen, depth + 1)


def _descriptor(font):
    if font.get(Name.Subtype) == Name.Type0:
        descendants = font.get(Name.DescendantFonts)
        if descendants:
            return descendants[0].get(Name.FontDescriptor)
        return None
    return font.get(Name.FontDescriptor)


def _xmp_value(pdf: pikepdf.Pdf, key: str) -> str:
    metadata = pdf.Root.get(Name.Metadata)
    if metadata is None:
        return ""
    text = metadata.read_bytes().decode("utf-8", "replace")
    match = re.search(rf"{key}>\s*([^<]+?)\s*<", text) or re.search(rf'{key}="([^"]+)"', text)
    return match.group(1) if match else ""


def _inside(inner, outer) -> bool:
    return inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01 and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"第 {numbers[0]} 页"
    shown = "、".join(str(n) for n in numbers[:8])
    return f"第 {shown}{' 等' if len(numbers) > 8 else ''} 页（共 {len(numbers)} 页）"
