"""Texts for phones and groups: SMS, plain and Markdown posts, the 警务手机报, and feed.json."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from outreach.buildspec.target import Target
from outreach.outputs.base import (
    RenderContext,
    Renderer,
    RenderError,
    RenderResult,
    RoleView,
    failures_of,
    failures_per_item,
)
from outreach.outputs.html import base_context, render_html, scenario_context
from outreach.project.kinds import LAWS, NEWSLETTERS, SCENARIOS, TIPS
from outreach.rendering import sms

MARKDOWN_LIMIT = 4096   # bytes, WeCom/DingTalk markdown messages
PLAIN_LIMIT = 2048      # bytes, WeCom text messages
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _check_bytes(text: str, limit: int, what: str, source: str) -> None:
    size = len(text.encode("utf-8"))
    if size > limit:
        raise RenderError(f"{what}有 {size} 字节，超过平台上限 {limit} 字节。请精简内容（如缩短案例）。", source, 0,
                          code="text-too-long")


class SmsSection(BaseModel):
    """outreach.toml [sms]: only this kind reads it, so it brings the section itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="短信")

    max_parts: int = Field(2, ge=1, le=10, description="一条短信最多拆成几条计费")


class TextsRenderer(Renderer):
    name = "texts"
    label = "文字"
    version = "1"
    batch_size = 64
    config_section = "sms"
    config_model = SmsSection
    config_sections = ("project", "theme", "sms", "feed")   # theme: every template gets it
    roles = (("texts/newsletter-*.txt", "newsletter-text"), ("texts/newsletter-*.md", "newsletter-markdown"),
             ("texts/*.sms.txt", "sms"), ("texts/*.wecom.md", "group-markdown"), ("texts/*.txt", "group-text"),
             ("feed.json", "feed"))
    # A scenario's texts go into the zip of a pack that holds its poster (for WeChat and groups).
    role_views = {"sms": RoleView("短信", "sms", in_print_zip=True), "group-text": RoleView("群消息", "text", in_print_zip=True),
                  "group-markdown": RoleView("群消息（Markdown）", "markdown", in_print_zip=True),
                  "newsletter-text": RoleView("警务手机报", "text"),
                  "newsletter-markdown": RoleView("警务手机报（Markdown）", "markdown"), "feed": RoleView("JSON 数据", "file")}
    templates_described = {
        "texts/sms.txt": "短信（每个诈骗类型一条，签名自动加在开头）",
        "texts/scenario.txt": "纯文字群消息",
        "texts/scenario.md": "企业微信、钉钉 Markdown 群消息",
        "texts/newsletter.txt": "警务手机报（纯文字）",
        "texts/newsletter.md": "警务手机报（Markdown）",
        "texts/hotlines.txt": "文字消息末尾的电话和单位（共用）",
    }
    SCENARIO_TEMPLATES = ("texts/sms.txt", "texts/scenario.txt", "texts/scenario.md")

    def check(self, ctx):
        """Every text the build would write, made in memory: SMS parts, byte limits, feed dates."""
        problems = failures_per_item(ctx, {SCENARIOS.folder: scenario_texts, NEWSLETTERS.folder: newsletter_texts})
        if not problems:   # the feed is these texts again: only its dates are left to check
            problems.extend(failures_of(_feed_dates, ctx))
        return problems
    NEWSLETTER_TEMPLATES = ("texts/newsletter.txt", "texts/newsletter.md")

    def plan(self, library, options):
        targets = []
        every_source: set[str] = set()
        for scenario_id, item in sorted(library.kind(SCENARIOS.folder).items()):
            laws = sorted({library.item(LAWS.folder, ref.law).path for ref in item.model.laws})
            every_source.update([item.path, *laws])
            targets.append(Target(
                id=f"texts/{scenario_id}", renderer=self.name,
                outputs=(f"texts/{scenario_id}.sms.txt", f"texts/{scenario_id}.txt", f"texts/{scenario_id}.wecom.md"),
                sources=(item.path, *laws), templates=self.SCENARIO_TEMPLATES,
                params={"type": "scenario", "scenario": scenario_id}, label=f"文字 {scenario_id}"))
        for letter_id, item in sorted(library.kind(NEWSLETTERS.folder).items()):
            letter = item.model
            related = [library.item(SCENARIOS.folder, s).path for s in letter.focus] + \
                      [library.item(TIPS.folder, t).path for t in letter.tips]
            every_source.update([item.path, *related])
            name = f"newsletter-{letter.date.isoformat()}"
            targets.append(Target(
                id=f"texts/{name}", renderer=self.name, outputs=(f"texts/{name}.txt", f"texts/{name}.md"),
                sources=(item.path, *sorted(set(related))), templates=self.NEWSLETTER_TEMPLATES,
                params={"type": "newsletter", "newsletter": letter_id}, label=f"手机报 {letter.date.isoformat()}"))
        targets.append(Target(
            id="texts/feed", renderer=self.name, outputs=("feed.json",), sources=tuple(sorted(every_source)),
            templates=self.SCENARIO_TEMPLATES + self.NEWSLETTER_TEMPLATES, params={"type": "feed"},
            label="feed.json"))
        return targets

    def render(self, target: Target, ctx: RenderContext) -> RenderResult:
        kind = target.params["type"]
        if kind == "scenario":
            texts = scenario_texts(ctx, target.params["scenario"])
            scenario_id = target.params["scenario"]
            return RenderResult(outputs={
                f"texts/{scenario_id}.sms.txt": texts["sms"].encode("utf-8"),
                f"texts/{scenario_id}.txt": texts["text"].encode("utf-8"),
                f"texts/{scenario_id}.wecom.md": texts["markdown"].encode("utf-8"),
            })
        if kind == "newsletter":
            texts = newsletter_texts(ctx, target.params["newsletter"])
            name = f"newsletter-{ctx.library.item(NEWSLETTERS.folder, target.params['newsletter']).model.date.isoformat()}"
            return RenderResult(outputs={f"texts/{name}.txt": texts["text"].encode("utf-8"),
                                         f"texts/{name}.md": texts["markdown"].encode("utf-8")})
        return RenderResult(outputs={"feed.json": json_feed(ctx).encode("utf-8")})


