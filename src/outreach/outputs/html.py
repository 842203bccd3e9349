"""Helpers shared by the HTML → PDF renderers: template context, rendering, one-page checks."""

from __future__ import annotations

import functools

from outreach.outputs.base import RenderContext, RenderError, RenderResult
from outreach.project.kinds import LAWS, SCENARIOS
from outreach.rendering.compose import TIGHTEST_MM, compose, requested, tighten, with_settings
from outreach.rendering.contract import TemplateContract, page_size_problem
from outreach.rendering.filters import apply_spacing, apply_spacing_html
from outreach.rendering.glyphs import missing_glyphs, primary_family, visible_text
from outreach.rendering.hotlinefit import HotlinesDoNotFit, fit_hotlines
from outreach.rendering.inspect_typesetting import TYPESETTING_DEFECTS
from outreach.rendering.templating import TemplateProblem, make_environment, render_template
from outreach.rendering.typeset import context_rules, project_terms
from outreach.rendering.typeset_pass import typeset_page

# Marks are not drawn by WeasyPrint: they sat inside the bleed, under the artwork. The print master
# step (outreach.rendering.prepress.print_master) draws them over everything, outside the bleed.
PRINT_READY_CSS = "@page { bleed: 3mm; }"


def environment(ctx: RenderContext):
    """The worker's Jinja environment, created on first use and then reused."""
    if ctx.env is None:
        ctx.env = make_environment(ctx.theme)
    return ctx.env


def base_context(ctx: RenderContext) -> dict:
    """Variables every template receives (documented in docs/templates.md)."""
    config = ctx.config
    logo = logo_path(ctx)
    logo_url = logo.as_uri() if logo else None
    return {
        "project": config.project,
        "theme": config.theme,
        "organisation": config.project.organisation,
        "hotlines": list(config.project.hotlines),
        "app": config.project.app,
        "app_line": config.project.app_prompt,
        "audience_labels": dict(config.project.audiences),
        "qr_url": config.theme.qr_url,
        "logo_url": logo_url,
        "print_ready": ctx.options.print_ready,
        "locale": ctx.locale,
        "html_lang": "zh-Hant" if ctx.locale == "zh-Hant" else "zh-Hans",
        "font_family": font_family(ctx),
        "fit_hotlines": functools.partial(fit_hotlines, config.project.hotlines),
        # For fixed wording the text pass cannot reach (CSS content strings, scripts):
        # "" or " " between Chinese and digits, as [lint] cjk_latin_space says.
        "cjk_space": "" if config.lint.cjk_latin_space == "none" else " ",
    }


def font_family(ctx: RenderContext) -> str:
    from outreach.rendering.localize import hant_font_family

    family = ctx.config.theme.font_family
    return hant_font_family(family) if ctx.locale == "zh-Hant" else family


def law_citations(ctx: RenderContext, refs) -> list[dict]:
    """Resolved law references: the law, the article and a short citation 《简称》第X条."""
    cited = []
    for ref in refs:
        law = ctx.library.item(LAWS.folder, ref.law).model   # only the cited laws: what the target declares
        article = law.article(ref.article)
        if article is None:   # loading reports a reference to a missing article before any render
            raise RenderError(f"《{law.short}》没有条文“{ref.article}”。")
        cited.append({"law": law, "article": article, "citation": f"《{law.short}》{article.number}"})
    return cited


def scenario_context(ctx: RenderContext, scenario_id: str) -> dict:
    """What every template about one scenario gets (poster, article, long image)."""
    scenario = ctx.library.item(SCENARIOS.folder, scenario_id).model
    return base_context(ctx) | {
        "scenario": scenario,
        "scenario_id": scenario_id,
        "laws": law_citations(ctx, scenario.laws),
        "audiences": [ctx.library.audience_label(a) for a in scenario.audiences],
    }


def template_text(ctx: RenderContext, template: str, context: dict, what: str) -> str:
    """A template rendered, its problems (a template error, hotlines that do not fit) as the
    target's RenderError."""
    try:
        return render_template(environment(ctx), template, context, what)
    except TemplateProblem as problem:
        raise RenderError(problem.message, problem.file, problem.line) from None
    except HotlinesDoNotFit as problem:
        raise hotlines_error(ctx, problem) from None


def render_html(ctx: RenderContext, template: str, context: dict, what: str) -> str:
    """Render a template, in the build's locale (converted to Traditional Chinese when asked)."""
    text = template_text(ctx, template, context, what)
    # Fixed wording of the template follows the project's spacing rule, like the content does.
    rule = ctx.config.lint.cjk_latin_space
    if not template.endswith((".html", ".htm")):
        return ctx.localize(apply_spacing(text, rule))
    # Line-breaking rules (protected terms, widows, punctuation squeeze) go in last: after the
    # Traditional Chinese conversion, whose phrase lookup must see the plain text.
    return typeset_page(ctx.localize(apply_spacing_html(text, rule)), context_rules(ctx))


