"""The Jinja environment: sandboxed, strict, with the theme search path and our filters."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import jinja2
from jinja2 import meta, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from outreach import filters, phrasebook
from outreach.theme import BUILTIN_PREFIX, Theme


class TemplateProblem(Exception):
    """A template failed; carries a located, Chinese message for the user."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


def make_environment(theme: Theme, globals_: dict | None = None) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({BUILTIN_PREFIX.rstrip("/"): jinja2.FileSystemLoader(str(theme.builtin_dir))}, delimiter="/"),
        jinja2.FileSystemLoader([str(p) for p in theme.search_path], followlinks=False),
    ])
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=select_autoescape(["html", "htm", "xml", "svg"], default_for_string=True, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(filters.FILTERS)
    env.globals.update(globals_ or {})
    env.theme = theme  # type: ignore[attr-defined]
    return env


def template_closure(env: jinja2.Environment, name: str) -> set[str]:
    """Every template `name` pulls in through extends/include/import, itself included.

    A dynamic reference (a name computed at render time) cannot be followed statically,
    so then every template of the theme counts as a dependency.
    """
    theme: Theme = env.theme  # type: ignore[attr-defined]
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, _, _ = env.loader.get_source(env, current)
            ast = env.parse(source)
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
            continue  # reported when the template is rendered
        for ref in meta.find_referenced_templates(ast):
            if ref is None:
                return seen | set(theme.builtin_names()) | set(theme.project_names()) | \
                    {BUILTIN_PREFIX + n for n in theme.builtin_names()}
            pending.append(ref)
    return seen


def render_template(env: jinja2.Environment, name: str, context: dict, what: str) -> str:
    """Render, turning every template failure into a located TemplateProblem."""
    theme: Theme = env.theme  # type: ignore[attr-defined]
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        file = theme.display_path(exc.filename or exc.name or name)
        raise TemplateProblem(file, exc.lineno or 0, f"渲染{what}时模板语法错误：{translate_error(exc.message or str(exc))}") from None
    except jinja2.TemplateNotFound as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时找不到模板“{exc.name}”。") from None
    except SecurityError as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时模板做了不安全的操作，已阻止：{translate_error(str(exc))}") from None
    except jinja2.UndefinedError as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时出错：{translate_error(str(exc))}") from None
    except filters.FilterError as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时过滤器出错：{exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        file, line = _template_frame(exc, theme, name)
        if file == name:  # not raised from template code: a bug of ours
            raise
        raise TemplateProblem(file, line, f"渲染{what}时出错：{translate_error(str(exc))}") from None


def _template_frame(exc: BaseException, theme: Theme, fallback: str) -> tuple[str, int]:
    """The innermost traceback frame that belongs to a template file."""
    roots = [p.resolve() for p in theme.search_path]
    found = (fallback, 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.suffix and any(_within(path, root) for root in roots):
            found = (theme.display_path(path), frame.lineno or 0)
    return found


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


_TRANSLATIONS = [
    (re.compile(r"^'([^']+)' is undefined$"), "变量“{0}”未定义（请检查拼写，或查看 docs/templates.md 里每个模板可用的变量）"),
    (re.compile(r"^'(.+)' has no attribute '([^']+)'$"), "“{0}”没有属性“{1}”"),
    (re.compile(r"^'(.+)' object has no attribute '([^']+)'$"), "“{0}”没有属性“{1}”"),
    (re.compile(r"^access to attribute '([^']+)' of '([^']+)' object is unsafe\.?$"), "不允许访问“{1}”的属性“{0}”"),
    (re.compile(r"^(.+) is not safely callable$"), "不允许调用“{0}”"),
    (re.compile(r"^unexpected '(.+)'$"), "这里不应出现“{0}”"),
    (re.compile(r"^unexpected end of template.*?looking for the following tags: (.+?)\. The innermost block that needs to be closed is '([^']+)'", re.I | re.S),
     "模板意外结束：“{1}”块没有结束，缺少 {0}"),
    (re.compile(r"^unexpected end of template.*", re.I | re.S), "模板意外结束，可能缺少 {{% endif %}}、{{% endfor %}} 或 {{% endblock %}}"),
    (re.compile(r"^Encountered unknown tag '([^']+)'.*"), "不认识的标签“{0}”（或缺少配对的结束标签）"),
    (re.compile(r"^No filter named '([^']+)'.*"), "没有名为“{0}”的过滤器"),
    (re.compile(r"^expected token '([^']+)', got '([^']+)'$"), "这里应为“{0}”，实际是“{1}”"),
]


def translate_error(message: str) -> str:
    return phrasebook.translate(message.strip(), _TRANSLATIONS)


__all__ = ["Markup", "TemplateProblem", "make_environment", "render_template", "template_closure", "translate_error"]