SIGNATURE = re.compile(r"【[^【】]{1,20}】")


@dataclass(frozen=True)
class SmsText:
    """A scenario's SMS as it is sent, measured against the project's number of parts, and the
    field it comes from: the hand-written `sms`, or the longest field the template took text from."""

    text: str                      # one line, signature first
    counted: sms.SmsCount
    max_parts: int
    field: tuple                   # path of the field to shorten, e.g. ("sms",) or ("advice", 0)
    fields: tuple[tuple, ...]      # every field whose text is in the SMS, longest first
    labels: tuple[str, ...]        # how the editor names them, e.g. "“防范要点”第 1 条"
    sizes: tuple[int, ...]         # how many characters of the SMS each of them supplies
    line: int                      # line of `field` in the scenario's file (0: not found)
    signed: str = ""               # the project's signature, when it was added in front

    @property
    def allowed(self) -> int:
        """Characters `max_parts` messages carry (70/134/201… in Chinese)."""
        return sms.capacity(self.counted.encoding, self.max_parts)

    @property
    def over(self) -> int:
        return max(0, self.counted.units - self.allowed) if self.counted.parts > self.max_parts else 0

    @property
    def written(self) -> bool:
        return self.field == ("sms",)


class SmsTooLong(RenderError):
    """An SMS over its parts; carries the measured SMS for the editor's counter."""

    def __init__(self, message: str, file: str = "", line: int = 0, *, sms_text: SmsText | None = None) -> None:
        super().__init__(message, file, line, code="sms-too-long")
        self.sms_text = sms_text


