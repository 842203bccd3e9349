"""公众号文章 and 长图: an HTML fragment per scenario and per newsletter issue, ready to paste into
the WeChat Official Account editor, and a 1080-px-wide long picture per scenario for 朋友圈 and
groups.

The article is checked after rendering, whatever template made it (a volunteer's override
included): only tags and inline styles the editor keeps, no external resources, links only to
the project's own sites (rendering/wechathtml.py), the 公众号 length limits, and the personal-data
and hotline checks every text gets.
"""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from outreach.buildspec.target import Target
from outreach.outputs.base import RenderContext, Renderer, RenderError, RenderResult, RoleView, failures_per_item
from outreach.outputs.html import (
    base_context,
    check_pages,
    environment,
    layout,
    png_from_pdf,
    render_html,
    scenario_context,
    template_text,
)
from outreach.project.kinds import LAWS, NEWSLETTERS, SCENARIOS, TIPS
from outreach.rendering.filters import apply_spacing_html
from outreach.rendering.templating import template_closure
from outreach.rendering.wechathtml import (
    BODY_BYTE_LIMIT,
    BODY_CHAR_LIMIT,
    DIGEST_LIMIT,
    TITLE_LIMIT,
    Finding,
    check_article,
    host_of,
)

SCENARIO_TEMPLATE = "articles/scenario.html"
NEWSLETTER_TEMPLATE = "articles/newsletter.html"
LONG_TEMPLATE = "articles/long-image.html"
LONG_WIDTH_PX = 1080            # 朋友圈 and group pictures: 1080 px wide, the page is 1080 CSS px
PROBE_HEIGHT_PX = 30000         # the first layout's page: taller than any long image
MIN_LONG_HEIGHT_PX = 600
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ArticlesSection(BaseModel):
    """outreach.toml [articles]: only this kind reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="公众号文章")

    link_domains: tuple[str, ...] = Field(
        (), max_length=20,
        description="文章里还允许出现的网站域名（例如本单位网站 www.example.gov.cn）；"
                    "[theme] qr_url 和 [feed] home_page_url 的域名总是允许，其他网址一律不允许")

    @field_validator("link_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if not _DOMAIN.match(domain):
                raise ValueError(f"“{domain}”不是域名：只写域名本身，例如 www.example.gov.cn（不带 https:// 和路径）")
        return value


class ArticlesRenderer(Renderer):
    name = "articles"
    label = "公众号文章"
    version = "1"
    config_section = "articles"
    config_model = ArticlesSection
    config_sections = ("project", "theme", "articles", "feed")   # feed: home_page_url is an allowed site
    roles = (("articles/*.html", "article"), ("articles/*.png", "article-long-image"),
             ("articles/*.txt", "article-meta"))
    # Not in pack zips: an article goes on the station's 公众号, not to an event (the zip has the
    # poster's picture and the group texts for that), and a pack build need not make them.
    role_views = {"article": RoleView("公众号文章", "article", order=0),
                  "article-long-image": RoleView("长图", "image", order=1),
                  "article-meta": RoleView("标题和摘要", "text", order=2)}
    templates_described = {
        SCENARIO_TEMPLATE: "公众号文章（每个诈骗类型一篇；只能用 style=\"…\" 内联样式）",
        NEWSLETTER_TEMPLATE: "公众号文章（每期警务手机报一篇；只能用 style=\"…\" 内联样式）",
        LONG_TEMPLATE: "长图（每个诈骗类型一张，1080 像素宽，用于朋友圈和群）",
    }

    def plan(self, library, options):
        targets = []
        for scenario_id, item in sorted(library.kind(SCENARIOS.folder).items()):
            laws = sorted({library.item(LAWS.folder, ref.law).path for ref in item.model.laws})
            targets.append(Target(
                id=f"articles/{scenario_id}", renderer=self.name,
                outputs=(f"articles/{scenario_id}.html", f"articles/{scenario_id}.txt"),
                sources=(item.path, *laws), templates=(SCENARIO_TEMPLATE,),
                params={"type": "scenario", "scenario": scenario_id}, label=f"公众号文章 {scenario_id}"))
            # Its own target: the article (no layout) is ready, and checked, without waiting for the picture.
            targets.append(Target(
                id=f"articles/{scenario_id}/long-image", renderer=self.name, outputs=(f"articles/{scenario_id}.png",),
                sources=(item.path, *laws), templates=(LONG_TEMPLATE,),
                params={"type": "long-image", "scenario": scenario_id}, label=f"长图 {scenario_id}"))
        for letter_id, item in sorted(library.kind(NEWSLETTERS.folder).items()):
            letter = item.model
            related = {library.item(SCENARIOS.folder, s).path for s in letter.focus} | \
                      {library.item(TIPS.folder, t).path for t in letter.tips}
            name = f"newsletter-{letter.date.isoformat()}"
            targets.append(Target(
                id=f"articles/{letter_id}", renderer=self.name,
                outputs=(f"articles/{name}.html", f"articles/{name}.txt"),
                sources=(item.path, *sorted(related)), templates=(NEWSLETTER_TEMPLATE,),
                params={"type": "newsletter", "newsletter": letter_id, "name": name},
                label=f"公众号文章 手机报 {letter.date.isoformat()}"))
        return targets

    def check(self, ctx):
        """The articles themselves (no layout): tags, links, lengths, personal data."""
        return failures_per_item(ctx, {SCENARIOS.folder: scenario_article, NEWSLETTERS.folder: newsletter_article})

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        result = RenderResult()
        if target.params["type"] == "long-image":
            name = target.params["scenario"]
            result.outputs[f"articles/{name}.png"] = long_image(ctx, name, result.warnings)
            return result
        if target.params["type"] == "newsletter":
            article = newsletter_article(ctx, target.params["newsletter"])
            name = target.params["name"]
        else:
            name = target.params["scenario"]
            article = scenario_article(ctx, name)
        result.outputs[f"articles/{name}.html"] = article.html.encode("utf-8")
        result.outputs[f"articles/{name}.txt"] = article.meta.encode("utf-8")
        return result


class Article:
    def __init__(self, html: str, title: str, digest: str) -> None:
        self.html, self.title, self.digest = html, title, digest

    @property
    def meta(self) -> str:
        """What goes into the editor's own boxes beside the body."""
        return f"标题：{self.title}\n摘要：{self.digest}\n"


