"""Script handouts: the full script (A4), each performer's sides, and 劝阻话术 pocket cards."""

from __future__ import annotations

import io
import math
from typing import Any

from outreach.buildspec.target import Target
from outreach.checks.scriptlint import spoken_length
from outreach.outputs.base import BatchRenderer, PackPart, RenderContext, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, check_pages, layout, render_html, render_pages
from outreach.outputs.printing import Finish, print_master
from outreach.project.kinds import SCENARIOS, SCRIPTS
from outreach.rendering.contract import TemplateContract
from outreach.rendering.sheets import CARD_BLEED_MM, Box
from outreach.rendering.units import PT_PER_MM

TALK_TRACK = "劝阻话术"
# What a scene is called in each form: (heading on the cover, counting unit).
SCENE_NAMES = {"小品": ("场次", "场"), "相声": ("场次", "场"), "快板": ("段落", "段"), "三句半": ("段落", "段"),
               TALK_TRACK: ("步骤", "步")}
CARD_PAGES = 2                       # a pocket card is one sheet: front and back
TALK_CARD_CONTRACT = TemplateContract("talk-card.html", page_mm=(105, 148),
                                      why="话术卡是 A6，并排印在 A4 上时按这个尺寸缩放和对折")
A4_LANDSCAPE_PT = (841.89, 595.28)
A4_MM, A6_MM, A4_LANDSCAPE_MM = (210.0, 297.0), (105.0, 148.0), (297.0, 210.0)