def hotlines_error(ctx: RenderContext, problem: HotlinesDoNotFit) -> RenderError:
    """The build error for hotlines that do not fit a band, at their entry in outreach.toml."""
    line = _config_line(ctx, ("project", "hotlines", problem.index))
    return RenderError(f"outreach.toml 的 [[project.hotlines]] {problem}。请缩短这个名称或号码，"
                       "或减少电话的数量（最多 4 个）。", "outreach.toml", line)


def _config_line(ctx: RenderContext, key: tuple) -> int:
    from outreach.project.config import CONFIG_NAME, toml_key_positions

    try:
        text = (ctx.root / CONFIG_NAME).read_text(encoding="utf-8-sig")
    except OSError:
        return 0
    positions = toml_key_positions(text)
    while key and key not in positions:
        key = key[:-1]
    return positions.get(key, (0, 0))[0]


def layout(ctx: RenderContext, html: str, template: str, what: str, source: str,
           warnings: list[str] | None = None, contract: TemplateContract | None = None):
    """HTML → laid-out WeasyPrint document. Refuses tofu, attachments and pages of another
    size than the template contract fixes."""
    from outreach.rendering import pdf

    warnings = warnings if warnings is not None else []
    fetcher = resource_fetcher(ctx, template, warnings)
    extra = _extra_css(ctx)
    base_url = template_base_url(ctx, template)
    try:
        document = pdf.render_document(html, base_url, fetcher, extra_css=extra)
    except pdf.AttachmentRefused as refused:
        raise RenderError(f"模板 {fetcher.template} 要给 PDF 添加 {refused.count} 个附件（<link rel=\"attachment\"> 或 "
                          f"<a rel=\"attachment\">）。为防止项目里的文件随海报流出，模板不能给 PDF 添加附件，请删除这些标签。",
                          fetcher.template, 0) from None

    missing = missing_glyphs(visible_text(html), primary_family(font_family(ctx)))
    if missing:
        shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing[:10])
        raise RenderError(f"{what}里有字体无法显示的字符，打印出来会是方框：{shown}。请换成常用字，或安装包含这些字的字体。", source, 0)

    if contract is not None and (problem := page_size_problem(document, contract)):
        raise RenderError(problem + _overrides_note(ctx, template), ctx.theme.display_path(template), 0)
    return document


def _overrides_note(ctx: RenderContext, template: str) -> str:
    """Which of the project's overrides the template pulls in: where a broken contract comes from."""
    from outreach.rendering.templating import template_closure

    names = sorted(n for n in template_closure(environment(ctx), template) if ctx.theme.is_overridden(n))
    return f"本项目覆盖了其中的：{'、'.join(f'templates/{n}' for n in names)}。" if names else ""


def render_pages(ctx: RenderContext, template: str, context: dict, what: str, source: str, pages: int = 1,
                 warnings: list[str] | None = None, shorten: str = "文字", contract: TemplateContract | None = None):
    """Render and lay out an output that must fill exactly `pages` pages or fewer (a poster, a
    tip sheet, a card's two sides). Overflow is an error that says by how many millimetres,
    and whether the content is too long or the template itself does not fit, with the fix."""
    html = render_html(ctx, template, context, what)
    document = layout(ctx, html, template, what, source, warnings=warnings, contract=contract)

    def lay_out(page: str):
        return layout(ctx, page, template, what, source, contract=contract)

    # A one-page piece whose template asks for it gets its free height back (render.compose),
    # and closes its gaps a little when it runs a little over.
    if len(document.pages) <= pages:
        return compose(document, html, lay_out)
    if pages == 1 and (tightened := tighten(html, lay_out)) is not None:
        return tightened
    from outreach.rendering import pdf

    base_url, fetcher = template_base_url(ctx, template), resource_fetcher(ctx, template, [])
    # A composed page is called too long only after its gaps are closed as far as tighten goes:
    # what must go is what still runs over then (measured, and drawn by the editor, that way).
    measured = with_settings(html, 1.0, -TIGHTEST_MM) if pages == 1 and requested(html) is not None else html
    amount = pdf.flow_overflow_mm(measured, base_url, fetcher, document, pages)
    overflow = functools.partial(PageOverflow, overflow_mm=amount, pages=pages,
                                 relayout=pdf.Relayout.of(measured, base_url, fetcher, _extra_css(ctx), document))
    limit = {1: "一页", 2: "正反两面"}.get(pages, f"{pages}页")
    overridden = _overridden_templates(ctx, template)
    if overridden and _fits_with_builtin_theme(ctx, template, context, what, source, pages):
        names = "、".join(f"templates/{name}" for name in overridden)
        raise overflow(f"版面超出{limit}约 {amount:.0f} 毫米，原因在模板：同样的内容用内置模板放得下。"
                       f"请调整 {names} 里的字号、间距或固定高度。", f"templates/{overridden[0]}", 0, cause="template")
    hotlines = list(ctx.config.project.hotlines)
    if len(hotlines) > 2:
        fewer = context | {"hotlines": hotlines[:2], "fit_hotlines": functools.partial(fit_hotlines, hotlines[:2])}
        if len(layout(ctx, render_html(ctx, template, fewer, what), template, what, source).pages) <= pages:
            raise overflow(f"本项目有 {len(hotlines)} 个电话，电话栏加高后内容超出{limit}约 {amount:.0f} 毫米"
                           f"（只印前两个电话时放得下）。请精简{shorten}，或减少 outreach.toml 的 [[project.hotlines]]。",
                           "outreach.toml", _config_line(ctx, ("project", "hotlines", 2)), cause="hotlines")
    raise overflow(f"内容超出{limit}约 {amount:.0f} 毫米，不会自动缩小或截断。请精简{shorten}。", source, 0)


