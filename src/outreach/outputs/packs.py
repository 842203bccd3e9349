"""宣传资料包: the items' finished PDFs stitched in order behind a cover and a table of
contents, each item from an odd page, numbered, with bookmarks; plus a zip for the print shop."""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from outreach.buildspec.target import Target
from outreach.outputs.base import PackPart, RenderContext, Renderer, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, html_to_pdf, render_html, render_pages
from outreach.project.kinds import PACK_ITEMS, PACKS, SCRIPTS, PackItem

ITEM_LABELS = {key: label for key, (_kind, label) in PACK_ITEMS.items()}
ITEM_KINDS = {key: kind for key, (kind, _label) in PACK_ITEMS.items()}


@dataclass
class PackItemParts:
    title: str
    kind_label: str
    parts: list[PackPart]      # stitched into the pack PDF, in order
    extras: list[str]          # in the zip only (PNG, texts, the H5 page)
    prints: list[PackPart] = field(default_factory=list)  # printed on their own (each performer's sides)


def item_renderers() -> dict[str, Renderer]:
    from outreach.outputs.registry import all_renderers

    return {r.pack_item: r for r in all_renderers().values() if r.pack_item}


# The last library's content file → [(output, target id)] of every output a pack's zip takes along
# for that item: worked out once per library (a worker renders many packs and station packs).
_zip_outputs_of: tuple[Any, dict[str, list[tuple[str, str]]]] = (None, {})


def zip_outputs(library) -> dict[str, list[tuple[str, str]]]:
    """Outputs whose role its renderer presents as going into a pack's zip (RoleView.in_print_zip),
    by the content file they are made from (a target's first source): a poster's picture and the
    scenario's texts go with a pack that holds the scenario's poster, a quiz's H5 page with its
    cards — whichever kinds are installed, without this module knowing their file names."""
    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.registry import all_renderers

    global _zip_outputs_of
    known, found = _zip_outputs_of
    if known is not None and known() is library:
        return found
    found = {}
    # Planning, as the build did before rendering: not reads of this pack's render. What a pack
    # zips for an item are outputs of targets in its deps, which its fingerprint covers.
    paused = getattr(library.items, "paused", None)   # a build's recording view (engine/libraryreads.py)
    with paused() if paused is not None else contextlib.nullcontext():
        for renderer in all_renderers().values():
            if renderer.phase >= PackRenderer.phase or not any(v.in_print_zip for v in renderer.role_views.values()):
                continue
            for target in renderer.plan(library, BuildOptions()):
                zipped = [(path, target.id) for path in target.outputs
                          if (view := renderer.output_view(path)[1]) is not None and view.in_print_zip]
                if zipped and target.sources:
                    found.setdefault(target.sources[0], []).extend(zipped)
    _zip_outputs_of = (weakref.ref(library), found)
    return found


def item_extras(library, kind: str, ref: str, renderer: Renderer) -> list[tuple[str, str]]:
    """(path, target id) of the files a pack's zip holds for one item besides its printed parts."""
    zipped = zip_outputs(library).get(library.item(ITEM_KINDS[kind], ref).path, [])
    return list(dict.fromkeys([*zipped, *renderer.pack_extras(ref, library)]))


def item_title(library, kind: str, ref: str) -> str:
    model = library.item(ITEM_KINDS[kind], ref).model
    return model.title


def publishable_entries(library, pack) -> tuple[list[PackItem], list[PackItem]]:
    """(entries to print, entries left out): a pack prints reviewed content only, unless
    outreach.toml [review] include_drafts says drafts may go too."""
    kept: list[PackItem] = []
    left_out: list[PackItem] = []
    for entry in pack.items:
        if (ITEM_KINDS[entry.key], entry.ref) in library.omitted:
            continue   # not part of this region's edition
        (kept if library.publishable(ITEM_KINDS[entry.key], entry.ref) else left_out).append(entry)
    return kept, left_out


def entry_sources(library, pack) -> tuple[str, ...]:
    """The content files of every entry of a pack, reviewed or not, and of what each uses (a
    script's scenario, a tip's laws): the pack shows their titles, asks their review status and
    their kinds for their parts (a script is laid out again for the pack's page numbers)."""
    from outreach.project.library import references

    entries = [library.get(ITEM_KINDS[entry.key], entry.ref) for entry in pack.items]
    used = [library.get(*ref) for item in entries if item is not None for ref in references(item)]
    return tuple(sorted({item.path for item in [*entries, *used] if item is not None}))