class ScriptRenderer(BatchRenderer):
    name = "scripts"
    label = "脚本"
    version = "1"
    batch_size = 4
    pack_item = "script"
    config_sections = ("project", "theme", "scripts")
    printable = True
    roles = (("scripts/*-card-sheet.pdf", "talk-card-sheet"), ("scripts/*-card.pdf", "talk-card"),
             ("scripts/*/*.pdf", "script-part"), ("scripts/*.pdf", "script-pdf"))
    role_views = {"script-pdf": RoleView("全本", "pdf"), "script-part": RoleView("分角色台词", "pdf"),
                  "talk-card": RoleView("口袋卡", "pdf"), "talk-card-sheet": RoleView("口袋卡（A4 拼版）", "pdf")}
    template_contracts = (TALK_CARD_CONTRACT,)
    templates_described = {
        "script.html": "节目脚本全本（A4：封面、角色表、场次、舞台提示、页码）",
        "script-role.html": "分角色台词（每个角色一份：本角色的台词突出显示，前面附提示句）",
        "talk-card.html": "劝阻话术口袋卡（A6 正反两面，或并排印在一张 A4 上）",
        "css/script.css": "脚本全本和分角色台词的样式",
        "css/card.css": "劝阻话术卡的样式",
    }

    def plan(self, library, options):
        targets = []
        for script_id, item in sorted(library.kind(SCRIPTS.folder).items()):
            script = item.model
            sources = [item.path]
            if script.scenario and library.get(SCENARIOS.folder, script.scenario):
                sources.append(library.item(SCENARIOS.folder, script.scenario).path)
            common: dict[str, Any] = {"sources": tuple(sources), "renderer": self.name}
            targets.append(Target(id=f"scripts/{script_id}", outputs=(f"scripts/{script_id}.pdf",),
                                  templates=("script.html",), params={"script": script_id, "part": "full"},
                                  label=f"脚本 {script_id}", **common))
            if script.form == TALK_TRACK:
                targets.append(Target(id=f"scripts/{script_id}/card",
                                      outputs=(f"scripts/{script_id}-card.pdf", f"scripts/{script_id}-card-sheet.pdf"),
                                      templates=("talk-card.html",), params={"script": script_id, "part": "card"},
                                      label=f"话术卡 {script_id}", **common))
            else:
                roles = speaking_roles(script)
                if roles:
                    targets.append(Target(
                        id=f"scripts/{script_id}/roles",
                        outputs=tuple(f"scripts/{script_id}/{role}.pdf" for role in roles),
                        templates=("script-role.html",), params={"script": script_id, "part": "roles"},
                        label=f"分角色台词 {script_id}", **common))
        return targets

    # In a pack the full script is printed with the rest, and so is a talk track's pocket card
    # (as an A4 sheet to cut and fold, so it prints with the pack on any printer). Each
    # performer's sides are printed on their own: listed with their printing instructions.
    def pack_parts(self, ref, library):
        script = library.item(SCRIPTS.folder, ref).model
        if script.form == TALK_TRACK:
            if library.config.scripts.card_layout == "A4-2up":
                card = PackPart(f"scripts/{ref}-card.pdf", f"{script.title}（口袋卡，印刷厂版）", duplex=False,
                                copies="需要精装卡片时交印刷厂，每位工作人员 1 张", target=f"scripts/{ref}/card",
                                in_pack=False, cut="横向 A4 单面打印，沿中间的虚线对折成 A5",
                                stock="250–300 克铜版卡", per="staff", each=1,
                                finishing="单面印刷；按裁切标记裁去出血，沿中间的虚线压痕对折成 A5")
            else:
                card = PackPart(f"scripts/{ref}-card.pdf", f"{script.title}（口袋卡，印刷厂版）", duplex=True,
                                copies="需要精装卡片时交印刷厂，每位工作人员 1 张", target=f"scripts/{ref}/card",
                                in_pack=False, cut="按页面尺寸用卡纸双面印刷（长边翻转），不需裁切",
                                stock="250–300 克铜版卡", per="staff", each=1,
                                finishing="双面印刷（长边翻转）；四边各带 3 毫米出血，按裁切标记裁成 A6（105×148 毫米）")
            return [PackPart(f"scripts/{ref}.pdf", script.title, duplex=True, copies="每位工作人员 1 份",
                             per="staff", each=1),
                    PackPart(f"scripts/{ref}-card-sheet.pdf", f"{script.title}（口袋卡）", duplex=False,
                             copies="每位工作人员 1 张（每张裁出 2 张卡）", target=f"scripts/{ref}/card",
                             cut="单面打印；沿四角的裁切线裁下两张，每张沿中间的虚线对折，正面朝外",
                             stock="200–250 克铜版卡", per="staff", each=0.5,
                             finishing="单面印刷；按裁切标记裁出 2 张（两张之间的间隙裁两刀），每张沿中间的虚线对折，正面朝外"),
                    card]
        roles = speaking_roles(script)
        parts = [PackPart(f"scripts/{ref}.pdf", script.title, duplex=True, copies="导演和每位演员各 1 份",
                          per="event", each=len(roles) + 1)]
        parts += [PackPart(f"scripts/{ref}/{role}.pdf", f"{script.title}（{role}的台词）", duplex=True,
                           copies=f"扮演“{role}”的演员 1 份", target=f"scripts/{ref}/roles", in_pack=False,
                           per="event", each=1)
                  for role in roles]
        return parts



    def render_batch(self, targets, ctx):
        """Lay out every document of the batch, then write them together (fonts subset once)."""
        from outreach.rendering.pdf import write_many

        results: dict[str, RenderResult | RenderError] = {}
        laid_out: list[tuple[Target, str, Any]] = []  # (target, output path, document)
        for target in targets:
            result = RenderResult()
            try:
                documents = getattr(self, f"_layout_{target.params['part']}")(target, ctx, result.warnings)
            except RenderError as problem:
                results[target.id] = problem
                continue
            laid_out.extend((target, output, document) for output, document in documents)
            results[target.id] = result
        pdfs = write_many([document for _, _, document in laid_out]) if laid_out else []
        for (target, output, _), pdf_bytes in zip(laid_out, pdfs, strict=True):
            outcome = results[target.id]
            if isinstance(outcome, RenderError):
                continue
            result = outcome
            try:
                if target.params["part"] == "card":
                    check_pages(pdf_bytes, f"劝阻话术卡 {target.params['script']}", "talk-card.html", ctx)
                    self._cards(ctx, result, output, pdf_bytes)
                    continue
                if ctx.print_ready:
                    role = "script-pdf" if target.params["part"] == "full" else "script-part"
                    pdf_bytes = print_master(ctx, output, pdf_bytes, Finish(A4_MM), role)
                    result.finished.add(output)
                result.outputs[output] = pdf_bytes
            except RenderError as problem:
                results[target.id] = problem
        return [results[t.id] for t in targets]

    @staticmethod
    def _cards(ctx, result: RenderResult, output: str, card_pdf: bytes) -> None:
        """The pocket card as set in [scripts] card_layout, and the A4 sheet of two to cut and fold."""
        sheet_output = output.replace("-card.pdf", "-card-sheet.pdf")
        sheet, cuts = impose_card_sheet(card_pdf, ctx.print_ready)
        trim = A6_MM
        if ctx.config.scripts.card_layout == "A4-2up":
            card_pdf, trim = impose_two_up(card_pdf, ctx.print_ready), A4_LANDSCAPE_MM
        if ctx.print_ready:
            card_pdf = print_master(ctx, output, card_pdf, Finish(trim), "talk-card")
            sheet = print_master(ctx, sheet_output, sheet, Finish(A4_MM, cuts=(cuts,)), "talk-card-sheet")
            result.finished |= {output, sheet_output}
        result.outputs[output] = card_pdf
        result.outputs[sheet_output] = sheet

    # --- the three kinds of document ------------------------------------------------------

    def _layout_full(self, target, ctx, warnings):
        return [(target.outputs[0], full_script(ctx, target.params["script"], warnings))]

    def _layout_roles(self, target, ctx, warnings):
        script_id = target.params["script"]
        context = script_context(ctx, script_id)
        documents = []
        for role in speaking_roles(context["script"]):
            what = f"脚本 {script_id} 的“{role}”分角色台词"
            role_context = context | {"role": context["role_info"][role], "blocks": role_sides(context["script"], role)}
            documents.append((f"scripts/{script_id}/{role}.pdf",
                              headed_layout(ctx, "script-role.html", role_context, what, warnings)))
        return documents

    # A pack numbers all its pages: the full script goes in without its own "第 1 页，共 4 页".
    def pack_copy(self, ref, part, ctx):
        if part.path != f"scripts/{ref}.pdf":
            return None
        from outreach.outputs.printing import finished_pdf
        from outreach.rendering.pdf import write_pdf

        data = write_pdf(full_script(ctx, ref, [], in_pack=True))
        if ctx.print_ready:
            return print_master(ctx, part.path, data, Finish(A4_MM), "script-pdf")
        return finished_pdf(ctx, data)

    def _layout_card(self, target, ctx, warnings):
        script_id = target.params["script"]
        context = script_context(ctx, script_id) | {"steps": talk_steps(ctx.library.item(SCRIPTS.folder, script_id).model)}
        what = f"劝阻话术卡 {script_id}"
        document = render_pages(ctx, "talk-card.html", context, what, context["source"], pages=CARD_PAGES,
                                warnings=warnings, shorten="话术（如缩短台词或减少步骤）", contract=TALK_CARD_CONTRACT)
        return [(target.outputs[0], document)]


