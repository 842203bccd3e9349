"""How big a value a template operation would make, worked out before it is made.

One filter, method or operator can build a huge value in a single step (`'a'|center(10**9)`,
`'{:>300000000}'.format(x)`, `[big] * 1000 | join`): no loop runs, so neither the time budget
nor a memory limit gets a chance before the memory is gone. Each such operation is therefore
sized first, from its arguments, and refused when:

- a number that sets the size (a width, a repeat count, a fill) passes MAX_RESULT_ITEMS, or
- the result would pass MAX_OUTPUT_CHARS characters (or items).

Sizes are estimates that err on the large side (a list counts as its printed form, with
brackets and separators); what passes is counted against the render's budget (outreach.rendering.budget).
"""

from __future__ import annotations

import functools
import re
import types
from typing import Any, Callable

from jinja2 import pass_environment, pass_eval_context
from jinja2.filters import make_attrgetter
from jinja2.runtime import Namespace
from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter, SecurityError
from markupsafe import Markup

from outreach.rendering import budget

MAX_RESULT_ITEMS = 1_000_000       # characters of a string, or items of a list, one operator or size argument may ask for
MAX_OUTPUT_CHARS = budget.MAX_OUTPUT_CHARS
MAX_FORMAT_WIDTH = 10_000          # width or precision of one `%` or `{}` field
MAX_INT_BITS = 64 * 1024           # about 20,000 decimal digits
ITEM_CHARS = 8                     # a list item costs a pointer: counted as this many characters
_ESCAPED = 6                       # HTML escaping makes at most this many characters of one ("&#34;")

_PERCENT_FIELD = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


# --- refusals -----------------------------------------------------------------------------------

class TooBig(SecurityError):
    """One step would make too big a value; the message is a Chinese clause that follows “渲染…时”."""


def too_big(what: str) -> TooBig:
    return TooBig(f"模板计算的{what}过大，已阻止（防止耗尽内存或时间）")


def _too_big_value(what: str, size: int) -> TooBig:
    return TooBig(f"这一步（{what}）要生成的结果过大（约 {size:,} 个字符，最多 {MAX_OUTPUT_CHARS:,}），"
                         "已阻止（防止耗尽内存或时间）")


def size_argument(value: Any, what: str, limit: int = MAX_RESULT_ITEMS) -> int:
    """A number that sets how big a result is (a width, a count), refused past `limit`."""
    number = value if isinstance(value, int) and not isinstance(value, bool) else 0
    if number > limit:
        raise TooBig(f"{what}过大（{number:,}，最多 {limit:,}），已阻止（防止耗尽内存或时间）")
    return max(number, 0)


def made(size: int, what: str) -> int:
    """Refuse a result of `size` characters past MAX_OUTPUT_CHARS; else count it for the render."""
    if size > MAX_OUTPUT_CHARS:
        raise _too_big_value(what, size)
    budget.charge(size)
    return size


# --- how long a value prints --------------------------------------------------------------------

_END = object()


def approx_len(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
    """About how many characters str(value) has, without making it (counting stops past `limit`).

    Containers count their brackets and separators and every element each time it occurs: a
    list of 1,000 references to one long string prints that string 1,000 times."""
    size = _scalar_len(value)
    if size is not None:
        return size
    total = 0
    on_path: set[int] = set()
    stack: list[tuple[int, Any]] = []

    def enter(container: Any) -> int:
        children = _children(container)
        on_path.add(id(container))
        stack.append((id(container), iter(children)))
        return 2 + 2 * len(children)

    total = enter(value)
    while stack and total <= limit:
        ident, children = stack[-1]
        child = next(children, _END)
        if child is _END:
            stack.pop()
            on_path.discard(ident)
            continue
        size = _scalar_len(child)
        if size is None:
            size = 5 if id(child) in on_path else enter(child)   # a namespace holding itself prints “{...}”
        total += size
    return total


def _scalar_len(value: Any) -> int | None:
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if value is None or isinstance(value, (bool, float, complex)):
        return 24
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 2
    if isinstance(value, (list, tuple, set, frozenset, dict, Namespace, types.MappingProxyType)):
        return None
    if hasattr(type(value), "model_fields"):    # a content model (pydantic): prints its fields
        return None
    return 64   # numbers, dates, functions, loop helpers: short


def _children(container: Any) -> list | tuple | set | frozenset:
    if isinstance(container, Namespace):
        container = object.__getattribute__(container, "_Namespace__attrs")
    elif hasattr(type(container), "model_fields"):
        container = dict(vars(container))
    if isinstance(container, (dict, types.MappingProxyType)):
        return [*container.keys(), *container.values()]
    return container


def _str_len(value: Any) -> int:
    return approx_len(value, MAX_OUTPUT_CHARS)


# --- operators ----------------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_power(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and exponent > 0:
        if max(abs(base).bit_length(), 1) * exponent > MAX_INT_BITS and abs(base) > 1:
            raise too_big("乘方结果")


def check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise too_big("乘积")
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple, bytes)) and _is_int(times):
            if len(sequence) * times > MAX_RESULT_ITEMS:
                raise too_big("重复文字或列表")
            budget.charge(len(sequence) * max(times, 0) * _weight(sequence))