REVIEW_HOW = "审核后在内容文件里写 status: 已审核、reviewed_by 和 reviewed_on，或在 outreach.toml 的 [review] 里设 include_drafts = true。"


def left_out_list(library, left_out: list) -> str:
    return "、".join(f"{ITEM_LABELS[e.key]}“{item_title(library, e.key, e.ref)}”（{library.status(ITEM_KINDS[e.key], e.ref)}）"
                    for e in left_out)


def collect(library, pack, print_ready: bool = False) -> list[PackItemParts]:
    """The pack's items and their parts; a print build's pack holds print masters only (the
    pictures, texts and H5 pages for phones are in the screen build's zip)."""
    renderers = item_renderers()
    items = []
    entries, _left_out = publishable_entries(library, pack)
    for entry in entries:
        renderer = renderers.get(entry.key)
        if renderer is None:
            raise RenderError(f"资料包里的{ITEM_LABELS[entry.key]}“{entry.ref}”还不能生成（缺少对应的渲染器）。")
        label = ITEM_LABELS[entry.key]
        if entry.key == "script" and getattr(library.item(SCRIPTS.folder, entry.ref).model, "form", "") == "劝阻话术":
            label = "劝阻话术"
        title = item_title(library, entry.key, entry.ref)
        for separator in ("：", ":"):  # "劝阻话术：…" under the label 劝阻话术 would read twice
            title = title.removeprefix(label + separator).strip()
        parts = renderer.pack_parts(entry.ref, library)
        extras = [] if print_ready else [path for path, _ in item_extras(library, entry.key, entry.ref, renderer)]
        items.append(PackItemParts(title, label, [p for p in parts if p.in_pack], extras,
                                   [p for p in parts if not p.in_pack]))
    return items


def pack_attachments(pack_id: str, library, print_ready: bool) -> list[PackPart]:
    """The files other kinds make for this pack as a whole (Renderer.pack_attachments), in
    build order; a print build zips only kinds that have print masters."""
    return attachments(lambda renderer: renderer.pack_attachments(pack_id, library, print_ready), print_ready, library)


def station_attachments(station_id: str, library, print_ready: bool) -> list[PackPart]:
    """The files other kinds make for one station (Renderer.station_attachments), in build order."""
    return attachments(lambda renderer: renderer.station_attachments(station_id, library, print_ready), print_ready, library)


def attachments(ask, print_ready: bool, library=None) -> list[PackPart]:
    import contextlib

    from outreach.outputs.registry import all_renderers

    # Each kind may read its own [section] to name its files (a roll-up's size): the pack does
    # not declare those sections, it depends on the kinds' targets, whose fingerprints cover them.
    paused = getattr(getattr(library, "config", None), "paused", None)   # a build's recording view
    parts = []
    with paused() if paused is not None else contextlib.nullcontext():
        for renderer in all_renderers().values():
            if print_ready and not renderer.printable:
                continue
            parts += [replace(part, in_pack=False) for part in ask(renderer)]
    return parts