def full_script(ctx: RenderContext, script_id: str, warnings: list[str], in_pack: bool = False):
    """The full script laid out (`in_pack`: without its own page numbers)."""
    context = script_context(ctx, script_id) | {"in_pack": in_pack}
    return headed_layout(ctx, "script.html", context, f"脚本 {script_id}", warnings)


# --- running headers ---------------------------------------------------------------------

def headed_layout(ctx: RenderContext, template: str, context: dict, what: str, warnings: list[str]):
    """Lay the script out, then again with each page headed by the scenes it shows ("二、视频借钱",
    or "一、开场 至 四、网络贷款" when several begin or run on it). CSS alone can only name the
    scene a page starts in, or the last one begun on it: a page that opens with the tail of
    scene 一 and is otherwise scene 二 was headed "一". The headers sit in the top margin, so
    the second layout breaks the pages where the first did."""
    html = render_html(ctx, template, context, what)
    document = layout(ctx, html, template, what, context["source"], warnings=warnings)
    headers = [css_string(text) if text else "" for text in page_scene_ranges(document)]
    if not any(headers):
        return document
    html = render_html(ctx, template, context | {"scene_headers": headers}, what)
    return layout(ctx, html, template, what, context["source"], warnings=warnings)


SCENE_CLASS = "scene-title"