def article_context(ctx: RenderContext, scenario_id: str) -> dict:
    scenario = ctx.library.item(SCENARIOS.folder, scenario_id).model
    return scenario_context(ctx, scenario_id) | {
        "story_paragraphs": paragraphs(scenario.story),
        "call_advice": ctx.config.project.call_advice,
    }


def paragraphs(text: str | None) -> list[str]:
    """A Markdown text's paragraphs (each rendered inline by the template, so each <p> gets its style)."""
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def scenario_article(ctx: RenderContext, scenario_id: str) -> Article:
    item = ctx.library.item(SCENARIOS.folder, scenario_id)
    scenario = item.model
    what = f"公众号文章 {scenario_id}"
    html = render_fragment(ctx, SCENARIO_TEMPLATE, article_context(ctx, scenario_id), what)
    title = ctx.localize(scenario.title)
    digest = ctx.localize(scenario.summary)
    if len(digest) > DIGEST_LIMIT:
        line, column = item.source.locate(("summary",))
        raise RenderError(f"{what}：摘要（取自一句话概述 summary）有 {len(digest)} 字，公众号摘要最多 {DIGEST_LIMIT} 字。"
                          f"请把 summary 缩短至少 {len(digest) - DIGEST_LIMIT} 字。", item.path, line,
                          code="article-too-long", column=column)
    _check_title(title, what, item.path, *item.source.locate(("title",)))
    _check(ctx, html, SCENARIO_TEMPLATE, what, item.path)
    return Article(html, title, digest)


def newsletter_article(ctx: RenderContext, letter_id: str) -> Article:
    item = ctx.library.item(NEWSLETTERS.folder, letter_id)
    letter = item.model
    context = base_context(ctx) | {
        "newsletter": letter,
        "focus": [ctx.library.item(SCENARIOS.folder, s).model for s in letter.focus],
        "tips": [ctx.library.item(TIPS.folder, t).model for t in letter.tips],
        "call_advice": ctx.config.project.call_advice,
    }
    what = f"公众号文章 警务手机报 {letter.date.isoformat()}"
    html = render_fragment(ctx, NEWSLETTER_TEMPLATE, context, what)
    title = ctx.localize(letter.title or f"反诈警务手机报（{letter.date.year}年{letter.date.month}月{letter.date.day}日）")
    # No summary is written for an issue: its digest names its cases, cut to the editor's box.
    digest = ctx.localize("本期提示：" + "；".join(case.title for case in letter.cases) + "。")
    if len(digest) > DIGEST_LIMIT:
        digest = digest[:DIGEST_LIMIT - 1] + "…"
    _check_title(title, what, item.path, *item.source.locate(("title",)))
    _check(ctx, html, NEWSLETTER_TEMPLATE, what, item.path)
    return Article(html, title, digest)


def _check_title(title: str, what: str, source: str, line: int, column: int = 0) -> None:
    if len(title) > TITLE_LIMIT:
        raise RenderError(f"{what}：标题有 {len(title)} 字，公众号标题最多 {TITLE_LIMIT} 字。请缩短标题。", source, line,
                          code="article-too-long", column=column)


def render_fragment(ctx: RenderContext, template: str, context: dict, what: str) -> str:
    """The article as the editor gets it: the template in the build's locale and spacing rule,
    without the layout pass's joiners and squeeze spans (the editor breaks lines itself, and a
    span with a class would be dropped); blank lines and indentation removed."""
    text = template_text(ctx, template, context, what)
    text = ctx.localize(apply_spacing_html(text, ctx.config.lint.cjk_latin_space))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def allowed_hosts(ctx: RenderContext) -> frozenset[str]:
    """Sites an article may name: the QR code's, the feed's home page and [articles] link_domains."""
    config = ctx.config
    hosts = {host_of(config.theme.qr_url), host_of(config.feed.home_page_url), *config.articles.link_domains}
    return frozenset(h for h in hosts if h)


