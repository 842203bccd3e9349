"""Per-station personalisation: each 派出所 gets every pack with its own cover and back page,
and a sheet of 警民联系卡. The pack body is the shared, already-built pack PDF: stations only
render their cover, back page and cards, in batches, and stitch."""

from __future__ import annotations

import dataclasses
import io

from outreach.buildspec.target import Target
from outreach.outputs.base import BatchRenderer, PackPart, RenderContext, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, check_imposed_pages, render_pages
from outreach.outputs.packs import collect, entry_sources, front_matter_html, station_attachments
from outreach.outputs.printing import Finish, print_master
from outreach.outputs.stationpages import StationPage, station_page
from outreach.project.kinds import PACKS
from outreach.project.stations import Station
from outreach.rendering.contract import TemplateContract
from outreach.rendering.sheets import CARD_BLEED_MM, PRINT_GUTTER_MM, cut_marks, mirrored, sheet_boxes

CARD_W, CARD_H = 90.0, 54.0        # the size of a business card, what 警民联系卡 are printed at
CARD_COLUMNS, CARD_ROWS = 2, 5     # 10 on an A4 sheet
PRINT_CARD_ROWS = 4                # a print master: 8 on an A4 sheet (each card with its bleed, 6 mm gutters)
A4_MM = (210.0, 297.0)
CARDS_CONTRACT = TemplateContract("stations/contact-cards.html", page_mm=(CARD_W, CARD_H),
                                  why="联系卡按这个尺寸在 A4 上排 10 个、双面对齐")


