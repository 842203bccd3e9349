"""The preview's index page: every output of the last build, by kind and item, shown as its
renderer describes each role (pictures, texts, PDFs with a first-page thumbnail, pages, files).

Nothing here names an output kind: the sections come from the renderer registry and the
outputs from the manifest, so tips, scripts, newsletters, station packs and a plugin's
kind appear like posters do.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from outreach.engine.manifest import Manifest
from outreach.outputs.base import PRINT_FOLDER, RoleView, output_prefix, variant_of
from outreach.project.kinds import LAWS, registry

if TYPE_CHECKING:
    from outreach.preview.state import Site

MAX_TEXT_CHARS = 400   # a text output is shown up to this length on the index


def index_page(preview: "Site") -> str:
    from outreach.outputs.registry import all_renderers

    state = preview.state.snapshot()   # read first: a build finishing while this page is made reloads it
    library = preview.library()
    esc = html.escape
    parts = [f"<h1>{esc(preview.project_title())} · 预览</h1>",
             '<p class="edit-link"><a href="/edit/">在浏览器里修改内容（编辑器）</a></p>',
             f'<p class="summary" id="summary" role="status">{esc(state["summary"] or "正在生成……")}</p>']
    if state["skipped"]:
        parts.append('<section class="skipped" id="skipped"><h2>没有生成的内容</h2><ul>')
        for entry in state["skipped"]:
            messages = "".join(f"<li>{esc(m)}</li>" for m in entry["messages"])
            parts.append(f"<li><strong>{esc(entry['label'] or entry['file'])}</strong>（{esc(entry['file'])}）"
                         f"<ul>{messages}</ul></li>")
        parts.append("</ul></section>")
    if state["problems"]:
        parts.append('<section class="problems" id="problems"><h2>问题</h2><ul>')
        parts += [f"<li><code>{esc(problem)}</code></li>" for problem in state["problems"]]
        parts.append("</ul></section>")
    prefix = output_prefix(preview.options.locale or (library.config.project.locale if library else "zh-Hans"))
    manifest = Manifest.load(preview.out_dir)
    titles = _titles(library)
    for kind, renderer in all_renderers().items():
        groups = _groups(manifest, kind, prefix)
        if not groups:
            continue
        parts.append(f'<section class="kind" id="kind-{esc(kind)}" data-kind="{esc(kind)}">'
                     f"<h2>{esc(renderer.label or kind)}</h2><div class='items'>")
        for item_id, outputs in groups.items():
            title = titles.get(item_id, item_id)
            missing = "" if item_id in titles or not library else "<small>（内容有错误或已删除：显示的是上次成功生成的文件）</small>"
            outputs = _ordered(outputs, renderer, prefix)
            views = [renderer.view(role) for _, role in outputs]
            # A picture of the page is there already: its PDF needs a link, not a second thumbnail.
            pictured = any(view is not None and view.show == "image" for view in views)
            shown = [_show(path, role, view, preview.out_dir, state["version"], thumbnail=not pictured)
                     for (path, role), view in zip(outputs, views, strict=True)]
            parts.append(f'<article class="item" data-item="{esc(item_id)}"><h3>{esc(title)}{missing}</h3>'
                         f'{"".join(shown)}</article>')
        parts.append("</div></section>")
    colour = library.config.theme.primary_color if library else "#c8102e"
    return (PAGE.replace("{body}", "\n".join(parts)).replace("{version}", str(state["version"]))
            .replace("{primary}", esc(colour)))


def _titles(library) -> dict[str, str]:
    if library is None:
        return {}
    titles: dict[str, str] = {}
    # Where kinds share an id, the kind listed first in the registry wins (scenarios first);
    # laws never do: they print nothing of their own.
    for kind in [LAWS, *(kind for kind in reversed(list(registry)) if kind is not LAWS)]:
        titles.update({item_id: item.title for item_id, item in library.kind(kind.folder).items()})
    return titles


def _groups(manifest: Manifest, kind: str, prefix: str) -> dict[str, list[tuple[str, str]]]:
    """This kind's outputs in one locale's folder, print masters (print/) with their screen
    files: item id → [(path, role)], screen files first, in path order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    ordered = sorted(manifest.outputs.items(), key=lambda entry: (variant_of(entry[0]) != prefix, entry[0]))
    for path, info in ordered:
        variant = variant_of(path)
        if variant not in (prefix, prefix + PRINT_FOLDER):
            continue
        target = info.get("target", "").removeprefix(variant)   # zh-Hant/print/posters/x → posters/x
        if target.split("/", 1)[0] != kind:
            continue
        item_id = target.split("/")[1] if "/" in target else target
        groups.setdefault(item_id, []).append((path, info.get("role", "")))
    return groups


def _ordered(outputs: list[tuple[str, str]], renderer, prefix: str) -> list[tuple[str, str]]:
    """An item's outputs as its renderer orders their roles (RoleView.order), screen files before
    print masters, then by path."""
    def key(entry: tuple[str, str]) -> tuple:
        path, role = entry
        view = renderer.view(role)
        return (variant_of(path) != prefix, view.order if view is not None else 0, path)

    return sorted(outputs, key=key)