class PackRenderer(Renderer):
    name = "packs"
    label = "资料包"
    phase = 1
    version = "2"
    printable = True
    # feed: the cover shows [feed] published when the pack has no date; quiz, scripts, posters: the
    # printing notes of those items (card sizes, talk-card layout, poster sizes).
    # review: which items a pack may print.
    config_sections = ("project", "theme", "feed", "quiz", "scripts", "posters", "review")
    # Most specific first: "packs/*.pdf" would also match a file in a pack's own folder.
    roles = (("packs/*/打印说明.txt", "pack-print-notes"), ("packs/*/印刷清单.*", "pack-order-sheet"),
             ("packs/*.pdf", "pack-pdf"), ("packs/*.zip", "pack-zip"))
    role_views = {"pack-pdf": RoleView("PDF", "pdf"), "pack-zip": RoleView("打印包（zip）", "file", order=1),
                  "pack-print-notes": RoleView("打印说明", "text", order=2),
                  "pack-order-sheet": RoleView("印刷清单", "file", order=3)}
    templates_described = {
        "pack-cover.html": "资料包封面和目录（为派出所生成时封面带派出所信息）",
        "pack-back.html": "资料包的封底（热线和防骗口诀；派出所版为本所的联系方式）",
        "pack-stamp.html": "资料包页码（每页外侧下角）和“本页有意留白”",
        "pack-print-sheet.txt": "打印说明.txt（资料包和派出所资料的打印包里都有）",
        "css/pack.css": "封面、目录、封底样式",
    }

    def plan(self, library, options):
        renderers = item_renderers()
        targets = []
        for pack_id, item in sorted(library.kind(PACKS.folder).items()):
            deps: list[str] = []
            for entry in publishable_entries(library, item.model)[0]:
                renderer = renderers.get(entry.key)
                if renderer is None:
                    continue  # reported when the pack is rendered
                deps.append(renderer.target_id(entry.ref))
                deps.extend(part.target for part in renderer.pack_parts(entry.ref, library) if part.target)
                if not options.print_ready:
                    deps.extend(target for _, target in item_extras(library, entry.key, entry.ref, renderer))
            deps.extend(part.target for part in pack_attachments(pack_id, library, options.print_ready))
            outputs = [f"packs/{pack_id}.pdf", f"packs/{pack_id}.zip", f"packs/{pack_id}/打印说明.txt"]
            if options.print_ready:
                outputs += [f"packs/{pack_id}/印刷清单.xlsx", f"packs/{pack_id}/印刷清单.csv"]
            targets.append(Target(
                id=f"packs/{pack_id}", renderer=self.name, outputs=tuple(outputs),
                sources=(item.path, *entry_sources(library, item.model)), templates=("pack-cover.html", "pack-back.html", "pack-stamp.html", "pack-print-sheet.txt"),
                deps=tuple(dict.fromkeys(deps)), params={"pack": pack_id}, label=f"资料包 {pack_id}"))
        return targets

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        from outreach.outputs.paperwork import (
            NOTES_NAME,
            ORDER_NAME,
            PrintFile,
            notes,
            order_files,
            order_sheet,
            output_condition,
            print_file,
            quantity,
        )
        from outreach.rendering.packing import deterministic_zip

        pack_id = target.params["pack"]
        result = RenderResult()
        entries, left_out = publishable_entries(ctx.library, ctx.library.item(PACKS.folder, pack_id).model)
        if not entries:
            raise RenderError(f"资料包 {pack_id} 里的素材都还没有审核：{left_out_list(ctx.library, left_out)}。{REVIEW_HOW}",
                              ctx.library.item(PACKS.folder, pack_id).path, 0)
        if left_out:
            result.warnings.append(f"资料包 {pack_id} 没有收入未审核的内容：{left_out_list(ctx.library, left_out)}。{REVIEW_HOW}")
        pack = ctx.library.item(PACKS.folder, pack_id).model
        pdf_bytes, items = assemble_pack(ctx, pack_id, result.warnings)
        pdf_path = f"packs/{pack_id}.pdf"
        # The zip holds exactly the bytes build/ gets: the pack is finished here, not by the worker.
        outputs = {pdf_path: pdf_bytes}
        whole = PackPart(pdf_path, f"{pack.title}（整本）", duplex=True, copies="每个活动点 1 份",
                         cut="每项素材从奇数页开始，空白页为有意留白", stock="100–128 克双胶纸或铜版纸",
                         finishing="双面印刷（长边翻转）；按裁切标记裁去出血，按页码顺序整理，可左侧装订", per="event", each=1)
        files = [(f"{pack_id}.pdf", pdf_path, whole)]
        for item in items:
            files += [(part.path, part.path, part) for part in item.parts + item.prints]
        for part in pack_attachments(pack_id, ctx.library, ctx.print_ready):
            # A build makes them first (they are deps); the editor's preview of a pack being
            # written has not made them yet, and shows the pack without them.
            if not ctx.output_path(part.path).is_file():
                result.warnings.append(f"资料包 {pack_id} 的打印包里暂时没有{part.title}：{part.path} 还没有生成。")
                continue
            files.append((part.path, part.path, part))
        rows: list[PrintFile] = []
        zipped = {f"{pack_id}/{pack_id}.pdf": pdf_bytes}
        for name, path, part in files:
            data = pdf_bytes if path == pdf_path else ctx.read_output(path)
            zipped[f"{pack_id}/{name}"] = data
            count = quantity(ctx, part, pack.audience) if ctx.print_ready else 0
            rows.append(print_file(name, data, part, ctx.print_ready, count))
        for item in items:
            for path in item.extras:
                zipped[f"{pack_id}/{path}"] = ctx.read_output(path)
        context = {"pack": pack, "pack_id": pack_id, "files": rows, "station": None,
                   "extras": sorted(p for item in items for p in item.extras),
                   "output_condition": output_condition(ctx) if ctx.print_ready else ""}
        paperwork = {f"packs/{pack_id}/{NOTES_NAME}": notes(ctx, context, f"资料包 {pack_id} 的打印说明")}
        if ctx.print_ready:
            sheet = order_sheet(ctx, f"《{pack.title}》印刷清单", rows, pack.audience)
            xlsx, csv = order_files(ctx, sheet)
            paperwork |= {f"packs/{pack_id}/{ORDER_NAME}.xlsx": xlsx, f"packs/{pack_id}/{ORDER_NAME}.csv": csv}
        for path, data in paperwork.items():
            zipped[f"{pack_id}/{path.rsplit('/', 1)[1]}"] = data
        outputs |= paperwork
        outputs[f"packs/{pack_id}.zip"] = deterministic_zip(zipped)
        result.outputs = outputs
        result.finished = set(outputs)
        return result