def page_scene_ranges(document) -> list[str]:
    """Per page, the scenes it shows, as a running header: the scene in progress at its top
    (unless the page opens with a heading) and every scene heading on it, first to last."""
    from weasyprint.formatting_structure import boxes

    ranges = []
    current = ""
    for page in document.pages:
        headings: list[tuple[float, str]] = []
        top = None
        stack = [child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            if SCENE_CLASS in classes and isinstance(box, boxes.BlockBox):
                if not any(title == _text(element) and abs(y - box.position_y) < 1 for y, title in headings):
                    headings.append((box.position_y, _text(element)))
                continue
            if isinstance(box, boxes.LineBox):
                top = box.position_y if top is None else min(top, box.position_y)
                continue
            stack.extend(getattr(box, "children", []))
        headings.sort()
        shown = [title for _, title in headings]
        opens_with_heading = bool(headings) and (top is None or headings[0][0] <= top + 1)
        if current and not opens_with_heading:
            shown.insert(0, current)
        ranges.append(shown[0] if len(shown) == 1 else f"{shown[0]} 至 {shown[-1]}" if shown else "")
        if headings:
            current = headings[-1][1]
    return ranges


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def css_string(text: str):
    """`text` as a CSS string literal, every character but letters and digits escaped (it is a
    writer's scene title, and goes into a style sheet)."""
    from markupsafe import Markup

    return Markup('"' + "".join(c if c.isalnum() else f"\\{ord(c):x} " for c in text) + '"')


# --- template data ----------------------------------------------------------------------

def speaking_roles(script) -> list[str]:
    """Declared roles that have at least one line, in declaration order (a silent role gets no sides)."""
    speaking = {line.role for scene in script.scenes for line in scene.lines if hasattr(line, "role")}
    return [role.name for role in script.roles if role.name in speaking]


def estimated_minutes(chars: int, chars_per_minute: int) -> int:
    return max(1, math.ceil(chars / chars_per_minute))


def script_context(ctx: RenderContext, script_id: str) -> dict:
    """Variables of script.html, script-role.html and talk-card.html (documented in the README)."""
    item = ctx.library.item(SCRIPTS.folder, script_id)
    script = item.model
    scenario = ctx.library.get(SCENARIOS.folder, script.scenario) if script.scenario else None
    spoken = [line for scene in script.scenes for line in scene.lines if hasattr(line, "role")]
    chars = sum(spoken_length(line.text) for line in spoken)
    per_minute = ctx.config.scripts.chars_per_minute
    counts = {role.name: sum(1 for line in spoken if line.role == role.name) for role in script.roles}
    roles = [{"name": role.name, "description": role.description, "lines": counts[role.name]} for role in script.roles]
    return base_context(ctx) | {
        "script": script,
        "script_id": script_id,
        "source": item.path,
        "is_talk_track": script.form == TALK_TRACK,
        "scenario": scenario.model if scenario else None,
        "roles": roles,
        "role_info": {role["name"]: role for role in roles},
        "scenes": [scene_view(index, scene) for index, scene in enumerate(script.scenes)],
        "spoken_chars": chars,
        "chars_per_minute": per_minute,
        "minutes": estimated_minutes(chars, per_minute),
        "large_print": ctx.config.scripts.large_print,
        "role_width": role_column_em([role.name for role in script.roles]),
        "in_pack": False,
        "scene_headers": [],
        "scene_label": SCENE_NAMES.get(script.form, SCENE_NAMES["小品"])[0],
        "scene_unit": SCENE_NAMES.get(script.form, SCENE_NAMES["小品"])[1],
    }


ROLE_COLUMN_MAX_EM = 9     # a longer name wraps inside the column, and the text still starts at its edge


def role_column_em(names: list[str]) -> float:
    """How wide the role column of the dialogue is, in ems of the body text: the longest role
    name and its colon ("骗子（电话里）：" is 8), capped at ROLE_COLUMN_MAX_EM. A Latin letter or
    digit counts a little over half a Chinese character."""
    def width(name: str) -> float:
        return sum(0.6 if ord(char) < 0x2E80 else 1.0 for char in name)

    return min(max((width(name) for name in names), default=1.0) + 1.0, ROLE_COLUMN_MAX_EM)


def scene_view(index: int, scene) -> dict:
    items = [item_view(line) for line in scene.lines]
    opening = opening_length(items, lambda item: item["kind"] == "line")
    return {"number": index + 1, "numeral": chinese_numeral(index + 1), "title": scene.title,
            "items": items, "opening": items[:opening], "rest": items[opening:]}


def opening_length(entries: list[dict], spoken) -> int:
    """How many entries open a scene and stay on the page of its heading: everything up to the
    first spoken line (in a performer's sides: their first own line, after its cue), that line
    included."""
    for position, entry in enumerate(entries):
        if spoken(entry):
            return position + 1
    return len(entries)


def item_view(line) -> dict:
    if hasattr(line, "direction"):
        text = line.direction
        # Scripts put directions in （）; do not double the brackets a writer already typed.
        return {"kind": "direction", "text": text, "bracket": not (text.startswith("（") and text.endswith("）"))}
    return {"kind": "line", "role": line.role, "text": line.text}


def role_sides(script, role: str) -> list[dict]:
    """Per scene, what one performer needs: their lines, each run preceded by its cue (the item
    before it), and the stage directions that name them; "gap" marks skipped material."""
    blocks = []
    for index, scene in enumerate(script.scenes):
        items = scene.lines
        wanted: dict[int, str] = {}
        for position, line in enumerate(items):
            if getattr(line, "role", None) == role:
                wanted[position] = "own"
                if position > 0 and position - 1 not in wanted:
                    wanted[position - 1] = "cue"
            elif hasattr(line, "direction") and role in line.direction:
                wanted.setdefault(position, "direction")
        if not wanted:
            continue
        entries: list[dict] = []
        previous = -1
        for position in sorted(wanted):
            if position > previous + 1 and entries:
                entries.append({"kind": "gap"})
            entries.append(item_view(items[position]) | {"part": wanted[position]})
            previous = position
        first_own = min((p for p, kind in wanted.items() if kind == "own"), default=None)
        opening = opening_length(entries, lambda entry: entry.get("part") == "own")
        blocks.append({"scene": scene_view(index, scene), "entries": entries, "opening": entries[:opening],
                       "rest": entries[opening:], "opens_scene": first_own == 0})
    return blocks


def talk_steps(script) -> list[dict]:
    """劝阻话术 steps: the first declared role is the staff member; a staff line before any reply
    is what to say, a line of anyone else what the person may say, a staff line after it the response."""
    staff = script.roles[0].name
    steps = []
    for index, scene in enumerate(script.scenes):
        entries = []
        replied = False
        for line in scene.lines:
            if hasattr(line, "direction"):
                entries.append({"kind": "note", "text": line.direction})
            elif line.role == staff:
                entries.append({"kind": "respond" if replied else "say", "role": line.role, "text": line.text})
            else:
                replied = True
                entries.append({"kind": "reply", "role": line.role, "text": line.text})
        steps.append({"number": index + 1, "title": scene.title, "entries": entries})
    return steps


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (scene numbers stay below a hundred)."""
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(number)


# --- card helpers -----------------------------------------------------------------------

CARD_SHEET_SCALE = 0.9   # two A6 cards side by side fit an A4 width only at 90 %, inside printers' margins
SHEET_GAP_MM = 8.0       # between the two copies: room for two cuts (each copy's own bleed) and their marks


def card_sheet_boxes() -> tuple[Box, Box]:
    """Where the two copies (front and back side by side, folded between them) are cut out of
    the A4 sheet: mm from its top-left corner."""
    width, height = 2 * A6_MM[0] * CARD_SHEET_SCALE, A6_MM[1] * CARD_SHEET_SCALE
    left, top = (A4_MM[0] - width) / 2, (A4_MM[1] - 2 * height - SHEET_GAP_MM) / 2
    return Box(left, top, width, height), Box(left, top + height + SHEET_GAP_MM, width, height)


def impose_card_sheet(card_pdf: bytes, print_ready: bool = False) -> tuple[bytes, tuple[Box, Box]]:
    """An A4 portrait sheet holding the card twice (top and bottom half): front and back side by
    side at 90 %, a dashed fold line between them, and the boxes the two copies are cut along.
    The office version has its own cut marks around each pair; a print master's copies keep the
    card's bleed on their three outer edges (its marks are drawn at each cut by the prepress step),
    and the sheet has the bleed of every print-ready page."""
    import pikepdf

    boxes = card_sheet_boxes()
    width, height = A4_MM[0] * PT_PER_MM, A4_MM[1] * PT_PER_MM
    edge = CARD_BLEED_MM * PT_PER_MM
    with pikepdf.open(io.BytesIO(card_pdf)) as card, pikepdf.new() as sheet:
        sheet.add_blank_page(page_size=(width, height))
        page = sheet.pages[0]
        if print_ready:
            page.obj.MediaBox = page.obj.BleedBox = pikepdf.Array([-edge, -edge, width + edge, height + edge])
            page.obj.TrimBox = pikepdf.Array([0, 0, width, height])
        sides = list(card.pages)[:CARD_PAGES]
        names = []
        for index, side in enumerate(sides):
            name = pikepdf.Name(f"/Side{index + 1}")  # fixed names: the same card gives the same bytes
            form = sheet.copy_foreign(side.as_form_xobject())
            trim = [float(v) for v in side.obj.get("/TrimBox", side.mediabox)]
            if print_ready:   # the card's bleed on its outer edges; none at the fold, where the sides meet
                bleed = [float(v) for v in side.obj.get("/BleedBox", side.mediabox)]
                form.BBox = pikepdf.Array([bleed[0] if index == 0 else trim[0], bleed[1],
                                           trim[2] if index == 0 else bleed[2], bleed[3]])
            page.add_resource(form, pikepdf.Name.XObject, name)
            names.append((name, trim))
        drawing = b""
        for box in boxes:
            left, bottom = box.x * PT_PER_MM, height - (box.y + box.h) * PT_PER_MM
            half = box.w / 2 * PT_PER_MM
            for index, (name, trim) in enumerate(names):
                # The side's trim lands on its half of the copy, scaled: the form is drawn in the
                # card page's own coordinates (its TrimBox may not start at 0, 0).
                x = left + index * half - trim[0] * CARD_SHEET_SCALE
                y = bottom - trim[1] * CARD_SHEET_SCALE
                drawing += (f"q {CARD_SHEET_SCALE:g} 0 0 {CARD_SHEET_SCALE:g} {x:.3f} {y:.3f} cm "
                            f"{name} Do Q\n").encode()
            if not print_ready:
                drawing += _cut_marks(left, bottom, left + 2 * half, bottom + box.h * PT_PER_MM)
            drawing += (f"q 0.6 G 0.5 w [4 3] 0 d {left + half:.2f} {bottom + 4:.2f} m "
                        f"{left + half:.2f} {bottom + box.h * PT_PER_MM - 4:.2f} l S Q\n").encode()
        page.contents_add(sheet.make_stream(drawing), prepend=False)
        sheet.docinfo["/Creator"] = "outreach"
        buffer = io.BytesIO()
        sheet.save(buffer, deterministic_id=True, compress_streams=True)
        return buffer.getvalue(), boxes


def _cut_marks(x0: float, y0: float, x1: float, y1: float, length: float = 14, offset: float = 4) -> bytes:
    """Corner crop marks just outside a rectangle (points)."""
    lines = []
    for x, dx in ((x0, -1), (x1, 1)):
        for y, dy in ((y0, -1), (y1, 1)):
            lines.append(f"{x + dx * offset:.2f} {y:.2f} m {x + dx * (offset + length):.2f} {y:.2f} l")
            lines.append(f"{x:.2f} {y + dy * offset:.2f} m {x:.2f} {y + dy * (offset + length):.2f} l")
    return ("q 0 G 0.3 w " + " ".join(lines) + " S Q\n").encode()


def impose_two_up(card_pdf: bytes, print_ready: bool = False) -> bytes:
    """Front and back side by side on one landscape A4 (each enlarged to A5), with a fold line;
    a print master's sheet has the bleed of every print-ready page."""
    import pikepdf

    width, height = A4_LANDSCAPE_PT
    edge = CARD_BLEED_MM * PT_PER_MM
    with pikepdf.open(io.BytesIO(card_pdf)) as card, pikepdf.new() as sheet:
        sheet.add_blank_page(page_size=(width, height))
        page = sheet.pages[0]
        if print_ready:
            page.obj.MediaBox = page.obj.BleedBox = pikepdf.Array([-edge, -edge, width + edge, height + edge])
            page.obj.TrimBox = pikepdf.Array([0, 0, width, height])
        drawing = b""
        for index, side in enumerate(list(card.pages)[:CARD_PAGES]):
            # Named by hand: add_overlay picks random resource names, and the same card must
            # give the same bytes on every build.
            name = pikepdf.Name(f"/Side{index + 1}")
            form = sheet.copy_foreign(side.as_form_xobject())
            page.add_resource(form, pikepdf.Name.XObject, name)
            rect = pikepdf.Rectangle(index * width / 2, 0, (index + 1) * width / 2, height)
            drawing += page.calc_form_xobject_placement(form, name, rect, allow_expand=True)
        drawing += f"q 0.6 G 0.5 w [4 3] 0 d {width / 2:.2f} 8 m {width / 2:.2f} {height - 8:.2f} l S Q\n".encode()
        page.contents_add(sheet.make_stream(drawing), prepend=False)
        for key in ("/Title", "/Producer"):
            if key in card.docinfo:
                sheet.docinfo[key] = card.docinfo[key]
        sheet.docinfo["/Creator"] = "outreach"
        buffer = io.BytesIO()
        sheet.save(buffer, deterministic_id=True, compress_streams=True)
        return buffer.getvalue()
