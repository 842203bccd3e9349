"""Typesetting rules that need the laid-out lines (WeasyPrint boxes), applied right after layout:

- balanced headings: WeasyPrint has no `text-wrap: balance`. A heading (h1–h3) that wraps with
  an uneven last line (“……可能构成 / 帮信罪”, a lone “包”) gets a line break at the best point
  (after a comma where one is near the middle) and the page is laid out once more;
- a line that starts with an opening mark (“ （ 《) moves left by the mark's blank half, so its
  text lines up with the lines above (clreq: line-start opening brackets are half-width).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Callable

from outreach.rendering.compose import COMPOSE_VARIABLES
from outreach.rendering.typeset import CLOSING, OPENING, STOPS, WJ, ZWSP

HEADINGS = ("h1", "h2", "h3")
UNEVEN = 0.7            # a heading's shortest line under this share of its longest is rebalanced
BREAK_BONUS = {**{c: 0.2 for c in "，；：。！？"}, "、": 0.12, **{c: 0.05 for c in CLOSING}}
_HALF_WIDTH_ALIGN = ("start", "left", "justify")


def lay_out(page_html: str, relayout: Callable[[str], tuple]):
    """`page_html` laid out with balanced headings and hung opening marks. `relayout` lays a
    page out, giving (document, root element).

    render.compose lays a page out again and again with only its gaps opened (or closed) a
    little: the heading breaks found for the page go in before the first layout of each such
    copy, so it is laid out once, not twice. They are used only where the heading comes out the
    same width and type, so the result is the one `finish` would give: same natural lines,
    same plan."""
    key = _layout_key(page_html)
    held = _HELD.get(key) if key else None
    if held is not None:
        plan, shapes = held
        document, root = relayout(insert_breaks(page_html, plan))
        if _shapes(document, root, plan) == shapes:
            hang_opening_marks(document)
            return document
    document, root = relayout(page_html)
    return finish(document, root, page_html, relayout, key)


def finish(document, root, page_html: str, relayout: Callable[[str], tuple], key: str = ""):
    """The document with balanced headings and hung opening marks. `root`: the parsed HTML's
    root element; `relayout`: lays a changed page out again, giving (document, root); `key`:
    the page's `_layout_key`, under which a plan that held is remembered."""
    plan = balance_plan(document, root)
    if plan:
        balanced, balanced_root = relayout(insert_breaks(page_html, plan))
        if len(balanced.pages) == len(document.pages) and \
                not _more_lines(_line_counts(document, root), _line_counts(balanced, balanced_root), plan):
            document = balanced
            if key:
                _HELD[key] = (plan, _shapes(balanced, balanced_root, plan))
                while len(_HELD) > HELD_MAX:
                    _HELD.popitem(last=False)
    hang_opening_marks(document)
    return document


# Plans that held, by page (per process; see lay_out).
_HELD: OrderedDict[str, tuple[dict[int, list[int]], dict]] = OrderedDict()
HELD_MAX = 64
# Vertical space only: a page that differs from another in this alone has the same lines.
_SPREAD = re.compile(re.escape(COMPOSE_VARIABLES[1]) + r":[^;}]*")


def _layout_key(page_html: str) -> str:
    return hashlib.sha256(_SPREAD.sub("", page_html).encode("utf-8", "surrogatepass")).hexdigest()


def _shapes(document, root, plan) -> dict[int, tuple]:
    """What a planned heading's lines depend on, and how many it has: its width and type."""
    order = _heading_order(root)
    shapes: dict[int, tuple] = {}
    for box, lines in _headings(document):
        index = order.get(id(box.element))
        if index is not None and index in plan:   # a heading split over two pages is two boxes: their lines add up
            style = box.style
            lines_before = shapes[index][-1] if index in shapes else 0
            shapes[index] = (round(box.width, 3), style["font_size"], style["font_weight"],
                             tuple(style["font_family"]), str(style["letter_spacing"]), lines_before + len(lines))
    return shapes


