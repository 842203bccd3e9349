"""有奖问答: duplex card sheets, an answer key, an answer sheet and an offline H5 page."""

from __future__ import annotations

from outreach.buildspec.target import Target
from outreach.outputs.base import PackPart, RenderContext, Renderer, RenderError, RenderResult, RoleView
from outreach.outputs.html import base_context, layout, render_html
from outreach.outputs.printing import Finish, print_master
from outreach.project.config import A4_MM
from outreach.project.kinds import QUIZZES
from outreach.rendering.contract import TemplateContract, missing_anchors
from outreach.rendering.quizprep import prepare
from outreach.rendering.sheets import (
    CARD_BLEED_MM,
    PRINT_GUTTER_MM,
    Box,
    card_overflow_mm,
    cut_marks,
    grown,
    mirrored,
    sheet_boxes,
)

# Space at the bottom of a card that text must not reach: the padding, and on the back
# also the hotline line, taller when 3–4 hotlines need more rows (card_foot; keep in step with
# .card and .card-foot in css/quiz-print.css).
RESERVED_MM = {"front": 3.5, "back": 9.0}
FOOT_PT = 9.0          # the hotlines on a card's back: the public's minimum text size (rendering/textsizes.py)
FOOT_BOTTOM_MM = 3.0   # .card-foot's bottom
FOOT_GAP_MM = 1.4      # between the explanation and the hotlines


def card_foot(ctx: RenderContext):
    """The hotlines at the foot of a card's back: each label with its number, whole, on as many
    rows as the card's width needs (a number over its label where even that is too wide)."""
    from outreach.outputs.html import hotlines_error
    from outreach.rendering.hotlinefit import HotlinesDoNotFit, fit_hotlines

    settings = ctx.config.quiz
    where = f"问答卡片背面（卡片宽 {settings.card_width:g} 毫米，可在 outreach.toml 的 [quiz] card_width 改宽）"
    try:
        return fit_hotlines(ctx.config.project.hotlines, settings.card_width - 8, FOOT_PT, FOOT_PT, FOOT_PT, 3,
                            where=where, labels="beside-first")
    except HotlinesDoNotFit as problem:
        raise hotlines_error(ctx, problem) from None
CARDS_CONTRACT = TemplateContract("quiz/cards.html", anchors=("front-{n}", "end-front-{n}", "back-{n}", "end-back-{n}"),
                                  why="用来测量每张卡片的文字是否超出卡片")