class PageOverflow(RenderError):
    """Content longer than the pages it must fit on. The build reports the message like any
    RenderError; the editor's preview also lays the page out again taller, with what does not
    fit marked (outreach.rendering.pdf.overflow_view), and estimates what to cut.

    `cause`: "content" (the text is too long), "hotlines" (the project's many phone numbers make
    the footer taller) or "template" (the project's template override does not fit)."""

    def __init__(self, message: str, file: str = "", line: int = 0, *, overflow_mm: float = 0.0, pages: int = 1,
                 cause: str = "content", relayout=None) -> None:
        super().__init__(message, file, line)
        self.overflow_mm = overflow_mm
        self.pages = pages
        self.cause = cause
        self.relayout = relayout

    def __reduce__(self):
        # The page's HTML and the fetcher serve the editor in this process; they never travel.
        return (type(self), self.args, {k: v for k, v in self.__dict__.items() if k != "relayout"})


def _extra_css(ctx: RenderContext) -> str | None:
    return PRINT_READY_CSS if ctx.options.print_ready else None


def _overridden_templates(ctx: RenderContext, template: str) -> list[str]:
    from outreach.rendering.templating import template_closure

    return sorted(name for name in template_closure(environment(ctx), template)
                  if not name.startswith("!theme/") and ctx.theme.is_overridden(name))


def _fits_with_builtin_theme(ctx: RenderContext, template: str, context: dict, what: str, source: str,
                             pages: int) -> bool:
    """Lay the same content out with the built-in templates only (the experiment that tells a
    too-long text from a template that does not fit)."""
    from dataclasses import replace

    from outreach.rendering.theme import Theme

    builtin = replace(ctx, theme=Theme(ctx.root, builtin_only=True), env=None)
    try:
        html = render_html(builtin, template, context, what)
        return len(layout(builtin, html, template, what, source).pages) <= pages
    except RenderError:
        return False


LAYOUT_PROBLEMS = ("text-flipped", "text-overlap", "text-on-image", "text-off-page", *TYPESETTING_DEFECTS)


def check_pages(pdf_bytes: bytes, what: str, template: str, ctx: RenderContext) -> None:
    """A finished one-page output (poster, tip sheet, card) must not print text over text, over
    the QR code, upside down or off the page: the build fails with where, in millimetres,
    instead of handing a print shop a page it would reject."""
    from outreach.rendering.pageinspect import inspect_pdf

    _raise_layout_problems(inspect_pdf(pdf_bytes, what, _layout_terms(ctx)), template, ctx)


def check_final_pages(pdf_bytes: bytes, output: str, template: str, ctx: RenderContext, result: RenderResult) -> None:
    """check_pages and the build's own page check (engine/worker.py inspect_outputs: what
    `outreach check --pages` would reject) in one reading of the output's final bytes (fonts
    finished, print master made): the worker then leaves its pages alone, so each page of a
    poster or tip sheet is read once, not once before font finishing and again after."""
    from outreach.rendering.pageinspect import inspect_pdf_terms
    from outreach.rendering.pageparity import build_error, page_count

    name = output if output.startswith(ctx.output_prefix) else ctx.output_prefix + output
    checked, layout = inspect_pdf_terms(pdf_bytes, name, (project_terms(ctx.config), _layout_terms(ctx)))
    _raise_layout_problems(layout, template, ctx)
    if defects := [p for p in checked if p.severity == "error"]:
        raise RenderError(build_error(defects))
    result.inspected[output] = set(range(page_count(pdf_bytes)))