def compose_sms(ctx: RenderContext, scenario_id: str, context: dict | None = None) -> SmsText:
    """The SMS of a scenario: its `sms` field as written, else texts/sms.txt; one line, signed."""
    item = ctx.library.item(SCENARIOS.folder, scenario_id)
    scenario = item.model
    if context is None:
        context = scenario_context(ctx, scenario_id)
    if scenario.sms:
        body = scenario.sms
    else:
        body = render_html(ctx, "texts/sms.txt", context, f"短信 {scenario_id}")
    message = "".join(line.strip() for line in body.splitlines())
    signed = "" if SIGNATURE.match(message) else ctx.config.project.sms_signature
    message = signed + message   # a hand-written signature is kept as written (check warns if it differs)
    found = [(len(scenario.sms), ("sms",))] if scenario.sms else _fields_in(scenario, message, ctx.localize)
    fields = tuple(path for _, path in found)
    field = fields[0] if fields else ()
    return SmsText(message, sms.count(message), ctx.config.sms.max_parts, field, fields,
                   tuple(_field_label(scenario, path) for path in fields), tuple(size for size, _ in found),
                   item.source.locate(field)[0] if field else 0, signed)


def _fields_in(scenario, message: str, localize) -> list[tuple[int, tuple]]:
    """The scenario's text fields the template put into the SMS, longest first: what to shorten
    depends on texts/sms.txt (the project may override it), so it is found in the result."""
    sent = _letters(message)
    found: list[tuple[int, tuple]] = []
    for key in type(scenario).model_fields:
        value = getattr(scenario, key)
        values = [((key,), value)] if isinstance(value, str) else \
            [((key, index), v) for index, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []
        for path, text in values:
            letters = _letters(localize(text))
            if len(letters) >= MIN_FIELD_LETTERS and letters in sent:
                found.append((len(letters), path))
    return sorted(found, key=lambda f: -f[0])


MIN_FIELD_LETTERS = 4   # shorter values (a tag, a category) could be found in the SMS by chance


def _letters(text: str) -> str:
    """Characters and digits only: the template may add punctuation, spacing or Markdown around a field."""
    return "".join(char for char in text if char.isalnum())


def _field_label(scenario, path: tuple) -> str:
    """The field as the editor's form names it (its description up to the first explanation)."""
    description = type(scenario).model_fields[path[0]].description or path[0]
    label = f"“{re.split(r'[：；（，,(:;]', description, maxsplit=1)[0].strip()}”"
    return f"{label}第 {path[1] + 1} 条" if len(path) > 1 else label


def scenario_texts(ctx: RenderContext, scenario_id: str) -> dict:
    item = ctx.library.item(SCENARIOS.folder, scenario_id)
    context = scenario_context(ctx, scenario_id)
    composed = compose_sms(ctx, scenario_id, context)
    counted, message, limit = composed.counted, composed.text, composed.max_parts
    if counted.parts > limit:
        signature = ctx.config.project.sms_signature
        if composed.written:
            fix = f"请把 sms 字段里手写的短信删减至少 {composed.over} 字。"
        elif composed.fields:
            made = f"短信由模板 texts/sms.txt 用{'、'.join(composed.labels)}拼成："
            cut = f"请把{composed.labels[0]}删减至少 {composed.over} 字" if composed.over <= composed.sizes[0] \
                else f"请从{'、'.join(composed.labels)}里共删减至少 {composed.over} 字"
            fix = f"{made}{cut}，或在 sms 字段手写更短的短信。"
        else:
            fix = "请精简 texts/sms.txt 用到的内容，或在 sms 字段手写更短的短信。"
        raise SmsTooLong(
            f"短信 {scenario_id} 共 {counted.units} 字（含签名{signature}），需拆成 {counted.parts} 条，"
            f"超过上限 {limit} 条（outreach.toml [sms] max_parts）：{limit} 条最多 {composed.allowed} 字，"
            f"超出 {composed.over} 字。{fix}", item.path, composed.line, sms_text=composed)
    text = _tidy(render_html(ctx, "texts/scenario.txt", context, f"文字消息 {scenario_id}"))
    markdown = _tidy(render_html(ctx, "texts/scenario.md", context, f"Markdown 消息 {scenario_id}"))
    _check_bytes(text, PLAIN_LIMIT, f"文字消息 {scenario_id}", item.path)
    _check_bytes(markdown, MARKDOWN_LIMIT, f"Markdown 消息 {scenario_id}", item.path)
    return {"sms": message + "\n", "text": text, "markdown": markdown, "sms_count": counted}


def newsletter_texts(ctx: RenderContext, letter_id: str) -> dict[str, str]:
    item = ctx.library.item(NEWSLETTERS.folder, letter_id)
    letter = item.model
    context = base_context(ctx) | {
        "newsletter": letter,
        "focus": [ctx.library.item(SCENARIOS.folder, s).model for s in letter.focus],
        "tips": [ctx.library.item(TIPS.folder, t).model for t in letter.tips],
    }
    what = f"警务手机报 {letter.date.isoformat()}"
    text = _tidy(render_html(ctx, "texts/newsletter.txt", context, what))
    markdown = _tidy(render_html(ctx, "texts/newsletter.md", context, what))
    _check_bytes(text, PLAIN_LIMIT, f"{what}（纯文字）", item.path)
    _check_bytes(markdown, MARKDOWN_LIMIT, f"{what}（Markdown）", item.path)
    return {"text": text, "markdown": markdown}


def _feed_date(ctx: RenderContext, item):
    """The date a scenario's feed entry carries: its own, else [feed] published."""
    published = item.model.published or ctx.config.feed.published
    if published is None:
        raise RenderError("feed.json 需要发布日期：请在 outreach.toml 的 [feed] 里写 published = 2026-11-20，"
                          f"或在{SCENARIOS.label}里写 published。", item.path, 0, code="feed-date-missing")
    return published


def _feed_dates(ctx: RenderContext) -> None:
    for _, item in sorted(ctx.library.kind(SCENARIOS.folder).items()):
        _feed_date(ctx, item)


def json_feed(ctx: RenderContext) -> str:
    """A JSON Feed 1.1 of every text; the same input gives the same bytes."""
    config = ctx.config
    zone = config.feed.timezone
    items = []
    for letter_id, item in sorted(ctx.library.kind(NEWSLETTERS.folder).items(), key=lambda kv: kv[1].model.date, reverse=True):
        letter = item.model
        texts = newsletter_texts(ctx, letter_id)
        name = f"newsletter-{letter.date.isoformat()}"
        items.append(_feed_item(f"{NEWSLETTERS.folder}/{letter_id}", letter.title or f"反诈警务手机报（{letter.date.isoformat()}）",
                                texts["text"], letter.date, zone, ["警务手机报"],
                                {"kind": "newsletter", "id": letter_id,
                                 "files": {"text": f"texts/{name}.txt", "markdown": f"texts/{name}.md"}}))
    for scenario_id, item in sorted(ctx.library.kind(SCENARIOS.folder).items()):
        scenario = item.model
        published = _feed_date(ctx, item)
        texts = scenario_texts(ctx, scenario_id)
        tags = [scenario.category, *scenario.tags, *(ctx.library.audience_label(a) for a in scenario.audiences)]
        items.append(_feed_item(f"{SCENARIOS.folder}/{scenario_id}", scenario.title, texts["text"], published, zone,
                                list(dict.fromkeys(tags)),
                                {"kind": "scenario", "id": scenario_id, "sms": texts["sms"].strip(),
                                 "files": {"sms": f"texts/{scenario_id}.sms.txt", "text": f"texts/{scenario_id}.txt",
                                           "markdown": f"texts/{scenario_id}.wecom.md",
                                           "poster_pdf": f"posters/{scenario_id}.pdf",
                                           "poster_png": f"posters/{scenario_id}.png"}}))
    feed = {"version": JSON_FEED_VERSION, "title": config.feed.title or config.project.name}
    if config.feed.home_page_url:
        feed["home_page_url"] = config.feed.home_page_url
    feed["description"] = f"{config.project.organisation}反诈宣传文字素材"
    feed["language"] = "zh-Hant" if ctx.locale == "zh-Hant" else "zh-Hans"
    feed["authors"] = [{"name": config.project.organisation}]
    feed["items"] = items
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _feed_item(item_id, title, text, date, zone, tags, extension) -> dict:
    extension = dict(extension, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return {
        "id": f"outreach:{item_id}",
        "title": title,
        "content_text": text,
        "date_published": f"{date.isoformat()}T00:00:00{zone}",
        "tags": tags,
        "_outreach": extension,
    }
