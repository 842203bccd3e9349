"""What goes with the files to the printer: 打印说明.txt (both builds) and, with print masters,
印刷清单.xlsx / .csv. Every size, page count and piece is read from the PDF being described,
so the paperwork cannot drift from the files.

The quantities follow outreach.toml [print]: events (one set each), participants per event
(by the pack's audience), staff per event, a spare percentage; each part says what it counts
(PackPart.per / .each)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from outreach.outputs.base import PackPart, RenderContext
from outreach.outputs.html import base_context, render_html
from outreach.rendering.packing import PdfFacts, pdf_facts
from outreach.rendering.printorder import OrderSheet, notepad_text, order_csv, order_xlsx

NOTES_NAME = "打印说明.txt"
ORDER_NAME = "印刷清单"
ORDER_COLUMNS = ("序号", "文件", "内容", "成品尺寸", "出血", "页数", "颜色", "单双面", "纸张", "后道工序",
                 "建议数量（份）", "每份用纸（张）", "用纸合计（张）")


@dataclass
class PrintFile:
    """One file of a print zip and how to print it (the rows of 打印说明 and 印刷清单)."""

    path: str                 # as it is named in the zip's folder
    title: str
    facts: PdfFacts
    duplex: bool
    copies: str               # in words (the office build)
    cut: str                  # office: how to cut; print masters: the finishing after printing
    stock: str
    quantity: int = 0         # suggested number of copies of the whole file (print masters)
    in_pack: bool = True
    scale: int = 1            # the file is drawn at 1:scale (PackPart.scale)
    flip: str = "long"        # PackPart.flip

    @property
    def flip_text(self) -> str:
        return "短边翻转" if self.flip == "short" else "长边翻转"

    @property
    def size(self) -> str:
        width, height = self.facts.trim_mm
        if self.scale > 1:
            return f"{width * self.scale:.0f}×{height * self.scale:.0f} 毫米（文件按 1:{self.scale} 缩小，请放大 {self.scale} 倍输出）"
        return f"{self.facts.paper}（{width:.0f}×{height:.0f} 毫米）" if "毫米" not in self.facts.paper else self.facts.paper

    @property
    def bleed_text(self) -> str:
        """The bleed at the finished size (a scaled file's bleed is scaled with it)."""
        return f"{self.facts.bleed_mm * self.scale:g} 毫米" if self.facts.bleed_mm else "无"

    @property
    def pieces(self) -> str:
        """What one sheet is cut into, when it is not the page itself ("8 张 90×60 毫米")."""
        pieces = self.facts.pieces
        if not pieces or (len(pieces) == 1 and all(abs(a - b) < 0.5 for a, b in zip(pieces[0], self.facts.trim_mm, strict=True))):
            return ""
        width, height = pieces[0]
        return f"{len(pieces)} 张 {width:g}×{height:g} 毫米"

    @property
    def colours(self) -> str:
        return "4/4" if self.duplex else "4/0"

    @property
    def sides(self) -> str:
        return f"双面（{self.flip_text}）" if self.duplex else "单面"

    @property
    def office_sides(self) -> str:
        return f"双面打印（{self.flip_text}）" if self.duplex else "单面打印"

    @property
    def sheets_per_copy(self) -> int:
        return math.ceil(self.facts.pages / 2) if self.duplex else self.facts.pages


def print_file(path: str, data: bytes, part: PackPart, print_ready: bool, quantity: int = 0) -> PrintFile:
    return PrintFile(path, part.title, pdf_facts(data), part.duplex, part.copies,
                     part.finishing if print_ready else part.cut, part.stock, quantity, part.in_pack, part.scale,
                     part.flip)


def quantity(ctx: RenderContext, part: PackPart, audience: str | None) -> int:
    """Copies of a file to print for the events [print] describes, spare included."""
    settings = ctx.config.print
    participants = settings.audience_participants.get(audience or "", settings.participants)
    per = {"event": 1, "participant": participants, "staff": settings.staff}.get(part.per, 1)
    needed = math.ceil(part.each * per * settings.events)
    return max(1, needed + needed * settings.spare // 100)   # the spare is on top of what is needed, rounded down


def notes(ctx: RenderContext, context: dict, what: str) -> bytes:
    """打印说明.txt from the pack-print-sheet.txt template, as Windows Notepad reads it."""
    return notepad_text(render_html(ctx, "pack-print-sheet.txt", base_context(ctx) | context, what))


def output_condition(ctx: RenderContext) -> str:
    """The colour condition print masters are separated for, as the shop calls it."""
    from outreach.rendering.prepress import PrintSpec, load_profile

    spec = PrintSpec.for_project(ctx.config, ctx.root, trim_mm=(0.0, 0.0))
    return load_profile(spec.profile_path()).description


def order_sheet(ctx: RenderContext, title: str, files: list[PrintFile], audience: str | None = None) -> OrderSheet:
    settings = ctx.config.print
    rows = []
    total = 0
    for index, file in enumerate(files, start=1):
        content = file.title + (f"，每张裁出 {file.pieces}" if file.pieces else "")
        sheets = file.quantity * file.sheets_per_copy
        total += sheets
        rows.append((index, file.path, content, file.size, file.bleed_text,
                     file.facts.pages, file.colours, file.sides, file.stock, file.cut, file.quantity,
                     file.sheets_per_copy, sheets))
    who = f"，适用人群：{ctx.library.audience_label(audience)}" if audience else ""
    participants = settings.audience_participants.get(audience or "", settings.participants)
    notes = (f"数量按 {settings.events} 场活动计算{who}：每场约 {participants} 人参加、"
             f"{settings.staff} 名工作人员，另加 {settings.spare}% 余量（在 outreach.toml 的 [print] 里修改）。",
             "颜色：4/4 为双面四色，4/0 为单面四色；文件为 PDF/X-4（CMYK），成品尺寸外每边按“出血”一栏留出血，带裁切标记。")
    return OrderSheet(title, notes, ORDER_COLUMNS, tuple(rows), ("合计", "", "", "", "", "", "", "", "", "", "", "", total))


def order_files(ctx: RenderContext, sheet: OrderSheet) -> tuple[bytes, bytes]:
    """(印刷清单.xlsx, 印刷清单.csv)."""
    from outreach.outputs.printing import slug_date

    return order_xlsx(sheet, slug_date()), order_csv(sheet)