def _headings(document):
    """(heading box, its line boxes) for every heading laid out as lines, page by page."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            children = getattr(box, "children", [])
            if getattr(box, "element_tag", None) in HEADINGS and isinstance(box, boxes.BlockContainerBox):
                lines = [child for child in children if isinstance(child, boxes.LineBox)]
                if lines:
                    yield box, lines
                    continue
            stack.extend(reversed(children))


def _heading_order(root) -> dict[int, int]:
    found = [element for element in root.iter() if isinstance(element.tag, str) and
             element.tag.rsplit("}", 1)[-1] in HEADINGS]
    return {id(element): index for index, element in enumerate(found)}


def _line_text(line) -> str:
    from weasyprint.formatting_structure import boxes

    parts, stack = [], [line]
    while stack:
        box = stack.pop(0)
        if isinstance(box, boxes.TextBox):
            parts.append(box.text)
        stack[:0] = list(getattr(box, "children", []))
    return "".join(parts)


def _visible(text: str) -> str:
    """What a break offset counts: the characters, without spaces and joiners."""
    return re.sub(rf"[\s{WJ}{ZWSP}]", "", text)


def balance_plan(document, root) -> dict[int, list[int]]:
    """For each uneven heading (by document order): where to break, in visible characters."""
    order = _heading_order(root)
    plan: dict[int, list[int]] = {}
    for box, lines in _headings(document):
        element = box.element
        if len(lines) < 2 or id(element) not in order:
            continue
        texts = [_line_text(line) for line in lines]
        widths = [_advance(_visible(text)) for text in texts]
        if min(widths) >= UNEVEN * max(widths):
            continue
        breaks = best_breaks("".join(texts), len(lines), [len(_visible(t)) for t in texts])
        if breaks:
            plan[order[id(element)]] = breaks
    return plan


def _advance(text: str) -> float:
    return sum(0.55 if char.isascii() else 1.0 for char in text)


def best_breaks(text: str, lines: int, fitted: list[int]) -> list[int]:
    """Break offsets (visible characters before each break) that make `lines` lines of even
    length, each no longer than the line WeasyPrint filled (`fitted`: visible characters per
    line), never inside a joined name, before a closing mark or after an opening one."""
    chars, joined = _chars(text)
    total = _advance("".join(chars))
    breaks: list[int] = []
    limit = 0
    for line in range(1, lines):
        limit += fitted[line - 1]
        target = total * line / lines
        best, best_score = None, None
        for position in range((breaks[-1] if breaks else 0) + 1, min(limit, len(chars) - 1) + 1):
            if not _may_break(chars, joined, position):
                continue
            before = _advance("".join(chars[:position]))
            score = abs(before - target) / total - BREAK_BONUS.get(chars[position - 1], 0.0)
            if best_score is None or score < best_score:
                best, best_score = position, score
        if best is None:
            return []
        breaks.append(best)
    return breaks


def _chars(text: str) -> tuple[list[str], set[int]]:
    """Visible characters, and the positions that a joiner glues to the character before."""
    chars: list[str] = []
    joined: set[int] = set()
    glue = False
    for char in text:
        if char == WJ:
            glue = True
            continue
        if char == ZWSP:
            continue
        if char.isspace():
            glue = False
            continue
        if glue:
            joined.add(len(chars))
        chars.append(char)
        glue = False
    return chars, joined


def _may_break(chars: list[str], joined: set[int], position: int) -> bool:
    before, after = chars[position - 1], chars[position]
    if position in joined or after in CLOSING or after in STOPS or before in OPENING:
        return False
    return not (before.isascii() and after.isascii() and before.isalnum() and after.isalnum())


def insert_breaks(page_html: str, plan: dict[int, list[int]]) -> str:
    """`page_html` with a <br> in the planned headings, at the planned visible-character offsets."""
    import html as htmllib

    tokens = re.split(r"(<!--.*?-->|<[^>]*>)", page_html, flags=re.S)
    heading = -1
    inside: str | None = None
    depth = 0
    skipping: str | None = None
    counted = 0
    wanted: list[int] = []
    for index, token in enumerate(tokens):
        if index % 2:
            match = re.match(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)", token)
            name = match.group(1).lower() if match else ""
            closing = token.startswith("</")
            if skipping:
                skipping = None if closing and name == skipping else skipping
                continue
            if name in ("script", "style", "svg", "template") and not closing and not token.endswith("/>"):
                skipping = name
            elif name in HEADINGS and not closing and inside is None:
                heading += 1
                if heading in plan:
                    inside, depth, counted, wanted = name, 1, 0, list(plan[heading])
            elif inside is not None and name == inside:
                depth += -1 if closing else 1
                if depth == 0:
                    inside = None
            continue
        if inside is None or skipping or not wanted:
            continue
        out = []
        for char in htmllib.unescape(token):
            visible = not (char.isspace() or char in (WJ, ZWSP))
            if wanted and counted == wanted[0] and visible:
                out.append("<br>")
                wanted.pop(0)
            out.append(htmllib.escape(char, quote=False))
            counted += visible
        tokens[index] = "".join(out)
    return "".join(tokens)


def _line_counts(document, root) -> dict[int, int]:
    order = _heading_order(root)
    counts: dict[int, int] = {}
    for box, lines in _headings(document):
        index = order.get(id(box.element))
        if index is not None:
            counts[index] = counts.get(index, 0) + len(lines)
    return counts


def _more_lines(before: dict[int, int], after: dict[int, int], plan) -> bool:
    """Whether a planned heading came out with more lines than before (the breaks did not fit)."""
    return any(after.get(index, 0) > before.get(index, 0) for index in plan)


def hang_opening_marks(document) -> None:
    """Move each start-aligned line that begins with a full-width opening mark left by the
    mark's blank half. Text that starts after an inline block (a script's role column, a
    label) starts a column of its own: it hangs the same way, the block stays."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.LineBox):
                children = [c for c in box.children if not (isinstance(c, boxes.TextBox) and not c.text.strip())]
                column = 0
                while column < len(children) and isinstance(children[column], boxes.AtomicInlineLevelBox):
                    column += 1
                first = _first_text(children[column]) if column < len(children) else None
                if first is not None and _hangs(box, first):
                    for child in children[column:]:
                        child.translate(dx=-first.style["font_size"] / 2)
            stack.extend(getattr(box, "children", []))   # inline blocks hold lines of their own


def _first_text(box):
    """The text box a line (or an inline box) starts with, through nested inline boxes."""
    from weasyprint.formatting_structure import boxes

    while not isinstance(box, boxes.TextBox):
        if not isinstance(box, boxes.InlineBox):
            return None   # an image or inline block starts it
        children = [c for c in box.children if not (isinstance(c, boxes.TextBox) and not c.text.strip())]
        if not children:
            return None
        box = children[0]
    return box


def _hangs(line, first) -> bool:
    text = first.text.lstrip().lstrip(WJ + ZWSP)
    if not text or text[0] not in OPENING:
        return False
    if line.style["text_align_all"] not in _HALF_WIDTH_ALIGN or line.style["direction"] != "ltr":
        return False
    features = first.style["font_feature_settings"]
    return not (features != "normal" and dict(features).get("halt"))