def check_sum(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        return
    if isinstance(left, (str, list, tuple, bytes)) and isinstance(right, (str, list, tuple, bytes)):
        if len(left) + len(right) > MAX_RESULT_ITEMS:
            raise too_big("拼接结果")
        budget.charge((len(left) + len(right)) * _weight(left))


def _weight(sequence: Any) -> int:
    return ITEM_CHARS if isinstance(sequence, (list, tuple)) else 1


def check_concat(parts: tuple) -> tuple:
    """`a ~ b ~ c`: the parts as they are, once their joined size is known to be allowed."""
    budget.tick()
    size = sum(approx_len(part, MAX_RESULT_ITEMS) for part in parts)
    if size > MAX_RESULT_ITEMS:
        raise too_big("拼接结果（~）")
    budget.charge(size)
    return parts


def check_percent_format(template: str | bytes, args: Any) -> None:
    """`template % args` (the `%` operator and the format filter): widths first, then the result."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    fields = 0
    widths = 0
    for match in _PERCENT_FIELD.finditer(text):
        if match.group(4) == "%":
            continue
        fields += 1
        for part in match.group(2, 3):
            if part == "*" or (part and int(part) > MAX_FORMAT_WIDTH):
                raise too_big("格式化宽度")
            widths += int(part) if part and part != "*" else 0
    if isinstance(args, dict):
        values: Any = args.values()
    elif isinstance(args, tuple):
        values = args
    else:
        values = (args,)
    largest = max((approx_len(v, MAX_OUTPUT_CHARS) for v in values), default=0)
    size = len(text) + widths + fields * largest
    if size > MAX_RESULT_ITEMS:
        raise too_big("格式化结果")
    budget.charge(size)


# --- str.format and str.format_map -------------------------------------------------------------

class _Counting:
    """A sandboxed formatter that sizes every field before formatting it."""

    _size = 0

    def vformat(self, format_string, args, kwargs):   # type: ignore[no-untyped-def]
        self._size = len(format_string)
        return super().vformat(format_string, args, kwargs)   # type: ignore[misc]

    def format_field(self, value, format_spec):   # type: ignore[no-untyped-def]
        budget.tick()
        width = max((int(d) for d in re.findall(r"\d+", format_spec or "")), default=0)
        if width > MAX_FORMAT_WIDTH:
            raise too_big("格式化宽度")
        self._size += max(width, approx_len(value, MAX_RESULT_ITEMS))
        if self._size > MAX_RESULT_ITEMS:
            raise too_big("格式化结果")
        budget.charge(width)
        return super().format_field(value, format_spec)   # type: ignore[misc]


class BoundedFormatter(_Counting, SandboxedFormatter):
    pass


class BoundedEscapeFormatter(_Counting, SandboxedEscapeFormatter):
    pass


def bounded_str_format(env, method: Callable) -> Callable[..., str]:
    """str.format / str.format_map as the sandbox wraps them, with every field sized."""
    owner = method.__self__   # type: ignore[attr-defined]
    str_type = type(owner)
    format_map = method.__name__ == "format_map"
    formatter: SandboxedFormatter
    if isinstance(owner, Markup):
        formatter = BoundedEscapeFormatter(env, escape=owner.escape)
    else:
        formatter = BoundedFormatter(env)

    def wrapper(*args: Any, **kwargs: Any) -> str:
        if format_map:
            if kwargs:
                raise TypeError("format_map() takes no keyword arguments")
            if len(args) != 1:
                raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
            kwargs, args = args[0], ()
        return str_type(formatter.vformat(owner, args, kwargs))

    return functools.update_wrapper(wrapper, method)


# --- methods of str, bytes and int --------------------------------------------------------------

def _padded(what, owner, width=0, *_):   # type: ignore[no-untyped-def]
    return max(len(owner), size_argument(width, f"{what}的宽度"))


def _expandtabs(what, owner, tabsize=8):   # type: ignore[no-untyped-def]
    return len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t") * size_argument(tabsize, f"{what}的宽度")


def _replace(what, owner, old="", new="", count=-1):   # type: ignore[no-untyped-def]
    """len(owner.replace(old, new, count)), from the number of matches (Markup escapes its arguments)."""
    if isinstance(owner, Markup):
        old, new_len = str(old) if _scalar_len(old) is not None else "", approx_len(new) * _ESCAPED
    elif isinstance(old, type(owner)) and isinstance(new, type(owner)):
        new_len = len(new)
    else:
        return len(owner)   # the method refuses these arguments itself
    found = len(owner) + 1 if not old else owner.count(old)
    if _is_int(count) and count >= 0:
        found = min(found, count)
    return len(owner) + found * max(new_len - len(old), 0)


def _translate(what, owner, table=None):   # type: ignore[no-untyped-def]
    longest = 1
    if isinstance(table, dict):
        longest = max((approx_len(v, MAX_RESULT_ITEMS) for v in table.values() if v is not None), default=1)
    return len(owner) * max(longest, 1)


def _pieces(what, owner, *_, **__):   # type: ignore[no-untyped-def]
    return len(owner) * (1 + ITEM_CHARS // 2)   # at most one piece per two characters, each a new string


def _encoded(what, owner, *_, **__):   # type: ignore[no-untyped-def]
    return len(owner) * 4


def _to_bytes(what, owner, length=1, *_, **__):   # type: ignore[no-untyped-def]
    return size_argument(length, f"{what}的字节数")


_METHOD_SIZES: dict[tuple[type, str], Callable[..., int]] = {
    **{(kind, name): _padded for kind in (str, bytes) for name in ("center", "ljust", "rjust", "zfill")},
    **{(kind, "expandtabs"): _expandtabs for kind in (str, bytes)},
    **{(kind, "replace"): _replace for kind in (str, bytes)},
    **{(kind, "translate"): _translate for kind in (str, bytes)},
    **{(kind, name): _pieces for kind in (str, bytes) for name in ("split", "rsplit", "splitlines")},
    (str, "encode"): _encoded,
    (int, "to_bytes"): _to_bytes,
}


def bounded_method(env, value: Any) -> Callable | None:
    """A wrapper for a method the sandbox hands out that can make a big value in one step
    (None for every other method, which stays as it is)."""
    if not isinstance(value, (types.BuiltinMethodType, types.MethodType)):
        return None
    owner = getattr(value, "__self__", None)
    name = getattr(value, "__name__", "")
    if isinstance(owner, str) and name in ("format", "format_map"):
        return bounded_str_format(env, value)
    if isinstance(owner, (str, bytes)) and name == "join":
        return _bounded_join_method(value)
    kind = str if isinstance(owner, str) else bytes if isinstance(owner, bytes) else \
        int if isinstance(owner, int) else None
    size_of = _METHOD_SIZES.get((kind, name)) if kind else None
    if size_of is None:
        return None
    what = f"方法 {name}() "

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        budget.tick()
        try:
            size = size_of(what, owner, *args, **kwargs)
        except TypeError:   # wrong arguments: the method itself says what is wrong
            size = 0
        made(size, what.strip())
        return value(*args, **kwargs)

    return functools.update_wrapper(wrapper, value)


def _bounded_join_method(method: Callable) -> Callable:
    separator = method.__self__   # type: ignore[attr-defined]
    factor = _ESCAPED if isinstance(separator, Markup) else 1

    def wrapper(iterable: Any) -> Any:
        budget.tick()
        items = iterable if isinstance(iterable, (list, tuple)) else list(iterable)
        made(joined_size(items, separator, factor), "方法 join()")
        return method(items)

    return functools.update_wrapper(wrapper, method)


def joined_size(items: list | tuple, separator: Any, factor: int = 1) -> int:
    size = max(len(items) - 1, 0) * approx_len(separator, MAX_RESULT_ITEMS)
    for item in items:
        size += approx_len(item, MAX_OUTPUT_CHARS) * factor
        if size > MAX_OUTPUT_CHARS:
            break
    return size


# --- filters ------------------------------------------------------------------------------------

def _lines(text: Any) -> int:
    return text.count("\n") + 1 if isinstance(text, str) else approx_len(text) // 2 + 1


def _center(value, width=80):   # type: ignore[no-untyped-def]
    return max(_str_len(value), size_argument(width, "过滤器 center 的宽度"))


def _indent(value, width=4, first=False, blank=False):   # type: ignore[no-untyped-def]
    step = len(width) if isinstance(width, str) else size_argument(width, "过滤器 indent 的缩进")
    if step * _lines(value) > MAX_RESULT_ITEMS:
        raise too_big("缩进")
    return _str_len(value) + step * _lines(value)


def _format(value, *args, **kwargs):   # type: ignore[no-untyped-def]
    check_percent_format(str(value), kwargs or args)
    return 0   # counted by check_percent_format


def _replace_filter(value, old, new, count=None):   # type: ignore[no-untyped-def]
    length = _str_len(value)
    old_len, new_len = _str_len(old), _str_len(new) * (_ESCAPED if isinstance(value, Markup) else 1)
    if isinstance(value, str) and isinstance(old, str):
        found = length + 1 if not old else value.count(old)
    else:
        found = length + 1 if not old_len else length // old_len
    if _is_int(count) and count >= 0:
        found = min(found, count)
    return length + found * max(new_len - old_len, 0)


def _wordwrap(value, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):   # type: ignore[no-untyped-def]
    length = _slow_on_long_input("wordwrap", 100_000, 1)(value)
    if _is_int(width) and width > 0:
        return length + (length // width + _lines(value)) * len(wrapstring or "\n")
    return length


def _truncate(value, length=255, killwords=False, end="...", leeway=None):   # type: ignore[no-untyped-def]
    return min(_str_len(value), length if _is_int(length) else 0) + _str_len(end)


def _batch(value, linecount, fill_with=None):   # type: ignore[no-untyped-def]
    return size_argument(linecount, "过滤器 batch 的每组个数") if fill_with is not None else 0


def _slice(value, slices, fill_with=None):   # type: ignore[no-untyped-def]
    return size_argument(slices, "过滤器 slice 的份数")


def _tojson(value, indent=None):   # type: ignore[no-untyped-def]
    step = size_argument(indent, "过滤器 tojson 的缩进", 16)
    return approx_len(value) * (2 + step)


def _urlize(value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None):   # type: ignore[no-untyped-def]
    for extra in (target, rel):
        size_argument(approx_len(extra) if extra is not None else 0, "过滤器 urlize 的属性长度", 100)
    return _str_len(value) * 10


def _lipsum_size(n=5, html=True, min=20, max=100):   # type: ignore[no-untyped-def]
    return size_argument(n, "lipsum 的段落数", 1000) * size_argument(max, "lipsum 每段的词数", 1000) * 12


def _scaled(factor: int) -> Callable[..., int]:
    def size(value, *args, **kwargs):   # type: ignore[no-untyped-def]
        total = (len(value) if isinstance(value, str) else _str_len(value)) * factor
        if args or kwargs:
            total += sum(_str_len(a) for a in args) + sum(_str_len(v) for v in kwargs.values())
        return total
    return size


def _slow_on_long_input(name: str, limit: int, factor: int) -> Callable[..., int]:
    """A filter whose time grows faster than its input on crafted text (Markdown's nested
    brackets, textwrap at width 1, QR encoding): one call cannot be interrupted, so its input is capped."""
    scaled = _scaled(factor)

    def size(value, *args, **kwargs):   # type: ignore[no-untyped-def]
        length = _str_len(value)
        if length > limit:
            raise TooBig(f"过滤器 {name} 的输入过长（{length:,} 个字符，最多 {limit:,}），已阻止（防止耗尽时间）")
        return scaled(value, *args, **kwargs)

    return size


def _nothing(*args: Any, **kwargs: Any) -> int:
    return 0


def _list_of(value, *args, **kwargs):   # type: ignore[no-untyped-def]
    """A new list with (at most) one item per item of `value` (a string's characters)."""
    return len(value) * ITEM_CHARS if hasattr(value, "__len__") else 0


# Filters that make nothing new, or a lazy sequence whose items are counted where they are made.
_SIZE_FREE = ("abs", "attr", "count", "d", "default", "first", "float", "int", "items", "last", "length", "map",
              "max", "min", "random", "reject", "rejectattr", "round", "select", "selectattr", "filesizeformat")

FILTER_SIZES: dict[str, Callable[..., int]] = {
    **{name: _nothing for name in _SIZE_FREE},
    "center": _center, "indent": _indent, "format": _format, "replace": _replace_filter, "wordwrap": _wordwrap,
    "truncate": _truncate, "batch": _batch, "slice": _slice, "tojson": _tojson, "urlize": _urlize,
    **{name: _list_of for name in ("list", "reverse", "sort", "unique", "dictsort", "groupby")},
    "e": _scaled(_ESCAPED), "escape": _scaled(_ESCAPED), "forceescape": _scaled(_ESCAPED), "xmlattr": _scaled(_ESCAPED),
    "urlencode": _scaled(9), "pprint": _scaled(2), "upper": _scaled(3), "lower": _scaled(3), "title": _scaled(3),
    "capitalize": _scaled(3),
    **{name: _slow_on_long_input(name, 20_000, 3) for name in ("markdown", "markdown_inline", "plain")},
    **{name: _slow_on_long_input(name, 8_000, 50) for name in ("qr", "qr_image")},
}
_DEFAULT_SIZE = _scaled(2)   # any other filter: the printed input (and arguments), with room to grow


def bounded_filter(name: str, func: Callable) -> Callable:
    """`func` with its result sized (and counted) before it runs; join and sum get their own."""
    if name == "join":
        return _bounded_join_filter(func)
    if name == "sum":
        return _bounded_sum_filter(func)
    size_of = FILTER_SIZES.get(name, _DEFAULT_SIZE)
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    what = f"过滤器 {name}"

    if size_of is _nothing:
        @functools.wraps(func)
        def counted(*args: Any, **kwargs: Any) -> Any:
            budget.tick()
            return func(*args, **kwargs)

        return counted

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            size = size_of(*args[skip:], **kwargs)
        except TypeError:   # wrong arguments: the filter itself says what is wrong
            size = 0
        if size > MAX_OUTPUT_CHARS:
            raise _too_big_value(what, size)
        budget.step(size)
        return func(*args, **kwargs)

    return wrapper


def _bounded_join_filter(join: Callable) -> Callable:
    @pass_eval_context
    def bounded_join(eval_ctx, value, d="", attribute=None):   # type: ignore[no-untyped-def]
        budget.tick()
        items = list(value)
        if attribute is not None:
            items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
        made(joined_size(items, d, _ESCAPED if eval_ctx.autoescape else 1), "过滤器 join")
        return join(eval_ctx, items, d)

    return functools.update_wrapper(bounded_join, join, updated=())


def _bounded_sum_filter(total: Callable) -> Callable:
    @pass_environment
    def bounded_sum(environment, iterable, attribute=None, start=0):   # type: ignore[no-untyped-def]
        budget.tick()
        items = list(iterable)
        if attribute is not None:
            items = list(map(make_attrgetter(environment, attribute), items))
        if isinstance(start, (list, tuple)) or any(isinstance(i, (list, tuple)) for i in items):
            size = approx_len(start) + sum(len(i) if isinstance(i, (list, tuple)) else 1 for i in items)
            # adding lists one by one copies the growing list each time: time grows as size × count
            if size > MAX_RESULT_ITEMS or size * len(items) > 50 * MAX_RESULT_ITEMS:
                raise too_big("求和（sum）结果")
            made(size, "过滤器 sum")
        return total(environment, items, start=start)

    return functools.update_wrapper(bounded_sum, total, updated=())


def bounded_lipsum(lipsum: Callable) -> Callable:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        budget.tick()
        try:
            size = _lipsum_size(*args, **kwargs)
        except TypeError:
            size = 0
        made(size, "lipsum()")
        return lipsum(*args, **kwargs)

    return functools.update_wrapper(wrapper, lipsum)


def check_output(value: Any) -> Any:
    """`{{ value }}`: a collection is printed whole, so size it first (strings are already made)."""
    if type(value) is not str and _scalar_len(value) is None:
        made(approx_len(value), "输出的值")
    return value


def bounded_concat(pieces) -> str:   # type: ignore[no-untyped-def]
    """Jinja's join of a template's (block's, macro's) output pieces, refused past MAX_OUTPUT_CHARS.
    Collecting the pieces costs a pointer each (their number is bounded by the loop budget); the
    joined copy is what could be huge, so it is sized first."""
    parts = list(pieces)
    size = sum(map(len, parts))
    if size > MAX_OUTPUT_CHARS:
        raise budget.output_too_long(size)
    budget.charge(size)
    return "".join(parts)


__all__ = ["MAX_RESULT_ITEMS", "TooBig", "approx_len", "bounded_concat", "bounded_filter", "bounded_lipsum", "bounded_method",
           "check_concat", "check_output"]
