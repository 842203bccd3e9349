"""The Jinja environment: sandboxed, strict, with the theme search path and our filters."""

from __future__ import annotations

import json
import re
import threading
import traceback
from pathlib import Path

import jinja2
from jinja2 import meta, nodes, select_autoescape
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from outreach.core import phrasebook
from outreach.core.errors import OutreachError
from outreach.core.safepath import is_hidden
from outreach.project.diagnostics import Diagnostic, error
from outreach.rendering import budget, filters, sizebounds
from outreach.rendering.theme import (
    BUILTIN_PREFIX,
    PROJECT_TEMPLATES,
    TEMPLATE_SUFFIXES,
    TemplateEncodingError,
    TemplateRefused,
    Theme,
)


class TemplateProblem(OutreachError):
    """A template failed; carries a located, Chinese message for the user."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}", file, line)
        self.message = message


MAX_RANGE = 10_000


class ThemeLoader(jinja2.BaseLoader):
    """Loads templates through the theme search path, which refuses links out of the theme,
    hidden files, non-regular files and text that is not UTF-8 (see Theme.read)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def get_source(self, environment, template):
        found = self.theme.read(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        path, text = found
        mtime = path.stat().st_mtime
        return text, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


class BudgetedTemplate(jinja2.Template):
    """A template whose render keeps its own budget (time, loops, size: outreach.rendering.budget)."""

    def render(self, *args, **kwargs) -> str:
        with budget.render_scope():
            return super().render(*args, **kwargs)


class BoundedCodeGenerator(CodeGenerator):
    """Compiles templates so that every {% for %} iterates through the render's loop budget and
    every `a ~ b` is sized before it is joined: loops and `~` are the two things a template runs
    that no sandbox hook (call, operator, filter) sees."""

    def visit_For(self, node: nodes.For, frame) -> None:
        if not (isinstance(node.iter, nodes.Call) and isinstance(node.iter.node, nodes.EnvironmentAttribute)
                and node.iter.node.name == "guard_loop"):
            lineno = node.iter.lineno
            node.iter = nodes.Call(nodes.EnvironmentAttribute("guard_loop", lineno=lineno), [node.iter], [], None, None,
                                   lineno=lineno)
        super().visit_For(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        # Jinja's own visit_Concat, with the parts passed through environment.check_concat first.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.check_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with every step a template takes inside a budget.

    One step that could build a huge value (an operator, a filter, a str/bytes/int method, a
    printed collection) is sized from its arguments and refused before it runs
    (outreach.rendering.sizebounds); loops, calls and output count against the render's time, loop
    and size budget (outreach.rendering.budget), in whatever thread renders. The build's process
    limits (outreach.engine.limits) stay as the last line behind them."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = BoundedCodeGenerator
    template_class = BudgetedTemplate
    concat = staticmethod(sizebounds.bounded_concat)   # type: ignore[assignment]
    check_concat = staticmethod(sizebounds.check_concat)

    def call_binop(self, context, operator, left, right):
        budget.tick()
        if operator == "**":
            sizebounds.check_power(left, right)
        elif operator == "*":
            sizebounds.check_product(left, right)
        elif operator == "+":
            sizebounds.check_sum(left, right)
        elif operator == "%" and isinstance(left, (str, bytes)):
            sizebounds.check_percent_format(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):
        budget.tick()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        """Jinja's hook on every attribute a template reads: str.format is sandboxed here, and so
        is every method that can make a big value in one step (center, replace, join …)."""
        return sizebounds.bounded_method(self, value)

    def guard_loop(self, iterable):
        return budget.LoopItems(iterable)


def _bounded_range(*args):
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise SecurityError(f"range() 最多 {MAX_RANGE} 项，已阻止")
    return values


def _tojson(value, indent=None) -> Markup:
    """JSON for a <script> block, with Chinese kept as characters (not \\u escapes), so the
    Traditional Chinese conversion that runs over the rendered page converts it too."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True, default=str)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process, keyed by the template's
    file and the checksum of its source: every `check` (and every keystroke's check in the
    editor) makes a new environment, and compiling the theme again cost more than rendering it."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)   # ignored by Jinja when the checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        with self._lock:
            if len(self._store) > 2048:
                self._store.clear()
            self._store[bucket.key] = data


_COMPILED = _CompiledTemplates()


def make_environment(theme: Theme, globals_: dict | None = None) -> jinja2.Environment:
    env = BoundedSandbox(
        loader=ThemeLoader(theme),
        undefined=jinja2.StrictUndefined,
        autoescape=select_autoescape(["html", "htm", "xml", "svg"], default_for_string=True, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_COMPILED,
    )
    env.filters.update(filters.FILTERS)
    env.filters["tojson"] = _tojson
    env.filters = {name: sizebounds.bounded_filter(name, function) for name, function in env.filters.items()}
    env.finalize = sizebounds.check_output
    env.globals["range"] = _bounded_range
    env.globals["lipsum"] = sizebounds.bounded_lipsum(env.globals["lipsum"])  # type: ignore[arg-type]
    env.globals.update(globals_ or {})
    env.theme = theme  # type: ignore[attr-defined]
    return env


def check_templates(theme: Theme) -> list[Diagnostic]:
    """Problems `check` can find in the project's templates without rendering: files that are
    not UTF-8 text, links out of templates/, and Jinja syntax errors (all located)."""
    directory = theme.project_dir
    if refused := theme.project_dir_problem():
        return [error(PROJECT_TEMPLATES, 0, 0, "template-refused", refused)]
    if not directory.is_dir():
        return []
    env = make_environment(theme)
    problems: list[Diagnostic] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if is_hidden(relative) or path.suffix.lower() not in TEMPLATE_SUFFIXES:
            continue
        if relative.as_posix().lower() == "readme.md":
            continue   # notes about the folder, not a template (no built-in template has this name)
        if path.is_dir() and not path.is_symlink():
            continue
        shown = f"{PROJECT_TEMPLATES}/{relative.as_posix()}"
        try:
            found = theme.read(relative.as_posix())
            if found is not None:
                env.parse(found[1], name=relative.as_posix(), filename=str(found[0]))
        except TemplateEncodingError as exc:
            problems.append(error(shown, exc.line, exc.column, "template-encoding", exc.reason))
        except TemplateRefused as exc:
            problems.append(error(shown, 0, 0, "template-refused", str(exc)))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(error(shown, exc.lineno or 1, 1, "template-syntax",
                                  f"模板语法错误：{translate_error(exc.message or str(exc))}"))
    return problems


def template_closure(env: jinja2.Environment, name: str,
                     references: dict[str, tuple[str | None, ...]] | None = None) -> set[str]:
    """Every template `name` pulls in through extends/include/import, itself included.

    A dynamic reference (a name computed at render time) cannot be followed statically,
    so then every template of the theme counts as a dependency. `references`: what each
    template read so far refers to, kept by a caller that asks for many closures (the planner:
    every output's templates share the base and partials, each then parsed once).
    """
    theme: Theme = env.theme  # type: ignore[attr-defined]
    if env.loader is None:   # make_environment always sets one; an environment without can load nothing
        return set()
    references = {} if references is None else references
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in references:
            references[current] = _references(env, current)
        for ref in references[current]:
            if ref is None:
                return seen | set(theme.builtin_names()) | set(theme.project_names()) | \
                    {BUILTIN_PREFIX + n for n in theme.builtin_names()}
            pending.append(ref)
    return seen


def _references(env: jinja2.Environment, name: str) -> tuple[str | None, ...]:
    """The templates one template names (None for a name computed at render time)."""
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
        return tuple(meta.find_referenced_templates(env.parse(source)))
    except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError, TemplateRefused):
        return ()  # reported when the template is rendered


def render_template(env: jinja2.Environment, name: str, context: dict, what: str) -> str:
    """Render, turning every template failure into a located TemplateProblem."""
    theme: Theme = env.theme  # type: ignore[attr-defined]
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        file = theme.display_path(exc.filename or exc.name or name)
        raise TemplateProblem(file, exc.lineno or 0, f"渲染{what}时模板语法错误：{translate_error(exc.message or str(exc))}") from None
    except TemplateEncodingError as exc:
        raise TemplateProblem(exc.file, exc.line, f"渲染{what}时无法读取模板：{exc}") from None
    except TemplateRefused as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时模板被拒绝：{exc}") from None
    except jinja2.TemplateNotFound as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时找不到模板“{exc.name}”。") from None
    except sizebounds.TooBig as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时{exc}") from None
    except SecurityError as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时模板做了不安全的操作，已阻止：{translate_error(str(exc))}") from None
    except budget.BudgetExceeded as exc:
        file, line = _template_frame(exc, theme, theme.display_path(name))   # output is joined outside the template's code
        raise TemplateProblem(file, line, f"渲染{what}时{exc}") from None
    except RecursionError as exc:
        file, line = _template_frame(exc, theme, name)
        raise TemplateProblem(file, line, f"渲染{what}时宏或模板一层套一层调用得太深（可能是宏调用了它自己），已停止。") from None
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