def _show(path: str, role: str, view: RoleView | None, out_dir: Path, version: int, thumbnail: bool = True) -> str:
    esc = html.escape
    view = view or RoleView(role or Path(path).name, "file")
    url = "/" + quote(path)
    if view.show == "image":
        return (f'<a class="output image" href="{url}" data-role="{esc(role)}"><img src="{url}?v={version}" '
                f'alt="{esc(view.label)}：{esc(path)}" loading="lazy"></a>')
    if view.show in ("text", "sms"):   # counted as an SMS in the editor; here, the text as sent
        try:
            text = (out_dir / path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        clipped = text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "……"
        return (f'<div class="output text" data-role="{esc(role)}"><span class="role">{esc(view.label)}</span>'
                f'<p>{esc(clipped)}</p><a href="{url}">{esc(Path(path).name)}</a></div>')
    if view.show == "pdf" and thumbnail:
        return (f'<a class="output pdf" href="{url}" data-role="{esc(role)}"><img src="/__thumb/{quote(path)}?v={version}" '
                f'alt="" loading="lazy"><span>{esc(view.label)}：{esc(Path(path).name)}</span></a>')
    if view.show == "article":
        return _article(path, role, view, url, out_dir)
    if view.show == "page":
        return (f'<a class="output page" href="{url}" target="_blank" rel="noopener" data-role="{esc(role)}">'
                f'{esc(view.label)}（在新窗口打开）</a>')
    # file and markdown (a message's source: formatted in the editor, a download here)
    return f'<a class="output file" href="{url}" data-role="{esc(role)}">{esc(view.label)}：{esc(Path(path).name)}</a>'


def _article(path: str, role: str, view: RoleView, url: str, out_dir: Path) -> str:
    """An article for the 公众号 editor: a button that copies it as rich text (text/html, with
    text/plain beside it) and a link to see it. Its HTML travels in a JSON data block (every
    `<`, `>` and `&` escaped, so no markup of the build's reaches this page's document) that
    the page's own script reads when the button is pressed."""
    import hashlib
    import json

    from outreach.rendering.wechathtml import plain_text

    esc = html.escape
    try:
        fragment = (out_dir / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        fragment = ""
    data = json.dumps({"html": fragment, "text": plain_text(fragment)}, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    source = "article-" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]
    return (f'<div class="output article" data-role="{esc(role)}"><span class="role">{esc(view.label)}</span> '
            f'<button type="button" class="copy-article" data-source="{source}">复制到公众号</button>'
            f'<span class="copy-status" role="status"></span>'
            f'<a href="{url}" target="_blank" rel="noopener">{esc(Path(path).name)}（在新窗口查看）</a>'
            f'<script type="application/json" id="{source}">{data}</script></div>')


PAGE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>outreach 预览</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #1a1a1a; }
h1 { color: {primary}; } .summary { font-weight: 700; }
.problems, .skipped { background: #fdeaea; border-left: 6px solid #b00020; padding: 8px 16px; }
.problems code { white-space: pre-wrap; font-size: 14px; }
.items { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
.item { border: 1px solid #ddd; padding: 8px; } .item h3 { font-size: 15px; margin: 0 0 6px; }
.item small { display: block; color: #b00020; font-weight: 400; }
.output { display: block; margin: 4px 0; font-size: 14px; color: #0b4fa0; overflow-wrap: anywhere; }
.output img { width: 100%; display: block; border: 1px solid #eee; background: #fafafa; }
.output.pdf img { max-height: 200px; object-fit: contain; }
.output.text { color: inherit; } .output.text p { white-space: pre-wrap; margin: 2px 0; font-size: 13px; }
.role { font-weight: 700; font-size: 13px; }
.output.article { color: inherit; } .output.article a { display: block; color: #0b4fa0; }
.copy-article { font: inherit; font-weight: 700; color: #fff; background: #07c160; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
.copy-status { display: block; font-size: 13px; color: #0b6b3a; }
</style></head><body data-version="{version}">
{body}
<script>
// Live reload: the server sends `reload` after every build.
new EventSource("/__events?since={version}").addEventListener("reload", function () { location.reload(); });
// 复制到公众号: the article as rich text (the editor keeps its inline styles) and as plain text.
document.addEventListener("click", function (event) {
  const button = event.target.closest("button.copy-article");
  if (!button) return;
  const data = JSON.parse(document.getElementById(button.dataset.source).textContent);
  const status = button.parentElement.querySelector(".copy-status");
  const said = function (text) { return function () { status.textContent = text; }; };
  const failed = said("浏览器没有允许复制：请点右边的链接打开文章，全选（Ctrl+A）后复制。");
  if (window.ClipboardItem && navigator.clipboard && navigator.clipboard.write) {
    navigator.clipboard.write([new ClipboardItem({
      "text/html": new Blob([data.html], { type: "text/html" }),
      "text/plain": new Blob([data.text], { type: "text/plain" }),
    })]).then(said("已复制：请到公众号编辑器的正文里粘贴（Ctrl+V）。"), failed);
  } else if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(data.text).then(said("这个浏览器只能复制文字（没有格式）：已复制。"), failed);
  } else {
    failed();
  }
});
</script>
</body></html>
"""