class StationsRenderer(BatchRenderer):
    name = "stations"
    label = "派出所"
    phase = 2
    version = "1"
    # WeasyPrint documents are large: a few stations at a time keeps memory flat. Sixteen, not
    # four or eight: a batch's fixed costs (the pack's items, its PDF opened, one write) shared by
    # more stations, 3-4 % less CPU at each doubling (bench/stations.py).
    batch_size = 16
    # A station pack is a pack with its own cover: the same sections as packs, and [stations].
    config_sections = ("project", "theme", "stations", "feed", "quiz", "scripts", "posters", "review")
    printable = True
    roles = (("stations/*/contact-cards.pdf", "contact-cards"), ("stations/*/打印说明.txt", "station-print-notes"),
             ("stations/*/印刷清单.*", "station-order-sheet"), ("stations/*/*.pdf", "station-pack-pdf"),
             ("stations/*/*.zip", "station-pack-zip"))
    role_views = {"station-pack-pdf": RoleView("资料包", "pdf"), "contact-cards": RoleView("警民联系卡", "pdf"),
                  "station-pack-zip": RoleView("打印包（zip）", "file"), "station-print-notes": RoleView("打印说明", "file"),
                  "station-order-sheet": RoleView("印刷清单", "file")}
    template_contracts = (CARDS_CONTRACT,)
    templates_described = {
        "stations/contact-cards.html": "警民联系卡（90×54 毫米的一张，生成时排成 A4 每张 10 个，双面）",
        "stations/card-front.html": "联系卡正面：派出所、民警和电话",
        "stations/card-back.html": "联系卡背面：防骗口诀和热线",
        "css/contact-card.css": "联系卡样式",
    }

    def plan(self, library, options):
        packs = sorted(library.kind(PACKS.folder))
        # The packs' files and their entries' (a station's copy of a pack reads them as the pack does).
        pack_files = tuple(dict.fromkeys(path for pack in packs for path in (
            library.item(PACKS.folder, pack).path, *entry_sources(library, library.item(PACKS.folder, pack).model))))
        targets = []
        for station in library.stations:
            data = dataclasses.asdict(station)
            data.pop("row")
            folder = f"stations/{station.id}"
            # Everything for the printer in one zip, with its 打印说明 (and a print build's 印刷清单).
            paperwork = [f"{folder}/{station.id}.zip", f"{folder}/打印说明.txt"]
            if options.print_ready:
                paperwork += [f"{folder}/印刷清单.xlsx", f"{folder}/印刷清单.csv"]
            targets.append(Target(
                id=f"stations/{station.id}", renderer=self.name,
                outputs=tuple([f"{folder}/{pack}.pdf" for pack in packs] + [f"{folder}/contact-cards.pdf"] + paperwork),
                # The packs' files too: a build that leaves out a broken pack then keeps this
                # station's last good outputs instead of dropping that pack from them.
                sources=(f"{library.stations_path}#{station.id}", *pack_files),
                templates=("pack-cover.html", "pack-back.html", "stations/contact-cards.html", "pack-print-sheet.txt"),
                deps=(*(f"packs/{pack}" for pack in packs),
                      *(part.target for part in station_attachments(station.id, library, options.print_ready))),
                params={"station": data, "packs": packs},
                label=f"派出所 {station.id}"))
        return targets

    def render_batch(self, targets, ctx):
        import pikepdf

        from outreach.rendering.pdf import write_many

        source = ctx.library.stations_path or "content/stations.csv"
        packs = targets[0].params["packs"]
        items = {pack: collect(ctx.library, ctx.library.item(PACKS.folder, pack).model, ctx.print_ready) for pack in packs}
        documents: list = []
        owners: list[tuple] = []
        results: dict[str, RenderResult | RenderError] = {}
        cover_pages: dict[tuple, StationPage] = {}
        for target in targets:
            station = Station(**target.params["station"])
            try:
                for pack in packs:
                    cover = station_page(ctx, front_matter_html(ctx, pack, items[pack], None, station), "pack-cover.html",
                                         f"派出所 {station.id} 的资料包封面", source)
                    documents.append(cover.document)
                    owners.append((target.id, "cover", pack))
                    cover_pages[(target.id, "cover", pack)] = cover
                    back = render_pages(ctx, "pack-back.html",
                                        base_context(ctx) | {"station": station, "pack": ctx.library.item(PACKS.folder, pack).model,
                                                             "pack_id": pack},
                                        f"派出所 {station.id} 的资料包封底", source, shorten="派出所的名称、地址或民警信息")
                    documents.append(back)
                    owners.append((target.id, "back", pack))
                documents.append(self._cards(ctx, station, source))
                owners.append((target.id, "cards", None))
                results[target.id] = RenderResult()
            except RenderError as problem:
                results[target.id] = problem
                documents = [d for d, o in zip(documents, owners, strict=True) if o[0] != target.id]
                owners = [o for o in owners if o[0] != target.id]
        pieces: dict[tuple, bytes] = dict(zip(owners, write_many(documents), strict=True)) if documents else {}
        for owner, page in cover_pages.items():
            if owner in pieces:
                pieces[owner] = page.finished(pieces[owner])
        generic = {pack: pikepdf.open(io.BytesIO(ctx.read_output(f"packs/{pack}.pdf"))) for pack in packs}
        try:
            for target in targets:
                result = results[target.id]
                if isinstance(result, RenderError):
                    continue
                try:
                    self._station_files(ctx, target, result, pieces, generic)
                except RenderError as problem:
                    results[target.id] = problem
        finally:
            for document in generic.values():
                document.close()
        return [results[t.id] for t in targets]

    def _station_files(self, ctx: RenderContext, target, result: RenderResult, pieces: dict, generic: dict) -> None:
        """One station's packs, contact cards, 打印说明 (and 印刷清单) and the zip of them all, finished
        here: the zip holds exactly the bytes build/ gets."""
        from outreach.outputs.paperwork import (
            NOTES_NAME,
            ORDER_NAME,
            notes,
            order_files,
            order_sheet,
            output_condition,
            print_file,
            quantity,
        )
        from outreach.outputs.printing import finished_pdf, pack_finish, stitched_master
        from outreach.rendering.packing import deterministic_zip, personalise

        station = Station(**target.params["station"])
        folder = f"stations/{station.id}"
        packs = target.params["packs"]
        outputs: dict[str, bytes] = {}
        files = []
        for pack in packs:
            path = f"{folder}/{pack}.pdf"
            model = ctx.library.item(PACKS.folder, pack).model
            cover, back = pieces[(target.id, "cover", pack)], pieces[(target.id, "back", pack)]
            if ctx.print_ready:   # the station's own pages become masters; the shared body already is one
                cover, back = pack_finish(ctx, path, cover), pack_finish(ctx, path, back)
                stitched = personalise(generic[pack], cover, back, uniform=True)
                # The body is the pack's print master page for page, preflighted when it was made.
                body = set(range(1, len(generic[pack].pages) - 1))
                outputs[path] = stitched_master(ctx, path, stitched, "station-pack-pdf", f"{model.title}（{station.name}）",
                                                checked=body)
            else:
                outputs[path] = personalise(generic[pack], cover, back, finish=ctx.config.pdf.optimise_fonts)
            # Its body is the pack's, page for page: the build's page check saw those pages in the pack.
            result.inspected[path] = set(range(1, len(generic[pack].pages) - 1))
            part = PackPart(path, f"{model.title}，本派出所版", duplex=True, copies="每个活动点 1 份",
                            cut="每项素材从奇数页开始，空白页为有意留白；封底是本派出所的联系方式",
                            stock="100–128 克双胶纸或铜版纸",
                            finishing="双面印刷（长边翻转）；按裁切标记裁去出血，按页码顺序整理，可左侧装订")
            files.append((f"{pack}.pdf", outputs[path], part, quantity(ctx, part, model.audience) if ctx.print_ready else 0))
        cards_path = f"{folder}/contact-cards.pdf"
        check_imposed_pages(pieces[(target.id, "cards", None)], cards_path, "stations/contact-cards.html", ctx, result)
        sheet, cuts = contact_sheet(pieces[(target.id, "cards", None)], ctx.config.stations.card_gutter, ctx.print_ready)
        if ctx.print_ready:
            sheet = print_master(ctx, cards_path, sheet, Finish(A4_MM, cuts=cuts), "contact-cards",
                                 f"{station.name} 警民联系卡")
        else:
            sheet = finished_pdf(ctx, sheet)
        outputs[cards_path] = sheet
        per_sheet = len(cuts[0])
        cards = PackPart(cards_path, "警民联系卡", duplex=True, copies="按需要印刷",
                         cut=f"双面打印选“长边翻转”，背面与正面对齐；沿裁切线每张纸裁出 {per_sheet} 张 "
                             f"{CARD_W:g}×{CARD_H:g} 毫米的卡片",
                         stock="300 克铜版卡（可双面覆膜）",
                         finishing=f"双面印刷（长边翻转，背面与正面对齐）；每张卡片四边各带 3 毫米出血，按裁切标记每张纸裁出 "
                                   f"{per_sheet} 张 {CARD_W:g}×{CARD_H:g} 毫米的卡片（卡片之间的间隙裁两刀）")
        sheets = -(-ctx.config.print.contact_cards // per_sheet) if ctx.print_ready else 0
        files.append(("contact-cards.pdf", sheet, cards, sheets))
        attached: dict[str, bytes] = {}   # zipped along, written by the targets that make them
        for part in station_attachments(station.id, ctx.library, ctx.print_ready):
            data = attached[part.path] = ctx.read_output(part.path)
            files.append((part.path.rsplit("/", 1)[1], data, part, quantity(ctx, part, None) if ctx.print_ready else 0))
        rows = [print_file(name, data, part, ctx.print_ready, count) for name, data, part, count in files]
        context = {"pack": None, "pack_id": station.id, "files": rows, "station": station, "extras": [],
                   "output_condition": output_condition(ctx) if ctx.print_ready else ""}
        outputs[f"{folder}/{NOTES_NAME}"] = notes(ctx, context, f"派出所 {station.id} 的打印说明")
        if ctx.print_ready:
            order = order_sheet(ctx, f"《{station.name}》印刷清单", rows)
            xlsx, csv = order_files(ctx, order)
            outputs |= {f"{folder}/{ORDER_NAME}.xlsx": xlsx, f"{folder}/{ORDER_NAME}.csv": csv}
        outputs[f"{folder}/{station.id}.zip"] = deterministic_zip(
            {f"{station.id}/{path.rsplit('/', 1)[1]}": data for path, data in (outputs | attached).items()})
        result.outputs = outputs
        result.finished = set(outputs)

    def _cards(self, ctx: RenderContext, station: Station, source: str):
        """One card, front and back, laid out at its real size (imposed 10-up later)."""
        what = f"派出所 {station.id} 的警民联系卡"
        try:
            return render_pages(ctx, "stations/contact-cards.html", base_context(ctx) | {"station": station}, what,
                                source, pages=2, shorten="派出所名称、民警信息或地址", contract=CARDS_CONTRACT)
        except RenderError as problem:
            if problem.file == source:
                problem.line = station.row  # the station's own row of the sheet
            raise


def contact_sheet(card_pdf: bytes, gutter: float, print_ready: bool = False) -> tuple[bytes, tuple]:
    """The A4 sheet of cards (fronts, then the backs mirrored for a long-edge flip) and each
    page's cut boxes. A print master's cards carry their own bleed with 6 mm gutters (two cuts
    between two cards): 8 to a sheet, as 10 with such gutters do not fit on A4."""
    from outreach.rendering.packing import impose

    page_w, page_h = A4_MM
    if print_ready:
        boxes = sheet_boxes(page_w, page_h, CARD_W, CARD_H, CARD_COLUMNS, PRINT_CARD_ROWS, PRINT_GUTTER_MM)
    else:
        boxes = sheet_boxes(page_w, page_h, CARD_W, CARD_H, CARD_COLUMNS, CARD_ROWS, gutter)
    backs = [mirrored(b, page_w) for b in boxes]
    marks = [] if print_ready else cut_marks(boxes, length=1.2, offset=0.4)
    sheet = impose(card_pdf, boxes, backs, (page_w, page_h), marks, bleed_mm=CARD_BLEED_MM if print_ready else 0.0)
    return sheet, (tuple(boxes), tuple(backs))