def final_checked_output(ctx: RenderContext, result: RenderResult, output: str, pdf_bytes: bytes, finish,
                         role: str, template: str, title: str = "") -> None:
    """A one-piece PDF output in its final bytes (the print master on a print build, else the
    fonts finished), its pages inspected once in those bytes (check_final_pages), put in
    `result` as finished; raises RenderError as those checks do, with nothing put in `result`."""
    from outreach.outputs.printing import finished_pdf, print_master

    final = print_master(ctx, output, pdf_bytes, finish, role, title) if ctx.print_ready else finished_pdf(ctx, pdf_bytes)
    check_final_pages(final, output, template, ctx, result)
    result.outputs[output] = final
    result.finished.add(output)


def check_imposed_pages(piece: bytes, output: str, template: str, ctx: RenderContext, result: RenderResult) -> None:
    """check_final_pages for an output that is one piece placed many times on a sheet (contact
    cards 10-up, stickers 16-up): the piece is read once, not each of its copies. Page n of the
    sheet holds copies of the piece's page n (the fronts, then the backs), so the pages reported
    and marked inspected are the sheet's. The piece is read before the sheet's fonts are
    finished: finishing renames glyphs, never moves them. That copies land inside their cut
    boxes, apart, and the backs mirrored is the imposition's geometry (rendering/packing.py
    impose, tested in test_pages and test_stickers), and `outreach check --pages` on the built
    sheets finds what the build did (test_pages).

    A print master's sheet is still read whole, as the build reads every print master: on a piece
    with its bleed the trim is the piece's, and the text-near-trim rule would then measure from
    each card's cut instead of the sheet's (the cards' and stickers' own safe zones are their
    template contracts)."""
    if ctx.print_ready:
        check_pages(piece, output, template, ctx)
        return
    check_final_pages(piece, output, template, ctx, result)




def _layout_terms(ctx: RenderContext) -> tuple[str, ...]:
    with ctx.shared_reads():   # every law's names: a read all targets share, in every fingerprint
        return project_terms(ctx.config, ctx.library)


def _raise_layout_problems(found, template: str, ctx: RenderContext) -> None:
    problems = [p for p in found if p.code in LAYOUT_PROBLEMS]
    if problems:
        shown = "；".join(f"第 {p.page} 页左 {p.x_mm:.0f} 毫米、上 {p.y_mm:.0f} 毫米处{p.message}" for p in problems[:3])
        more = f"（另有 {len(problems) - 3} 处）" if len(problems) > 3 else ""
        raise RenderError(f"版面有问题：{shown}{more}。请检查模板的尺寸和间距，或精简文字。",
                          ctx.theme.display_path(template), 0)


def resource_fetcher(ctx: RenderContext, template: str, warnings: list[str]):
    """What a template may pull in while it is laid out: files of the project's templates/ and
    the built-in theme (hidden files and links out refused), and the configured logo."""
    from outreach.rendering import pdf

    return pdf.SafeFetcher(ctx.theme.search_path, ctx.theme.display_path(template), warnings, allowed_files=[p for p in [logo_path(ctx)] if p])


def logo_path(ctx: RenderContext):
    """The configured logo, when it is a regular, non-hidden file inside the project (links checked)."""
    from outreach.core.safepath import is_hidden, is_regular_file, resolved_inside

    logo = ctx.config.theme.logo
    if not logo or is_hidden(logo):
        return None
    path = resolved_inside(ctx.root / logo, [ctx.root])
    return path if path is not None and is_regular_file(path) else None


def template_base_url(ctx: RenderContext, template: str) -> str:
    """Relative URLs in a template resolve beside the template file (the override or the built-in)."""
    return (ctx.theme.find(template) or ctx.theme.builtin_dir / template).absolute().as_uri()


def html_to_pdf(ctx: RenderContext, html: str, template: str, what: str, source: str,
                warnings: list[str] | None = None):
    """HTML → (document, pdf bytes)."""
    from outreach.rendering import pdf

    document = layout(ctx, html, template, what, source, warnings)
    return document, pdf.write_pdf(document)


def png_from_pdf(ctx: RenderContext, pdf_bytes: bytes, width: int, colors: int = 256) -> bytes:
    from outreach.rendering import pdf

    return pdf.pdf_to_png(pdf_bytes, width, trim=ctx.options.print_ready, colors=colors)

