"""宣讲课件: one 16:9 PowerPoint deck per pack (build/decks/<pack>.pptx) for an officer's lecture.

Slides, in order: title (pack, audience, unit, date), agenda, for each scenario of the pack
识别要点, 防范要点, the case and the law as a quotation, the pack's quiz questions each followed
by its answer, and a closing slide with the hotlines, the app line and the QR code. Every slide
has speaker notes written from the content, so an officer who did not write the deck can give
the talk.

Every text is a real text box, each run naming the East Asian typeface ([decks] font) as well as
the Latin one, coloured from [theme]. Text is measured (rendering/deckfit.py) before it is placed:
what does not fit goes on a continuation slide (“（续）”); a single field that cannot fit on a
slide fails the target, naming the item and the field.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from outreach.buildspec.target import Target
from outreach.outputs.base import RenderContext, Renderer, RenderError, RenderResult, RoleView
from outreach.project.kinds import LAWS, QUIZZES, SCENARIOS, SCRIPTS, registry
from outreach.project.models import LETTERS
from outreach.rendering import deckfit

EMU_PER_PT = 12700
SLIDE_W, SLIDE_H = 960.0, 540.0        # points: 16:9 at 13.333 × 7.5 in
MARGIN = 48.0
BAR_H = 84.0                            # the title bar
BODY_TOP = BAR_H + 22.0
BODY_BOTTOM = SLIDE_H - 30.0
INSET_X, INSET_Y = 7.2, 3.6             # text box insets, points
LINE = 1.4                              # exact line spacing, × font size
TITLE_LINE = 1.2
SLACK = 4.0                             # points kept free at the bottom of every text box
TITLE_SIZES = ((32, 1), (28, 1), (24, 2))
Place = tuple[str, int, int]            # (file, line, column) of the words on a slide
NUMBER_SIZES = (54, 44, 36, 28, 22)     # a hotline's number on the closing slide, the largest that fits
LABEL_SIZE, HOTLINE_GAP = 18, 24.0
COVER_H, COVER_SIZES = 300.0, ((48, 1), (44, 2), (36, 2), (30, 3))   # the title slide's band and title
AGENDA_SIZE = 26
# Large type: a hall's back row reads 32-pt lists; stories and law quotations are read aloud.
LIST_SIZE, STORY_SIZE, QUOTE_SIZE, QUESTION_SIZE, CHOICE_SIZE = 32, 26, 24, 30, 28
TALK_FORM = "劝阻话术"
CONTINUED = "（续）"


class DecksSection(BaseModel):
    """outreach.toml [decks]: only this kind reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="宣讲课件")

    font: str = Field("Microsoft YaHei", min_length=1, max_length=60, pattern=r"^[^<>&\"]+$",
                      description="课件文字的字体（中文和西文都用它）。默认“微软雅黑”（Microsoft YaHei），Windows 和 WPS "
                                  "都带；放映的电脑没有这个字体时 PowerPoint/WPS 会换用别的字体，排版可能变化")
    font_hant: str = Field("Microsoft JhengHei", min_length=1, max_length=60, pattern=r"^[^<>&\"]+$",
                           description="繁体版课件的字体，默认“微軟正黑體”（Microsoft JhengHei）")
    quiz_questions: int = Field(5, ge=0, le=50,
                                description="课件里放几道问答题（按题库顺序取前几道；0 表示全部）")


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box; `where` names the content field for an error message."""

    text: str
    size: float
    color: str
    bold: bool = False
    bullet: bool = False
    align: str = "l"
    gap: float = 0.0                 # space before, points (not on a box's first paragraph)
    where: tuple[str, int, str] | None = None   # (file, line, what) of the field it comes from
    splittable: bool = True          # may be cut into sentences over two slides
    with_previous: bool = False      # stays on the slide of the paragraph before (a quotation's source)

    @property
    def line_pt(self) -> float:
        return self.size * LINE

    @property
    def indent(self) -> float:
        return self.size * 1.2 if self.bullet else 0.0


class DecksRenderer(Renderer):
    name = "decks"
    label = "宣讲课件"
    version = "1"
    config_section = "decks"
    config_model = DecksSection
    # review: a deck shows what its pack prints (reviewed content unless [review] says otherwise).
    # lint: the spacing rule between Chinese and Latin text.
    config_sections = ("project", "theme", "decks", "feed", "review", "lint")
    roles = (("decks/*.pptx", "deck"),)
    role_views = {"deck": RoleView("宣讲课件（PPT）", "file", order=5)}

    def plan(self, library, options):
        from outreach.project.kinds import PACKS

        targets = []
        for pack_id, item in sorted(library.kind(PACKS.folder).items()):
            sources = {used.path for used in used_items(library, item)}
            targets.append(Target(
                id=f"decks/{pack_id}", renderer=self.name, outputs=(f"decks/{pack_id}.pptx",),
                # The pack first: the editor lists a target under the item its first source is.
                sources=(item.path, *sorted(sources - {item.path})), params={"pack": pack_id},
                label=f"宣讲课件 {pack_id}"))
        return targets

    def check(self, ctx):
        """The decks are measured, not laid out: `outreach check` finds what would not fit. The
        editor checks on every edit: a pack none of whose content changed is not measured again."""
        from outreach.project.kinds import PACKS

        problems = []
        with ctx.shared_reads():
            settings = ctx.config.model_dump_json()
            laws = tuple(sorted((i.id, i.digest) for i in ctx.library.kind(LAWS.folder).values()))   # kept law names
        for pack_id, item in sorted(ctx.library.kind(PACKS.folder).items()):
            key = (pack_id, ctx.locale, settings, laws, tuple(sorted(ctx.library.omitted)),
                   tuple((used.path, used.digest) for used in used_items(ctx.library, item)))
            if key not in _CHECKED:
                try:
                    _deck_bytes(ctx, pack_id, [], draw=False)
                    found = None
                except RenderError as problem:
                    found = problem
                if len(_CHECKED) >= 64:
                    _CHECKED.clear()
                _CHECKED[key] = found
            if _CHECKED[key] is not None:
                problems.append(_CHECKED[key])
        return problems

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        result = RenderResult()
        pack_id = target.params["pack"]
        result.outputs[f"decks/{pack_id}.pptx"] = _deck_bytes(ctx, pack_id, result.warnings)
        return result


_CHECKED: dict[tuple, RenderError | None] = {}


def used_items(library, pack_item) -> list:
    """The pack and every content item its deck shows: the entries, what each uses (a script's
    scenario), and the laws each scenario cites (quoted on its slides)."""
    from outreach.project.library import references

    entries = [library.get(registry.pack_item(e.key).folder, e.ref) for e in pack_item.model.items]
    entries = [e for e in entries if e is not None]
    used = [library.get(*ref) for item in entries for ref in references(item)]
    laws = [library.get(LAWS.folder, ref.law) for item in entries if item.kind == SCENARIOS.folder
            for ref in item.model.laws]
    found = {item.path: item for item in [pack_item, *entries, *used, *laws] if item is not None}
    return [found[path] for path in sorted(found)]


def _deck_bytes(ctx: RenderContext, pack_id: str, warnings: list[str], draw: bool = True) -> bytes:
    try:
        return build_deck(ctx, pack_id, warnings, draw)
    except deckfit.FontMissing as missing:
        raise RenderError(f"生成宣讲课件需要量字用的字体 {missing}（Debian 软件包 fonts-noto-cjk），"
                          "请先安装（make install 会装好）。") from None


# --- the deck's content -------------------------------------------------------------------------

class Deck:
    """A python-pptx presentation with the project's font, colours and measuring."""

    def __init__(self, ctx: RenderContext, pack_path: str, draw: bool = True) -> None:
        """`draw`: make the presentation; False only measures (`outreach check`, the editor's
        checks on every edit: no python-pptx, a few milliseconds a deck)."""
        self.ctx = ctx
        self.draw = draw
        self.pack_path = pack_path
        self.theme = ctx.config.theme
        decks = ctx.config.decks
        self.font = decks.font_hant if ctx.locale == "zh-Hant" else decks.font
        region = ctx.config.project.region
        self.lang = "zh-CN" if ctx.locale != "zh-Hant" else {"hk": "zh-HK", "mo": "zh-MO"}.get(region, "zh-TW")
        if draw:
            from pptx import Presentation
            from pptx.util import Emu

            self.prs = Presentation()
            self.prs.slide_width, self.prs.slide_height = Emu(int(SLIDE_W * EMU_PER_PT)), Emu(int(SLIDE_H * EMU_PER_PT))
            self.layout = self.prs.slide_layouts[5]   # "Title Only": the title is the slide's title placeholder
        from outreach.rendering.typeset import context_rules

        # Names, phone numbers and short quotations stay on one line.
        self.keep = context_rules(ctx).pattern

    def localize(self, text: str) -> str:
        """Slide text as every output has it: the [lint] spacing rule between Chinese and Latin,
        then the build's script (zh-Hant converted)."""
        from outreach.checks.spacing import apply_spacing

        return self.ctx.localize(apply_spacing(text, self.ctx.config.lint.cjk_latin_space))

    # Slides

    def slide(self, title: str, notes: str, band: str | None = None, bar_h: float = BAR_H,
              sizes: tuple[tuple[int, int], ...] = TITLE_SIZES, place: Place | None = None):
        """A slide with a coloured title bar and its title, and speaker notes. `place`: where the
        title's words come from, for the message when they do not fit."""
        size, lines = self.title_fit(title, SLIDE_W - 2 * MARGIN, sizes, place)
        if not self.draw:
            return None
        slide = self.prs.slides.add_slide(self.layout)
        color = band or self.theme.primary_color
        self.rect(slide, 0, 0, SLIDE_W, bar_h, color)
        holder = slide.shapes.title
        self.place(holder, MARGIN, (bar_h - lines * size * TITLE_LINE) / 2 - INSET_Y, SLIDE_W - 2 * MARGIN,
                   lines * size * TITLE_LINE + 2 * INSET_Y + SLACK)
        self.fill_text(holder.text_frame, [Para(title, size, self.theme.inverse_color, bold=True)],
                       SLIDE_W - 2 * MARGIN, line=TITLE_LINE)
        holder.element.getparent().remove(holder.element)
        slide.shapes._spTree.append(holder.element)   # drawn over the bar
        self.notes(slide, notes)
        return slide

    def title_fit(self, title: str, width: float, sizes: tuple[tuple[int, int], ...],
                  place: Place | None = None) -> tuple[float, int]:
        for size, max_lines in sizes:
            lines = deckfit.wrap(title, width - 2 * INSET_X, size, self.keep)
            if lines is not None and len(lines) <= max_lines:
                return size, len(lines)
        file, line, column = place or (self.pack_path, 0, 0)
        raise RenderError(f"宣讲课件：幻灯片标题“{title}”太长，标题栏放不下。请缩短标题。", file, line,
                          code="deck-too-long", column=column)

    def notes(self, slide, text: str) -> None:
        frame = slide.notes_slide.notes_text_frame
        paras = [Para(line, 12, self.theme.ink_color) for line in text.split("\n") if line.strip()]
        self.fill_text(frame, paras or [Para(" ", 12, self.theme.ink_color)], None, line=None)

    def rect(self, slide, x, y, w, h, color: str, rounded: bool = False):
        if slide is None:
            return None
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.oxml.ns import qn

        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE if rounded else MSO_SHAPE.RECTANGLE,
                                       *self.emu(x, y, w, h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(color)
        shape.line.fill.background()
        # Without the theme style a shape has no shadow or glow: LibreOffice draws those as a
        # picture, and the bar would be a picture under the title.
        style = shape._element.find(qn("p:style"))
        if style is not None:
            shape._element.remove(style)
        return shape

    def emu(self, *values: float):
        from pptx.util import Emu

        return [Emu(round(v * EMU_PER_PT)) for v in values]

    def place(self, shape, x, y, w, h) -> None:
        shape.left, shape.top, shape.width, shape.height = self.emu(x, y, w, h)

    def box(self, slide, x, y, w, paras: list[Para], h: float | None = None, fill: str | None = None,
            anchor: str = "t"):
        """A text box `w` wide holding `paras`, as tall as they need (or `h`, checked)."""
        need = self.height(paras, w)
        if h is None:
            h = need
        assert need <= h + 0.01, (need, h)
        if slide is None:
            return None
        shape = slide.shapes.add_textbox(*self.emu(x, y, w, h))
        if fill:
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb(fill)
        self.fill_text(shape.text_frame, paras, w, anchor=anchor)
        return shape

    def height(self, paras: list[Para], w: float) -> float:
        """Height the paragraphs take in a text box `w` wide, insets and slack included;
        RenderError naming the field when one cannot be laid out at all."""
        total = 2 * INSET_Y + SLACK
        for index, para in enumerate(paras):
            lines = deckfit.wrap(para.text, w - 2 * INSET_X - para.indent, para.size, self.keep)
            if lines is None:
                raise self.too_long(para, "里面有一串连续的字母或数字比幻灯片还宽")
            total += len(lines) * para.line_pt + (para.gap if index else 0)
        return total

    def too_long(self, para: Para, why: str) -> RenderError:
        file, line, what = para.where or (self.pack_path, 0, "一段文字")
        return RenderError(f"宣讲课件：{what}太长，{why}（“{para.text[:20]}…”）。请把这段文字缩短或分成几句。",
                           file, line, code="deck-too-long")

    def fill_text(self, frame, paras: list[Para], width: float | None, line: float | None = LINE,
                  anchor: str = "t") -> None:
        """The paragraphs into a text frame. On a slide (`width` given) every line ends where it
        was measured to end, with a line break (Shift+Enter): PowerPoint, WPS and LibreOffice each
        break Chinese lines by their own rules (names, numbers and quotations split, a closing
        mark at a line's start), so the deck does not leave it to them."""
        from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
        from pptx.util import Pt

        if line is not None:   # a slide's box: fixed insets, wrapping, never resized or shrunk
            frame.word_wrap = True
            frame.auto_size = MSO_AUTO_SIZE.NONE
            frame.margin_left = frame.margin_right = Pt(INSET_X)
            frame.margin_top = frame.margin_bottom = Pt(INSET_Y)
            frame.vertical_anchor = {"t": MSO_ANCHOR.TOP, "m": MSO_ANCHOR.MIDDLE}[anchor]
        for index, para in enumerate(paras):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = {"l": PP_ALIGN.LEFT, "c": PP_ALIGN.CENTER, "r": PP_ALIGN.RIGHT}[para.align]
            if line is not None:
                paragraph.line_spacing = Pt(para.size * line)
                paragraph.space_before = Pt(para.gap if index else 0)
                paragraph.space_after = Pt(0)
                _bullet(paragraph, para, self.font)
            if width is None:
                lines = [para.text]
            else:
                wrapped = deckfit.wrap(para.text, width - 2 * INSET_X - para.indent, para.size, self.keep)
                assert wrapped is not None   # measured before: height() reports what cannot be laid out
                lines = wrapped
            for number, text in enumerate(lines):
                if number:
                    paragraph.add_line_break()
                run = paragraph.add_run()
                run.text = text
                font = run.font
                font.size = Pt(para.size)
                font.bold = para.bold
                font.color.rgb = _rgb(para.color)
                font.name = self.font
                _east_asian(run, self.font, self.lang)

    # Fitting

    def pages(self, paras: list[Para], w: float, h: float) -> list[list[Para]]:
        """`paras` over as many boxes `w` × `h` as they need: whole paragraphs where they fit,
        a paragraph too long for one box cut after a sentence; a sentence too long fails."""
        queue = list(paras)
        pages: list[list[Para]] = [[]]
        while queue:
            para = queue.pop(0)
            candidate = [*pages[-1], para]
            if self.height(candidate, w) <= h:
                pages[-1] = candidate
                continue
            if para.with_previous and pages[-1]:
                # Take the paragraph before along to the next slide, or its last sentence when it
                # is alone on this one.
                previous = pages[-1][-1]
                parts = deckfit.sentences(previous.text) if previous.splittable else []
                if len(pages[-1]) > 1:
                    pages[-1].pop()
                    pages.append([])
                    queue[0:0] = [previous, para]
                    continue
                if len(parts) > 1:
                    pages[-1][-1] = replace(previous, text="".join(parts[:-1]))
                    pages.append([])
                    queue[0:0] = [replace(previous, text=parts[-1], bullet=False), para]
                    continue
            if pages[-1]:
                pages.append([])
                queue.insert(0, para)
                continue
            parts = deckfit.sentences(para.text) if para.splittable else [para.text]
            if len(parts) < 2:
                raise self.too_long(para, "一页幻灯片放不下，又没有句号可以分页")
            # Fill the slide sentence by sentence; the rest continues on the next.
            taken = 1
            while taken < len(parts) and self.height([replace(para, text="".join(parts[:taken + 1]))], w) <= h:
                taken += 1
            head = replace(para, text="".join(parts[:taken]))
            if self.height([head], w) > h:
                raise self.too_long(replace(para, text=parts[0]), "其中一句话一页幻灯片就放不下")
            pages[-1] = [head]
            queue.insert(0, replace(para, text="".join(parts[taken:]), bullet=False, gap=para.gap))
        return [page for page in pages if page]

    def text_slides(self, title: str, notes: str, paras: list[Para], fill: str | None = None,
                    band: str | None = None, place: Place | None = None) -> int:
        """Slides of `paras` under `title` (whose words come from `place`), continued as needed;
        returns how many."""
        x, w, h = MARGIN, SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
        pages = self.pages(paras, w, h)
        for number, page in enumerate(pages):
            slide = self.slide(title + (self.localize(CONTINUED) if number else ""), notes, band, place=place)
            first = replace(page[0], gap=0)
            self.box(slide, x, BODY_TOP, w, [first, *page[1:]], fill=fill)
        return len(pages)


def _rgb(color: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(color.lstrip("#").upper())


def _east_asian(run, typeface: str, lang: str) -> None:
    """The East Asian and complex-script typefaces beside the Latin one python-pptx sets: without
    `a:ea` PowerPoint and WPS draw Chinese in the theme's East Asian font."""
    from pptx.oxml.ns import qn

    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", lang)
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    for tag in ("a:cs", "a:ea"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
        element = rpr.makeelement(qn(tag), {"typeface": typeface})
        latin.addnext(element)   # ea, then cs, right after latin (the schema's order)


def _bullet(paragraph, para: Para, typeface: str) -> None:
    from pptx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    for child in list(ppr):
        if child.tag in (qn("a:buNone"), qn("a:buChar"), qn("a:buFont"), qn("a:buSzPct"), qn("a:buClr")):
            ppr.remove(child)
    indent = round(para.indent * EMU_PER_PT)
    ppr.set("marL", str(indent))
    ppr.set("indent", str(-indent if para.bullet else 0))
    if para.bullet:
        colour = ppr.makeelement(qn("a:buClr"), {})
        colour.append(colour.makeelement(qn("a:srgbClr"), {"val": para.color.lstrip("#").upper()}))
        ppr.append(colour)
        ppr.append(ppr.makeelement(qn("a:buSzPct"), {"val": "70000"}))
        ppr.append(ppr.makeelement(qn("a:buFont"), {"typeface": typeface}))
        ppr.append(ppr.makeelement(qn("a:buChar"), {"char": "●"}))
    else:
        ppr.append(ppr.makeelement(qn("a:buNone"), {}))


# --- the slides of one pack -----------------------------------------------------------------------

def build_deck(ctx: RenderContext, pack_id: str, warnings: list[str], draw: bool = True) -> bytes:
    from outreach.outputs.packs import publishable_entries
    from outreach.project.kinds import PACKS

    library = ctx.library
    pack_item = library.item(PACKS.folder, pack_id)
    pack = pack_item.model
    deck = Deck(ctx, pack_item.path, draw)
    L = deck.localize
    theme = ctx.config.theme
    entries, left_out = publishable_entries(library, pack)
    if left_out:
        warnings.append(f"宣讲课件 {pack_id}：{len(left_out)} 项未审核的内容没有放进课件。")
    folders = [(registry.pack_item(e.key).folder, e.ref) for e in entries]
    scenarios = [library.item(SCENARIOS.folder, ref) for folder, ref in folders if folder == SCENARIOS.folder]
    quizzes = [library.item(QUIZZES.folder, ref) for folder, ref in folders if folder == QUIZZES.folder]
    scripts = [library.item(SCRIPTS.folder, ref) for folder, ref in folders if folder == SCRIPTS.folder]
    questions = [(quiz, index, q) for quiz in quizzes for index, q in enumerate(quiz.model.questions)]
    limit = ctx.config.decks.quiz_questions
    if limit:
        questions = questions[:limit]
    organisation = ctx.config.project.organisation
    audience = library.audience_label(pack.audience)
    date = pack.date or ctx.config.feed.published

    # Title slide
    title_notes = [f"开场：大家好，我是{organisation}的民警。今天和大家聊一聊怎样识别和防范电信网络诈骗。"]
    if pack.description:
        title_notes.append(f"本次宣讲：{pack.description}")
    title_notes.append(f"课件共讲 {len(scenarios)} 种常见骗局，每种先讲怎么识别，再讲怎么防范，然后讲案例和法律规定，"
                       "最后是互动问答和求助电话。")
    slide = deck.slide(L(pack.title), L("\n".join(title_notes)), bar_h=COVER_H, sizes=COVER_SIZES,
                       place=_place(pack_item, ("title",)))
    lines = [Para(L(f"面向：{audience}"), 28, theme.ink_color, bold=True),
             Para(L(organisation), 24, theme.muted_color, gap=12)]
    if date:
        lines.append(Para(f"{date.year}年{date.month}月{date.day}日", 24, theme.muted_color, gap=12))
    deck.box(slide, MARGIN, COVER_H + 36, SLIDE_W - 2 * MARGIN, lines)

    # Agenda
    agenda = [Para(L(s.model.title), AGENDA_SIZE, theme.ink_color, bullet=True, gap=6,
                   where=_where(s, ("title",), "诈骗类型的标题")) for s in scenarios]
    if questions:
        agenda.append(Para(L(f"互动问答（{len(questions)}题）"), AGENDA_SIZE, theme.ink_color, bullet=True, gap=6))
    agenda.append(Para(L("求助电话"), AGENDA_SIZE, theme.ink_color, bullet=True, gap=6))
    deck.text_slides(L("今天讲什么"), L("按这个顺序讲：" + "；".join(p.text for p in agenda) + "。"), agenda)

    # Scenarios
    talks: dict[str, list] = {}
    for script in scripts:
        model = script.model
        if getattr(model, "form", "") == TALK_FORM and model.scenario:
            talks.setdefault(model.scenario, []).append(model)
    for item in scenarios:
        _scenario_slides(deck, ctx, item, talks.get(item.id, []))

    # Quiz
    for number, (quiz, index, question) in enumerate(questions, 1):
        _quiz_slides(deck, quiz, index, question, number)

    # Closing
    _closing_slide(deck, ctx)
    return _deterministic(deck, date) if draw else b""


def _place(item, path: tuple) -> Place:
    """(file, line, column) of a content field."""
    return (item.path, *item.source.locate(path))


def _where(item, path: tuple, what: str) -> tuple[str, int, str]:
    line = item.source.locate(path)[0]
    title = getattr(item.model, "title", "")
    return item.path, line, f"“{title}”的{what}（{'.'.join(str(p) for p in path)}）"


def _scenario_slides(deck: Deck, ctx: RenderContext, item, talks: list) -> None:
    from outreach.outputs.html import law_citations

    L, theme = deck.localize, ctx.config.theme
    scenario = item.model
    title = L(scenario.title)
    signs = [Para(L(s), LIST_SIZE, theme.ink_color, bullet=True, gap=12, where=_where(item, ("signs", i), "识别要点"))
             for i, s in enumerate(scenario.signs)]
    notes = [f"这一类骗局：{scenario.summary}", "识别要点，逐条讲给听众：", *[f"{i}. {s}" for i, s in enumerate(scenario.signs, 1)]]
    if scenario.quote:
        notes.append(f"可以这样总结：{scenario.quote}")
    place = _place(item, ("title",))
    deck.text_slides(L(f"识别要点：{scenario.title}"), L("\n".join(notes)), signs, band=theme.bad_color, place=place)

    advice = [Para(L(a), LIST_SIZE, theme.ink_color, bullet=True, gap=12, where=_where(item, ("advice", i), "防范要点"))
              for i, a in enumerate(scenario.advice)]
    notes = ["防范要点，请听众记住这几条：", *[f"{i}. {a}" for i, a in enumerate(scenario.advice, 1)],
             f"{ctx.config.project.call_advice}。"]
    for talk in talks:
        notes.append(f"劝阻话术（{talk.title}）：")
        for scene in talk.scenes:
            notes.extend(f"{line.role}：{line.text}" for line in scene.lines if hasattr(line, "role"))
    deck.text_slides(L(f"防范要点：{scenario.title}"), L("\n".join(notes)), advice, band=theme.good_color, place=place)

    if scenario.story:
        from outreach.outputs.articles import paragraphs

        story = [Para(L(_plain(p)), STORY_SIZE, theme.ink_color, gap=14, where=_where(item, ("story",), "案例"))
                 for p in paragraphs(scenario.story)]
        notes = ["讲案例：把这个故事讲给听众，讲到骗子要钱或要信息的那一步时停一下，问听众“换成您，会怎么做？”",
                 f"要点：{scenario.summary}"]
        deck.text_slides(L(f"案例：{title}"), L("\n".join(notes)), story, fill=theme.surface_color, place=place)

    cited = law_citations(ctx, scenario.laws)
    if cited:
        quotes: list[Para] = []
        for i, law in enumerate(cited):
            where = _law_where(ctx, scenario.laws[i])
            quotes.append(Para(L(f"“{law['article'].text.strip()}”"), QUOTE_SIZE, theme.ink_color, gap=18, where=where))
            quotes.append(Para(L(law['citation']), 20, theme.primary_color, bold=True, align="r", gap=4,
                               splittable=False, with_previous=True))
        notes = ["法律依据：念出条文，再用一句话解释它和这个骗局的关系。",
                 *[f"{law['citation']}（{law['law'].title}）" for law in cited]]
        deck.text_slides(L(f"法律依据：{title}"), L("\n".join(notes)), quotes, place=place)


def _plain(markdown: str) -> str:
    """A Markdown paragraph's text without its marks (**重点** → 重点): a slide's text box
    shows text, not Markdown."""
    import html
    import re

    from outreach.rendering.filters import markdown as to_html

    return html.unescape(re.sub(r"<[^>]+>", "", str(to_html(markdown)))).strip()


def _law_where(ctx: RenderContext, ref) -> tuple[str, int, str]:
    law_item = ctx.library.item(LAWS.folder, ref.law)
    law = law_item.model
    index = next((i for i, a in enumerate(law.articles) if a.key == ref.article), 0)
    line = law_item.source.locate(("articles", index, "text"))[0]
    return law_item.path, line, f"《{law.short}》的条文（articles.{index}.text）"


def _quiz_slides(deck: Deck, quiz, index: int, question, number: int) -> None:
    theme = deck.theme
    L = deck.localize
    kind = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题"}[question.kind]
    path = ("questions", index)
    body = [Para(L(question.question), QUESTION_SIZE, theme.ink_color, bold=True, splittable=False,
                 where=_where(quiz, (*path, "question"), f"第 {index + 1} 题的题干"))]
    letters = LETTERS
    if question.kind == "truefalse":
        body.append(Para(L("对　　　　错"), CHOICE_SIZE, theme.ink_color, gap=18, splittable=False))
    else:
        body += [Para(L(f"{letters[i]}．{choice}"), CHOICE_SIZE, theme.ink_color, gap=12 if i else 18, splittable=False,
                      where=_where(quiz, (*path, "choices", i), f"第 {index + 1} 题的选项"))
                 for i, choice in enumerate(question.choices)]
    answer = _answer(question)
    w, h = SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
    if deck.height(body, w) > h:   # a question and its choices belong on one slide
        raise deck.too_long(body[0], "题干和选项合起来一页幻灯片放不下（它们要在同一页上）")
    slide = deck.slide(L(f"互动问答 第{number}题（{kind}）"),
                       L(f"请听众先想一想、举手回答，再翻到下一页公布答案。\n答案：{answer}\n解析：{question.explanation}"),
                       band=theme.focus_color)
    deck.box(slide, MARGIN, BODY_TOP, w, body)
    reveal = [Para(L(f"答案：{answer}"), QUESTION_SIZE, theme.good_color, bold=True, splittable=False),
              Para(L(question.explanation), STORY_SIZE, theme.ink_color, gap=18,
                   where=_where(quiz, (*path, "explanation"), f"第 {index + 1} 题的答案解析"))]
    deck.text_slides(L(f"第{number}题 答案"), L(f"公布答案并讲解：{question.explanation}"), reveal, band=theme.good_color)


def _answer(question) -> str:
    if question.kind == "truefalse":
        return "对" if question.answer else "错"
    letters = LETTERS
    return "、".join(f"{letter}．{question.choices[letters.index(letter)]}" for letter in question.answer_letters)


def _setting_error(ctx: RenderContext, message: str, loc: tuple) -> RenderError:
    """A setting in outreach.toml found too long for the deck, located at its line."""
    from outreach.project.config import CONFIG_NAME, config_position

    line, column = config_position(ctx.root, loc)
    return RenderError(message, CONFIG_NAME, line, code="deck-too-long", column=column)


def _closing_slide(deck: Deck, ctx: RenderContext) -> None:
    project, theme = ctx.config.project, ctx.config.theme
    L = deck.localize
    hotlines = list(project.hotlines)
    notes = [f"结束时请大家记住：{project.call_advice}。", f"{project.app_prompt}。",
             *[f"{h.label}：{h.display}" for h in hotlines]]
    slide = deck.slide(L(project.call_lead), L("\n".join(notes)))
    labels = [L(hotline.label) for hotline in hotlines]
    top = BODY_TOP + 6
    boxes = _hotline_row(deck, hotlines, labels, top) or _hotline_rows(deck, ctx, hotlines, labels, top)
    for hotline, label_text, box in zip(hotlines, labels, boxes, strict=True):
        deck.rect(slide, box.x, box.y, box.width, box.height, theme.dark_color, rounded=True)
        deck.box(slide, box.x + 8, box.y + box.number_top, box.width - 16,
                 [Para(hotline.display, box.number_pt, theme.accent_color, bold=True, align="c")])
        deck.box(slide, box.x + 8, box.y + box.label_top, box.width - 16,
                 [Para(label_text, box.label_pt, theme.inverse_color, align="c")])
    rest_top = max(box.y + box.height for box in boxes) + 24
    # Two rows of hotlines leave less room below: the QR code then goes without its caption line.
    two_rows = len({box.y for box in boxes}) > 1
    qr_size = 0.0
    if theme.qr_url:
        qr_size = BODY_BOTTOM - rest_top
        if slide is not None:
            slide.shapes.add_picture(io.BytesIO(_qr_png(theme.qr_url)),
                                     *deck.emu(SLIDE_W - MARGIN - qr_size, rest_top, qr_size, qr_size))
    text_w = SLIDE_W - 2 * MARGIN - (qr_size + 24 if qr_size else 0)
    lines = [Para(L(f"{project.app_prompt}。"), 26, theme.ink_color, bold=True),
             Para(L(f"{project.call_advice}。"), 18 if two_rows else 22, theme.muted_color, gap=12)]
    if qr_size and not two_rows:
        lines.append(Para(L("扫右侧二维码了解更多防骗知识。"), 20, theme.muted_color, gap=12))
    pages = deck.pages(lines, text_w, BODY_BOTTOM - rest_top)
    if len(pages) > 1:
        raise _setting_error(ctx, "宣讲课件：结束页的 App 提示和求助电话说明太长，放不下。请缩短 [project] app_line，"
                                  "或减少 [[project.hotlines]]。", ("project", "app_line"))
    deck.box(slide, MARGIN, rest_top, text_w, lines)


@dataclass(frozen=True)
class _HotlineBox:
    """One hotline's box on the closing slide: where it is, its number's and label's size and
    their tops inside it."""
    x: float
    y: float
    width: float
    height: float
    number_pt: float
    label_pt: float
    number_top: float
    label_top: float


HOTLINE_BOX_H = 150.0         # one row of hotlines
ROW_BOX_H, ROW_GAP = 112.0, 12.0   # two rows: numbers up to 44 pt, labels on one line


def _hotline_row(deck: Deck, hotlines: list, labels: list[str], top: float) -> list[_HotlineBox] | None:
    """The hotlines side by side in equal boxes, each number as large as fits its own box on one
    line, labels at 18 pt on at most two lines, no name cut; None when they do not fit so."""
    count = len(hotlines)
    equal = (SLIDE_W - 2 * MARGIN - HOTLINE_GAP * (count - 1)) / count
    sizes = [_number_size(deck, hotline.display, equal, NUMBER_SIZES) for hotline in hotlines]
    if not (all(sizes) and all(_label_fits(deck, label, equal, LABEL_SIZE, 2) for label in labels)):
        return None
    return _side_by_side([equal] * count, sizes, LABEL_SIZE, 14, 14 + max(NUMBER_SIZES) * LINE + 12, top,
                         HOTLINE_BOX_H)


def _hotline_rows(deck: Deck, ctx: RenderContext, hotlines: list, labels: list[str], top: float) -> list[_HotlineBox]:
    """Three or four hotlines too wide for one row (four boxes of a quarter of the slide, a
    landline or an extension): two rows of two equal boxes, a third hotline alone and centred;
    each number as large as fits (up to 44 pt), labels on one line (18 pt, down to 14). A
    RenderError naming the entry in outreach.toml to shorten when even that cannot hold them."""
    count = len(hotlines)
    width = (SLIDE_W - 2 * MARGIN - HOTLINE_GAP) / 2
    sizes = [_number_size(deck, hotline.display, width, NUMBER_SIZES[1:]) for hotline in hotlines]
    number_top = 8.0
    label_top = number_top + NUMBER_SIZES[1] * LINE + 4
    label_pt = next((pt for pt in (LABEL_SIZE, 16, 14) if all(_label_fits(deck, label, width, pt, 1) for label in labels)),
                    None)
    if count > 2 and all(sizes) and label_pt is not None:
        first = (count + 1) // 2
        band = NUMBER_SIZES[1]
        return (_side_by_side([width] * first, sizes[:first], label_pt, number_top, label_top, top, ROW_BOX_H, band) +
                _side_by_side([width] * (count - first), sizes[first:], label_pt, number_top, label_top,
                              top + ROW_BOX_H + ROW_GAP, ROW_BOX_H, band))
    for index, label in enumerate(labels):
        if not _label_fits(deck, label, width, 14, 1):
            raise _setting_error(ctx, f"宣讲课件：电话名称“{hotlines[index].label}”太长，结束页放不下。请缩短它。",
                                 ("project", "hotlines", index, "label"))
    longest = max(range(count), key=lambda i: deckfit.one_line_width_pt(hotlines[i].display, 1, deck.keep))
    raise _setting_error(ctx, f"宣讲课件：电话号码 {hotlines[longest].display} 太长，{count} 个电话的结束页放不下。"
                              "请减少 [[project.hotlines]] 或换用短号码。", ("project", "hotlines", longest, "number"))


def _side_by_side(widths: list[float], sizes: list, label_pt: float, number_top: float, label_top: float,
                  top: float, height: float, band: float | None = None) -> list[_HotlineBox]:
    """One row of boxes of these widths, centred on the slide; a number smaller than `band`
    points is centred in the band's height (the labels stay in line)."""
    total = sum(widths) + HOTLINE_GAP * (len(widths) - 1)
    x = (SLIDE_W - total) / 2
    boxes = []
    for width, size in zip(widths, sizes, strict=True):
        shift = (band - size) * LINE / 2 if band else 0.0
        boxes.append(_HotlineBox(x, top, width, height, size, label_pt, number_top + shift, label_top))
        x += width + HOTLINE_GAP
    return boxes


def _number_size(deck: Deck, number: str, width: float, sizes: tuple[float, ...]) -> float | None:
    """The largest of `sizes` at which a number takes one line of a hotline box `width` wide."""
    for size in sizes:
        lines = deckfit.wrap(number, width - 16 - 2 * INSET_X, size, deck.keep)
        if lines is not None and len(lines) == 1:
            return size
    return None


def _label_fits(deck: Deck, label: str, width: float, size: float, lines: int) -> bool:
    """Whether a label takes at most `lines` lines of a hotline box `width` wide, no name or
    number in it cut."""
    box = width - 16 - 2 * INSET_X
    found = deckfit.wrap(label, box, size, deck.keep)
    return found is not None and len(found) <= lines and deckfit.widest_piece_pt(label, size, deck.keep) <= box


def _qr_png(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2)
    return out.getvalue()


def _deterministic(deck: Deck, date: dt.date | None) -> bytes:
    """The deck's bytes depend on its content only: fixed document dates and zip entry times."""
    when = dt.datetime.combine(date or dt.date(2026, 1, 1), dt.time())
    props = deck.prs.core_properties
    props.created = props.modified = when
    props.last_modified_by = props.author = "outreach"
    props.title = deck.prs.slides[0].shapes.title.text_frame.text if len(deck.prs.slides) else ""
    props.revision = 1
    raw = io.BytesIO()
    deck.prs.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
