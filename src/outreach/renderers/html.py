"""Helpers shared by the HTML → PDF renderers: template context, rendering, one-page checks."""

from __future__ import annotations

from outreach.glyphs import missing_glyphs, primary_family, visible_text
from outreach.renderers.base import RenderContext, RenderError
from outreach.templating import TemplateProblem, make_environment, render_template

PRINT_READY_CSS = "@page { bleed: 3mm; marks: crop; }"


def environment(ctx: RenderContext):
    """The worker's Jinja environment, created on first use and then reused."""
    if ctx.env is None:
        ctx.env = make_environment(ctx.theme)
    return ctx.env


def base_context(ctx: RenderContext) -> dict:
    """Variables every template receives (documented in docs/templates.md)."""
    config = ctx.config
    logo_url = None
    if config.theme.logo:
        logo_url = (ctx.root / config.theme.logo).resolve().as_uri()
    return {
        "project": config.project,
        "theme": config.theme,
        "organisation": config.project.organisation,
        "hotlines": list(config.project.hotlines),
        "app": config.project.app,
        "audience_labels": dict(config.project.audiences),
        "qr_url": config.theme.qr_url,
        "logo_url": logo_url,
        "print_ready": ctx.options.print_ready,
        "locale": ctx.locale,
        "html_lang": "zh-Hant" if ctx.locale == "zh-Hant" else "zh-Hans",
        "font_family": font_family(ctx),
    }


def font_family(ctx: RenderContext) -> str:
    from outreach.localize import hant_font_family

    family = ctx.config.theme.font_family
    return hant_font_family(family) if ctx.locale == "zh-Hant" else family


def law_citations(ctx: RenderContext, refs) -> list[dict]:
    """Resolved law references: the law, the article and a short citation 《简称》第X条."""
    laws = ctx.library.laws
    cited = []
    for ref in refs:
        law = laws[ref.law]
        article = law.article(ref.article)
        cited.append({"law": law, "article": article, "citation": f"《{law.short}》{article.number}"})
    return cited


def render_html(ctx: RenderContext, template: str, context: dict, what: str) -> str:
    """Render a template, in the build's locale (converted to Traditional Chinese when asked)."""
    try:
        return ctx.localize(render_template(environment(ctx), template, context, what))
    except TemplateProblem as problem:
        raise RenderError(problem.message, problem.file, problem.line) from None


def layout(ctx: RenderContext, html: str, template: str, what: str, source: str,
           one_page: bool = False, warnings: list[str] | None = None):
    """HTML → laid-out WeasyPrint document. Refuses tofu, and more than one page when `one_page`."""
    from outreach import pdf

    warnings = warnings if warnings is not None else []
    shown_template = ctx.theme.display_path(template)
    fetcher = pdf.SafeFetcher([ctx.root, ctx.theme.builtin_dir], shown_template, warnings)
    extra = PRINT_READY_CSS if ctx.options.print_ready else None
    base_url = (ctx.theme.find(template) or ctx.theme.builtin_dir / template).resolve().as_uri()
    document = pdf.render_document(html, base_url, fetcher, extra_css=extra)

    missing = missing_glyphs(visible_text(html), primary_family(font_family(ctx)))
    if missing:
        shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in missing[:10])
        raise RenderError(f"{what}里有字体无法显示的字符，打印出来会是方框：{shown}。请换成常用字，或安装包含这些字的字体。", source, 0)

    if one_page and len(document.pages) > 1:
        amount = pdf.overflow_mm(html, base_url, fetcher, document.pages[0], "poster-end")
        how_much = f"约 {amount:.0f} 毫米" if amount else f"（排版结果为 {len(document.pages)} 页）"
        raise RenderError(f"{what}内容超出一页{how_much}，不会自动缩小或截断。请精简文字（如缩短案例或要点）。", source, 0)
    return document


def html_to_pdf(ctx: RenderContext, html: str, template: str, what: str, source: str,
                one_page: bool = False, warnings: list[str] | None = None):
    """HTML → (document, pdf bytes)."""
    from outreach import pdf

    document = layout(ctx, html, template, what, source, one_page, warnings)
    return document, pdf.write_pdf(document)


def png_from_pdf(ctx: RenderContext, pdf_bytes: bytes, width: int, colors: int = 256) -> bytes:
    from outreach import pdf

    return pdf.pdf_to_png(pdf_bytes, width, trim=ctx.options.print_ready, colors=colors)