def _check(ctx: RenderContext, html: str, template: str, what: str, source: str) -> None:
    checked = check_article(html, allowed_hosts(ctx))
    if checked.findings:
        file, line = _locate(ctx, template, checked.findings[0])
        shown = "；".join(f.what for f in checked.findings[:4])
        more = f"（另有 {len(checked.findings) - 4} 处）" if len(checked.findings) > 4 else ""
        raise RenderError(f"{what}里有公众号编辑器不接受的内容：{shown}{more}。公众号文章只能用 style=\"…\" 内联样式"
                          "和编辑器保留的标签（section、p、span、strong、h2、ol、li、blockquote 等），不能用 class、"
                          "<style>、<script>，也不能引用外部图片或别的网站（见 docs/templates.md 的“公众号文章”）。",
                          file, line, code="article-html")
    if len(checked.text) >= BODY_CHAR_LIMIT or len(html.encode("utf-8")) >= BODY_BYTE_LIMIT:
        raise RenderError(f"{what}正文有 {len(checked.text)} 字（{len(html.encode('utf-8'))} 字节），公众号正文须少于 "
                          f"{BODY_CHAR_LIMIT} 字、小于 1 MB。请精简内容。", source, 0, code="article-too-long")
    _check_text(ctx, checked.text, what, template)


def _check_text(ctx: RenderContext, text: str, what: str, template: str) -> None:
    """The personal-data and hotline checks every content text gets, on the article as sent:
    a template's own wording is checked too."""
    from outreach.checks.lint import find_personal_data
    from outreach.checks.textscan import digits, find_hotlines

    config = ctx.config
    fictional = {digits(n) or n for n in config.lint.fictional_numbers} | {n.upper() for n in config.lint.fictional_numbers}
    allowed = set(config.hotline_numbers) | {digits(n) for n in config.lint.allowed_numbers}
    if config.project.region != "mainland":
        from outreach.checks.regionlint import MAINLAND_NUMBERS

        allowed |= MAINLAND_NUMBERS   # the region lint reports Mainland numbers in the content itself
    for _offset, fragment, _code, message in [*find_personal_data(text, fictional), *find_hotlines(text, allowed)]:
        file, line = _locate(ctx, template, Finding(fragment, ""))
        raise RenderError(f"{what}：{message}", file, line, code="article-text")


def _locate(ctx: RenderContext, template: str, finding: Finding) -> tuple[str, int]:
    """The template file and line that write `finding` (the project's overrides first), else the
    entry template: where a volunteer has to look."""
    names = sorted(template_closure(environment(ctx), template), key=lambda n: (not ctx.theme.is_overridden(n), n != template, n))
    needle = finding.needle.lower()
    for name in names:
        found = ctx.theme.read(name) if not name.startswith("!") else None
        if found is None:
            continue
        for number, line in enumerate(found[1].splitlines(), 1):
            if needle and needle in line.lower():
                return ctx.theme.display_path(name), number
    return ctx.theme.display_path(template), 0


def long_image(ctx: RenderContext, scenario_id: str, warnings: list[str]) -> bytes:
    """The scenario as one tall picture, 1080 px wide (one CSS px of the page a pixel)."""
    return png_from_pdf(ctx, long_image_pdf(ctx, scenario_id, warnings), LONG_WIDTH_PX)


def long_image_pdf(ctx: RenderContext, scenario_id: str, warnings: list[str]) -> bytes:
    """The long image's one-page PDF: laid out once on a very tall page to measure where the
    content ends, then again on a page exactly that tall; inspected like a poster."""
    from outreach.rendering import pdf
    from outreach.rendering.compose import visual_bottom_px

    source = ctx.library.item(SCENARIOS.folder, scenario_id).path
    what = f"长图 {scenario_id}"
    context = article_context(ctx, scenario_id) | {"page_width_px": LONG_WIDTH_PX}

    def lay_out(height: int):
        html = render_html(ctx, LONG_TEMPLATE, context | {"page_height_px": height}, what)
        return layout(ctx, html, LONG_TEMPLATE, what, source, warnings=warnings)

    probe = lay_out(PROBE_HEIGHT_PX)
    if len(probe.pages) > 1:
        raise RenderError(f"{what}超过 {PROBE_HEIGHT_PX} 像素高：请精简内容（如缩短案例）。", source, 0)
    page = probe.pages[0]
    height = max(MIN_LONG_HEIGHT_PX, math.ceil(visual_bottom_px(page, page._page_box.content_box_y())))
    document = lay_out(height)
    if len(document.pages) > 1:   # rounding of the measured height: a pixel more holds it
        document = lay_out(height + 2)
    pdf_bytes = pdf.write_pdf(document)
    check_pages(pdf_bytes, what, LONG_TEMPLATE, ctx)
    return pdf_bytes
