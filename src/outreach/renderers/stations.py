"""Per-station personalisation: each 派出所 gets every pack with its own cover and back page,
and a sheet of 警民联系卡. The pack body is the shared, already-built pack PDF: stations only
render their cover, back page and cards, in batches, and stitch."""

from __future__ import annotations

import dataclasses
import io

from outreach.render.contract import TemplateContract
from outreach.renderers.target import Target
from outreach.renderers.base import BatchRenderer, RenderContext, RenderError, RenderResult, RoleView
from outreach.renderers.html import base_context, check_pages, layout, render_html, render_pages
from outreach.renderers.packs import collect, front_matter_html, page_stamps
from outreach.render.sheets import cut_marks, mirrored, sheet_boxes
from outreach.project.stations import Station

CARD_W, CARD_H = 90.0, 54.0        # the size of a business card, what 警民联系卡 are printed at
CARD_COLUMNS, CARD_ROWS = 2, 5     # 10 on an A4 sheet
CARDS_CONTRACT = TemplateContract("stations/contact-cards.html", page_mm=(CARD_W, CARD_H),
                                  why="联系卡按这个尺寸在 A4 上排 10 个、双面对齐")


class StationsRenderer(BatchRenderer):
    kind = "stations"
    label = "派出所"
    phase = 2
    version = "1"
    batch_size = 4   # WeasyPrint documents are large: a few stations at a time keeps memory flat
    # A station pack is a pack with its own cover: the same sections as packs, and [stations].
    config_sections = ("project", "theme", "stations", "feed", "quiz", "scripts", "posters", "review")
    roles = (("stations/*/contact-cards.pdf", "contact-cards"), ("stations/*/*.pdf", "station-pack-pdf"),
             ("stations/*/*.zip", "station-pack-zip"))
    role_views = {"station-pack-pdf": RoleView("资料包", "pdf"), "contact-cards": RoleView("警民联系卡", "pdf"),
                  "station-pack-zip": RoleView("打印包（zip）", "file")}
    template_contracts = (CARDS_CONTRACT,)
    templates_described = {
        "stations/contact-cards.html": "警民联系卡（90×54 毫米的一张，生成时排成 A4 每张 10 个，双面）",
        "stations/card-front.html": "联系卡正面：派出所、民警和电话",
        "stations/card-back.html": "联系卡背面：防骗口诀和热线",
        "css/contact-card.css": "联系卡样式",
    }

    def plan(self, library, options):
        packs = sorted(library.kind("packs"))
        pack_files = tuple(library.item("packs", pack).path for pack in packs)
        targets = []
        for station in library.stations:
            data = dataclasses.asdict(station)
            data.pop("row")
            targets.append(Target(
                id=f"stations/{station.id}", renderer=self.kind,
                outputs=tuple([f"stations/{station.id}/{pack}.pdf" for pack in packs] +
                              [f"stations/{station.id}/contact-cards.pdf"]),
                # The packs' files too: a build that leaves out a broken pack then keeps this
                # station's last good outputs instead of dropping that pack from them.
                sources=(f"{library.stations_path}#{station.id}", *pack_files),
                templates=("pack-cover.html", "pack-back.html", "stations/contact-cards.html"),
                deps=tuple(f"packs/{pack}" for pack in packs), params={"station": data, "packs": packs},
                label=f"派出所 {station.id}"))
        return targets

    def render_batch(self, targets, ctx):
        import pikepdf

        from outreach.render.packing import personalise
        from outreach.render.pdf import write_many

        source = ctx.library.stations_path or "content/stations.csv"
        packs = targets[0].params["packs"]
        items = {pack: collect(ctx.library, ctx.library.item("packs", pack).model) for pack in packs}
        documents, owners, results = [], [], {}
        for target in targets:
            station = Station(**target.params["station"])
            try:
                for pack in packs:
                    cover = layout(ctx, front_matter_html(ctx, pack, items[pack], None, station), "pack-cover.html",
                                   f"派出所 {station.id} 的资料包封面", source)
                    documents.append(cover)
                    owners.append((target.id, "cover", pack))
                    back = layout(ctx, render_html(ctx, "pack-back.html", base_context(ctx) | {"station": station},
                                                   f"派出所 {station.id} 的封底"),
                                  "pack-back.html", f"派出所 {station.id} 的封底", source)
                    documents.append(back)
                    owners.append((target.id, "back", pack))
                documents.append(self._cards(ctx, station, source))
                owners.append((target.id, "cards", None))
                results[target.id] = RenderResult()
            except RenderError as problem:
                results[target.id] = problem
                documents = [d for d, o in zip(documents, owners) if o[0] != target.id]
                owners = [o for o in owners if o[0] != target.id]
        pieces: dict[tuple, bytes] = dict(zip(owners, write_many(documents))) if documents else {}
        blank_note = page_stamps(ctx, 1, {1}, {})
        generic = {pack: pikepdf.open(io.BytesIO(ctx.read_output(f"packs/{pack}.pdf"))) for pack in packs}
        try:
            for target in targets:
                result = results[target.id]
                if isinstance(result, RenderError):
                    continue
                station_id = target.params["station"]["id"]
                for pack in packs:
                    result.outputs[f"stations/{station_id}/{pack}.pdf"] = personalise(
                        generic[pack], pieces[(target.id, "cover", pack)], pieces[(target.id, "back", pack)],
                        blank_note)
                try:
                    check_pages(pieces[(target.id, "cards", None)], f"派出所 {station_id} 的警民联系卡",
                                "stations/contact-cards.html", ctx)
                except RenderError as problem:
                    results[target.id] = problem
                    continue
                result.outputs[f"stations/{station_id}/contact-cards.pdf"] = contact_sheet(
                    pieces[(target.id, "cards", None)], ctx.config.stations.card_gutter)
        finally:
            for document in generic.values():
                document.close()
        return [results[t.id] for t in targets]

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


def contact_sheet(card_pdf: bytes, gutter: float) -> bytes:
    from outreach.render.packing import impose

    page_w, page_h = 210.0, 297.0
    boxes = sheet_boxes(page_w, page_h, CARD_W, CARD_H, CARD_COLUMNS, CARD_ROWS, gutter)
    return impose(card_pdf, boxes, [mirrored(b, page_w) for b in boxes], (page_w, page_h),
                  cut_marks(boxes, length=1.2, offset=0.4))