def front_matter_html(ctx: RenderContext, pack_id: str, items: list[PackItemParts], starts: list[int] | None,
                      station=None) -> str:
    """Cover and table of contents; page numbers are placeholders until `starts` is known."""
    pack = ctx.library.item(PACKS.folder, pack_id).model
    cursor = iter(starts or [])
    toc = []
    for item in items:
        parts = [{"title": part.title, "start": next(cursor, "—")} for part in item.parts]
        toc.append({"title": item.title, "kind_label": item.kind_label, "parts": parts,
                    "start": parts[0]["start"] if parts else "—"})
    context = base_context(ctx) | {
        "pack": pack, "pack_id": pack_id, "items": toc, "station": station, "cover_only": station is not None,
        "audience_label": ctx.library.audience_label(pack.audience),
        "date": pack.date or ctx.config.feed.published,
    }
    return render_html(ctx, "pack-cover.html", context, f"资料包 {pack_id} 的封面和目录")


def front_matter(ctx: RenderContext, pack_id: str, items: list[PackItemParts], starts: list[int] | None,
                 warnings=None) -> bytes:
    html = front_matter_html(ctx, pack_id, items, starts)
    source = ctx.library.item(PACKS.folder, pack_id).path
    return html_to_pdf(ctx, html, "pack-cover.html", f"资料包 {pack_id} 的封面和目录", source, warnings=warnings)[1]


def section_page_counts(ctx: RenderContext, pack_id: str) -> tuple[list[PackItemParts], list[tuple[PackPart, bytes]]]:
    """The pack's items and each part's finished PDF."""
    pack = ctx.library.item(PACKS.folder, pack_id).model
    items = collect(ctx.library, pack, ctx.print_ready)
    renderers = item_renderers()
    entries = publishable_entries(ctx.library, pack)[0]
    parts = []
    for entry, item in zip(entries, items, strict=True):
        for part in item.parts:
            # An item that numbers its own pages gives the pack a copy without them: the pack
            # numbers every page, and a page must not carry two numbers.
            copy = renderers[entry.key].pack_copy(entry.ref, part, ctx)
            try:
                parts.append((part, copy if copy is not None else ctx.read_output(part.path)))
            except FileNotFoundError:
                raise RenderError(f"资料包 {pack_id} 需要的 {part.path} 还没有生成。") from None
    return items, parts


def page_stamps(ctx: RenderContext, total: int, blanks: set[int], numbered: bool = True) -> bytes:
    """A number in the outer bottom corner of every page but the covers (the first and the
    last), blank pages included, and a note on the deliberately blank ones (`numbered` False:
    no numbers, e.g. empty pages for a print master's blank versos)."""
    pages = [{"number": n, "show": numbered and 1 < n < total, "blank": n in blanks, "odd": n % 2 == 1}
             for n in range(1, total + 1)]
    html = render_html(ctx, "pack-stamp.html", base_context(ctx) | {"pages": pages}, "资料包页码")
    return html_to_pdf(ctx, html, "pack-stamp.html", "资料包页码", "")[1]


def back_cover(ctx: RenderContext, pack_id: str, station=None, source: str = "") -> bytes:
    """The pack's back cover (one page): the project's hotlines and slogans, or a station's
    own contacts when `station` is given."""
    pack = ctx.library.item(PACKS.folder, pack_id).model
    what = f"派出所 {station.id} 的资料包封底" if station is not None else f"资料包 {pack_id} 的封底"
    context = base_context(ctx) | {"pack": pack, "pack_id": pack_id, "station": station}
    document = render_pages(ctx, "pack-back.html", context, what, source or ctx.library.item(PACKS.folder, pack_id).path,
                            shorten="派出所的名称、地址或民警信息" if station is not None else "文字")
    from outreach.rendering.pdf import write_pdf

    return write_pdf(document)


