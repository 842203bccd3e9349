"""What `outreach check --pages` would say about a PDF the build is about to write.

The build and `check --pages` run the same page inspector (render.pageinspect) with the same
project terms, so a build that reports success never leaves a page that `check --pages` then
rejects (issue 27: 120 `text-near-trim` problems after a successful `--print-ready` build).
Every PDF output goes through it once, in its final bytes (fonts finished, print masters made),
before it is written: defects fail the target, polish stays for `check --pages` to list.

Pages a renderer has already had inspected as pages of another output (a station's copy of a
pack shares the pack's body page for page) can be left out; the page numbers reported stay
those of the whole file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from outreach.rendering.pageinspect import PageProblem, inspect_pdf

SHOWN = 3   # defects quoted in a build error; `outreach check --pages` lists them all


def page_defects(data: bytes, name: str, terms: tuple[str, ...] = (), skip: Collection[int] = ()) -> list[PageProblem]:
    """The defects (severity "error") on the pages of one PDF, but for the 0-based pages in `skip`.
    `terms`: the project's own unsplittable names, as `check --pages` reads them
    (render.typeset.project_terms of the project's config)."""
    if skip and all(index in skip for index in range(page_count(data))):
        return []   # every page inspected already, in these bytes (outputs/html.py check_final_pages)
    return [p for p in inspect_pdf(data, name, terms, skip) if p.severity == "error"]


def page_count(data: bytes) -> int:
    """How many pages the PDF has (pdfium reads no page to say)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def build_error(defects: Iterable[PageProblem]) -> str:
    """The build's message for a PDF with defects: nothing of it was written."""
    return (f"版面有问题，这一项没有写出：{describe(defects)}。outreach check --pages 会报告同样的问题。"
            "请调整模板的尺寸或间距、精简文字，或缩短 outreach.toml 里过长的电话名称、单位名称。")


def describe(problems: Iterable[PageProblem]) -> str:
    """The first few defects, located (file, page, millimetres from the trimmed page's top-left
    corner, the text), for a build error."""
    problems = list(problems)
    shown = "；".join(f"{p.file} 第 {p.page} 页左 {p.x_mm:.0f} 毫米、上 {p.y_mm:.0f} 毫米处{p.message}"
                     for p in problems[:SHOWN])
    more = f"（另有 {len(problems) - SHOWN} 处）" if len(problems) > SHOWN else ""
    return shown + more