class QuizRenderer(Renderer):
    name = "quiz"
    label = "问答"
    version = "1"
    config_sections = ("project", "theme", "quiz")
    printable = True
    roles = (("quiz/*-cards.pdf", "quiz-cards"), ("quiz/*-key.pdf", "quiz-key"),
             ("quiz/*-answer-sheet.pdf", "quiz-answer-sheet"), ("quiz/*/index.html", "quiz-h5"))
    # The H5 page is for phones: a pack holding the quiz takes it along in its zip.
    role_views = {"quiz-h5": RoleView("H5 答题页", "page", in_print_zip=True), "quiz-cards": RoleView("卡片", "pdf"),
                  "quiz-key": RoleView("答案", "pdf"), "quiz-answer-sheet": RoleView("答题卡", "pdf")}
    pack_item = "quiz"
    template_contracts = (CARDS_CONTRACT,)
    templates_described = {
        "quiz/cards.html": "问答卡片（A4 双面，每张 8 张卡片，正反面对齐）",
        "quiz/card-front.html": "卡片正面：题目和选项",
        "quiz/card-back.html": "卡片背面：答案和解析",
        "quiz/cut-marks.html": "卡片裁切线",
        "quiz/key.html": "答案（主持人用）",
        "quiz/answer-sheet.html": "答题卡（参与者填写）",
        "css/quiz-print.css": "卡片、答案、答题卡的样式",
        "quiz/page.html": "离线 H5 答题页面",
        "quiz/page.css": "H5 页面样式",
        "quiz/page.js": "H5 页面脚本（不联网、不存储）",
    }

    def plan(self, library, options):
        seed = options.shuffle_seed if options.shuffle_seed is not None else library.config.quiz.shuffle_seed
        targets = []
        for set_id, item in sorted(library.kind(QUIZZES.folder).items()):
            pdfs = (f"quiz/{set_id}-cards.pdf", f"quiz/{set_id}-answer-sheet.pdf", f"quiz/{set_id}-key.pdf")
            # The H5 page is for phones: a print build makes the three PDFs only.
            page = () if options.print_ready else (f"quiz/{set_id}/index.html",)
            targets.append(Target(
                id=f"quiz/{set_id}", renderer=self.name, outputs=pdfs + page,
                sources=(item.path,), templates=("quiz/cards.html", "quiz/key.html", "quiz/answer-sheet.html",
                                                  *(("quiz/page.html",) if page else ())),
                params={"quiz": set_id, "seed": seed}, label=f"问答 {set_id}"))
        return targets

    def pack_parts(self, ref, library):
        title = library.item(QUIZZES.folder, ref).model.title
        settings = library.config.quiz
        per_sheet = settings.columns * settings.rows
        size = f"{settings.card_width:g}×{settings.card_height:g} 毫米"
        return [
            PackPart(f"quiz/{ref}-cards.pdf", f"{title}（卡片）", duplex=True, copies="每场活动 1 份",
                     cut=f"双面打印选“长边翻转”；沿裁切线裁成每张纸 {per_sheet} 张 {size}的卡片",
                     stock="250–300 克铜版卡", per="event", each=1,
                     finishing=f"双面印刷（长边翻转，背面与正面对齐）；每张卡片四边各带 3 毫米出血，按裁切标记裁出 "
                               f"{size}的卡片（卡片之间的间隙裁两刀）"),
            PackPart(f"quiz/{ref}-answer-sheet.pdf", f"{title}（答题卡）", duplex=False, copies="按参与人数",
                     stock="80–100 克双胶纸（要用笔填写，不用铜版纸）", per="participant", each=1),
            PackPart(f"quiz/{ref}-key.pdf", f"{title}（答案）", duplex=False, copies="主持人 1 份", per="event", each=1),
        ]

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        set_id, seed = target.params["quiz"], target.params["seed"]
        item = ctx.library.item(QUIZZES.folder, set_id)
        questions = prepare(item.model, set_id, seed)
        foot = card_foot(ctx)
        context = base_context(ctx) | {"quiz": item.model, "quiz_id": set_id, "questions": questions, "seed": seed,
                                       "card_foot": foot}
        result = RenderResult()
        # The three PDFs of a set are written together so they share one font subset.
        from outreach.rendering.pdf import write_many

        cards, cuts = self._cards(ctx, item, questions, context, result.warnings)
        documents = [cards]
        for name, template in (("key", "quiz/key.html"), ("answer-sheet", "quiz/answer-sheet.html")):
            what = f"问答 {set_id} 的{'答案' if name == 'key' else '答题卡'}"
            html = render_html(ctx, template, context, what)
            documents.append(layout(ctx, html, template, what, item.path, warnings=result.warnings))
        names = [f"quiz/{set_id}-cards.pdf", f"quiz/{set_id}-key.pdf", f"quiz/{set_id}-answer-sheet.pdf"]
        result.outputs.update(zip(names, write_many(documents), strict=True))
        if ctx.print_ready:
            for name, role, finish in zip(names, ("quiz-cards", "quiz-key", "quiz-answer-sheet"),
                                          (Finish(A4_MM, cuts=cuts), Finish(A4_MM), Finish(A4_MM)), strict=True):
                result.outputs[name] = print_master(ctx, name, result.outputs[name], finish, role)
                result.finished.add(name)
            return result
        page_context = context | {"data": {
            "title": item.model.title,
            "questions": [q.as_json() for q in questions],
            "hotlines": [h.display for h in ctx.config.project.hotlines],
            "call_advice": ctx.config.project.call_advice,
            "app": ctx.config.project.app,
            "app_line": ctx.config.project.app_prompt,
            "space": context["cjk_space"],
        }}
        page = render_html(ctx, "quiz/page.html", page_context, f"问答 {set_id} 的 H5 页面")
        result.outputs[f"quiz/{set_id}/index.html"] = page.encode("utf-8")
        return result

    def _cards(self, ctx: RenderContext, item, questions, context, warnings):
        """The card sheets laid out, and each page's cut boxes (one per card)."""
        settings = ctx.config.quiz
        page_w, page_h = A4_MM
        bleed = CARD_BLEED_MM if ctx.print_ready else 0.0
        # A print master's cards carry their own bleed, so the gutter holds two bleeds (two cuts).
        gutter = max(settings.gutter, PRINT_GUTTER_MM) if ctx.print_ready else settings.gutter
        boxes = sheet_boxes(page_w, page_h, settings.card_width, settings.card_height, settings.columns,
                            settings.rows, gutter)
        if bleed:
            self._check_print_grid(ctx, boxes, gutter)
        sheets, cuts = [], []
        for start in range(0, len(questions), len(boxes)):
            chunk = questions[start:start + len(boxes)]
            front_boxes = boxes[:len(chunk)]
            back_boxes = [mirrored(box, page_w) for box in front_boxes]
            # A card's element is the card with its bleed; the print stylesheet moves its content
            # in by the bleed (.print-ready .card in css/quiz-print.css), so it sits where it did.
            fronts = [{"box": grown(box, bleed), "card": card} for box, card in zip(front_boxes, chunk, strict=False)]
            backs = [{"box": grown(box, bleed), "card": card} for box, card in zip(back_boxes, chunk, strict=False)]
            # The print master's marks (drawn at each cut by the prepress step) replace these.
            sheets.append({"fronts": fronts, "backs": backs, "marks": [] if bleed else cut_marks(front_boxes)})
            cuts += [tuple(front_boxes), tuple(back_boxes)]
        what = f"问答 {item.id} 的卡片"
        html = render_html(ctx, "quiz/cards.html", context | {"sheets": sheets, "page": {"w": page_w, "h": page_h}}, what)
        document = layout(ctx, html, "quiz/cards.html", what, item.path, warnings=warnings)
        if missing := missing_anchors(document, CARDS_CONTRACT, [card.number for card in questions]):
            # A customised template that dropped the markers would otherwise let overlong cards
            # through in silence.
            warnings.append(f"模板 quiz/cards.html 缺少 Python 用来测量卡片的元素（如 id=\"{missing[0]}\"，共缺 "
                            f"{len(missing)} 个）：无法检查卡片文字是否超出。请保留 id=\"front-N\"/\"end-front-N\" 等标记，"
                            "见 docs/templates.md 的“模板约定”。")
        reserved = RESERVED_MM | {"back": max(RESERVED_MM["back"],
                                              FOOT_BOTTOM_MM + context["card_foot"].height_mm() + FOOT_GAP_MM)}
        self._check_fit(document, questions, settings.card_height + bleed, item, reserved, context["card_foot"].row_count)
        return document, tuple(cuts)

    @staticmethod
    def _check_print_grid(ctx: RenderContext, boxes: list[Box], gutter: float) -> None:
        """The print master's grid (wider gutters, each card's bleed) must still leave room on A4."""
        left = min(b.x for b in boxes) - CARD_BLEED_MM
        top = min(b.y for b in boxes) - CARD_BLEED_MM
        if left < 5 or top < 5:
            settings = ctx.config.quiz
            raise RenderError(f"印刷版的问答卡片每张四周要留 {CARD_BLEED_MM:g} 毫米出血、卡片间距至少 {gutter:g} 毫米，"
                              f"{settings.columns} 列 × {settings.rows} 行 {settings.card_width:g}×{settings.card_height:g} "
                              "毫米的卡片放不进 A4。请在 outreach.toml 的 [quiz] 里减少行数或列数，或把卡片改小。",
                              "outreach.toml", 0)

    @staticmethod
    def _check_fit(document, questions, card_height_mm: float, item, reserved: dict[str, float],
                   foot_rows: int = 1) -> None:
        for card in questions:
            for side, label in (("front", "正面"), ("back", "背面")):
                over = card_overflow_mm(document, [f"{side}-{card.number}"], card_height_mm, reserved[side])
                if over:
                    line, column = item.source.locate(("questions", card.index))
                    fix = "请缩短题干、选项或解析。"
                    if side == "back" and foot_rows > 1:
                        # The explanation would fit above one row of hotlines: say what else takes the room.
                        fix = (f"背面底部的电话排成了 {foot_rows} 行（outreach.toml 的 [[project.hotlines]]）。请缩短解析，"
                               "或减少电话、缩短电话名称，或在 outreach.toml 的 [quiz] card_height 把卡片加高。")
                    raise RenderError(f"问答 {item.id} 第 {card.number} 张卡片（题目 {card.id}）{label}内容超出卡片约 "
                                      f"{max(over.values()):.0f} 毫米。{fix}", item.path, line, column=column)