def check_folio_corners(pack_id: str, sections, starts: list[int]) -> None:
    """Every item page must leave the corner where the pack prints its page number free."""
    from outreach.rendering.pagespace import ZONE_MM, occupied

    for section, start in zip(sections, starts, strict=True):
        for spot in occupied(section.pdf, odd_first=start % 2 == 1):
            side = "右" if (start + spot.page) % 2 else "左"
            raise RenderError(
                f"资料包 {pack_id}：“{section.title}”的第 {spot.page + 1} 页（资料包第 {start + spot.page} 页）"
                f"在{side}下角印页码的位置（左 {spot.x_mm:.0f} 毫米、上 {spot.y_mm:.0f} 毫米）有{spot.what}，"
                f"页码会压在上面。请让它的模板在页面外侧下角（距外侧边 {ZONE_MM[0]:g}–{ZONE_MM[2]:g} 毫米、"
                f"距下边 {ZONE_MM[1]:g}–{ZONE_MM[3]:g} 毫米）留空。")


def check_folios(pdf: bytes, shown: str) -> None:
    """The stitched pack: one page number per page, all in one place (the page inspector's
    furniture checks); a pack that fails them is not written."""
    import pypdfium2 as pdfium

    from outreach.rendering.inspect_furniture import furniture_findings

    document = pdfium.PdfDocument(pdf)
    try:
        findings = furniture_findings(document)
    finally:
        document.close()
    if findings:
        listed = "；".join(f"第 {page} 页（左 {x:.0f} 毫米、上 {y:.0f} 毫米）{message}"
                          for page, x, y, _code, message in findings[:3])
        more = f"（另有 {len(findings) - 3} 处）" if len(findings) > 3 else ""
        raise RenderError(f"{shown} 的页码有问题：{listed}{more}。")


def assemble_pack(ctx: RenderContext, pack_id: str, warnings: list[str]) -> tuple[bytes, list[PackItemParts]]:
    """The pack PDF, finished (what build/ and the zip get): cover and contents, the items each
    from an odd page, the back cover last, every page but the covers numbered in its outer
    bottom corner. A print build stitches the items' print masters: its own pages (cover and
    contents, back cover, blank versos) become masters of their own, the page numbers are
    converted too, and every page is given the same boxes before the whole file is identified
    as PDF/X-4 and preflighted."""
    from outreach.outputs.printing import finished_pdf, pack_finish, stitched_master
    from outreach.rendering.packing import Section, assemble, layout, page_count

    items, parts = section_page_counts(ctx, pack_id)
    sections = []
    cursor = iter(parts)
    for index, item in enumerate(items):
        for _ in item.parts:
            part, data = next(cursor)
            sections.append(Section(part.title if len(item.parts) > 1 else item.title, data, index, item.title))
    counts = [page_count(s.pdf) for s in sections]
    front = front_matter(ctx, pack_id, items, None, warnings=warnings)
    for _ in range(3):  # numbers in the TOC can, rarely, change its length
        plan = layout(page_count(front), counts)
        front_again = front_matter(ctx, pack_id, items, plan.starts, warnings=warnings)
        settled = page_count(front_again) == page_count(front)
        front = front_again
        if settled:
            break
    check_folio_corners(pack_id, sections, plan.starts)
    back = back_cover(ctx, pack_id)
    stamps = page_stamps(ctx, plan.total, set(plan.blanks))
    path = f"packs/{pack_id}.pdf"
    shown = ctx.output_prefix + path
    if not ctx.print_ready:
        pdf = finished_pdf(ctx, assemble(front, sections, back, stamps, "封面和目录"))
        check_folios(pdf, shown)
        return pdf, items
    title = ctx.library.item(PACKS.folder, pack_id).model.title
    front, back = pack_finish(ctx, path, front), pack_finish(ctx, path, back)
    stamps = pack_finish(ctx, path, stamps, slug=False)
    empty = pack_finish(ctx, path, page_stamps(ctx, len(plan.blanks), set(), numbered=False)) if plan.blanks else None
    stitched = assemble(front, sections, back, stamps, "封面和目录", blanks=empty, uniform=True)
    check_folios(stitched, shown)
    return stitched_master(ctx, path, stitched, "pack-pdf", title), items
