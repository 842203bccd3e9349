"""Opening a composed page's gaps by moving its laid-out boxes instead of laying it out again.

render.compose opens the gaps between a page's blocks (`--compose-spread`) until the white above
its footer is what the template asks. Laying the page out again for that took a fifth of a
poster's time. When the spread changes only vertical margins and paddings of blocks in plain block
flow, the layout it would give is the one at hand with each box moved down by the gaps opened
above it and each block grown by the gaps opened inside it: on a one-page layout that still fits,
no line, float or page break depends on how far down a block starts.

`plan(document)` finds the boxes the spread changes and refuses (None) every page where moving
them would not give that layout: a spread that reaches any other property or a custom property,
a spread inside a margin box, float, inline, flex, grid, table or multi-column box, margins that
neither add nor collapse as CSS 2 says, a block whose height is not its content's, a float that
reaches below where the first gap opens (unless its whole block moves with it), an absolutely
positioned box whose containing block moves differently from it. Such a page is laid out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from outreach.rendering.units import PX_PER_MM

if TYPE_CHECKING:
    from weasyprint import Document

SPREAD_VARIABLE = "__compose_spread"     # --compose-spread as WeasyPrint keys custom properties
GAP_SIDES = ("margin_top", "padding_top", "padding_bottom", "margin_bottom")
EPSILON_PX = 0.01


class Refused(Exception):
    """The spread reaches something moving boxes cannot reproduce."""


@dataclass
class GapPlan:
    """The boxes a spread changes on a laid-out page (found once); `free_mm` measures a spread,
    `open` makes it."""
    document: Document
    spread_mm: float                          # the spread the page was laid out with
    dependent: dict[int, dict[str, Any]]   # id(box) -> {side: its style}

    def free_mm(self, spread_mm: float) -> float | None:
        """The page's free height above its footer (as compose.free_mm measures it) once its gaps
        are at `spread_mm`, nothing moved; None when only a layout can tell (something would then
        end below the page's flow area)."""
        try:
            return _Walk(self, spread_mm).free_mm()
        except Refused:
            return None

    def open(self, spread_mm: float) -> Document:
        """The page with its gaps at `spread_mm`, made by moving its own boxes: the plan's
        document is changed and returned, and the plan is spent."""
        from weasyprint.document import Page

        _Walk(self, spread_mm).apply()
        self.document.pages[0] = Page(self.document.pages[0]._page_box)
        self.dependent = {}
        return self.document


def plan(document: Document, spread_mm: float = 0.0) -> GapPlan | None:
    """The gap plan of a one-page layout made with the spread at `spread_mm`; None where moving
    boxes would not give the page a layout gives."""
    if len(document.pages) != 1:
        return None
    try:
        found = GapPlan(document, spread_mm, _dependent_boxes(document, spread_mm))
        if not found.dependent:
            return None
        _Walk(found, spread_mm + 1.0)       # every check that does not depend on the spread
    except Refused:
        return None
    return found


def _dependent_boxes(document: Document, spread_mm: float) -> dict[int, dict[str, Any]]:
    """Every box whose style the spread changes, with the sides it changes."""
    from weasyprint.css.tokens import Pending
    from weasyprint.formatting_structure import boxes

    found: dict[int, dict[str, Any]] = {}
    verdicts: dict[int, tuple[str, ...]] = {}
    stack = [(child, isinstance(child, boxes.MarginBox)) for child in document.pages[0]._page_box.children]
    while stack:
        box, in_margin = stack.pop()
        box = _unwrapped(box)
        style = getattr(box, "style", None)
        cascaded = getattr(style, "cascaded", None)
        if cascaded:
            key = id(cascaded)
            if key not in verdicts:
                if _fetches(style):
                    raise Refused
                verdicts[key] = _spread_sides(style, cascaded, Pending, spread_mm)
            if verdicts[key]:
                if in_margin or not _plain_block(box, boxes):
                    raise Refused
                found[id(box)] = {side: style for side in verdicts[key]}
        stack.extend((child, in_margin) for child in getattr(box, "children", ()))
    return found


def _spread_sides(style, cascaded, pending_type, spread_mm: float) -> tuple[str, ...]:
    """The properties of an element the spread changes (Refused: one that is not a vertical
    margin or padding, or a custom property made of the spread)."""
    changed = []
    for key, (value, _weight) in cascaded.items():
        if not isinstance(value, pending_type) or \
                "compose-spread" not in "".join(token.serialize() for token in value.tokens):
            continue
        if key.startswith("__"):
            raise Refused     # a variable made of the spread: what uses it cannot be told here
        if _value_at(style, key, spread_mm + 1.0) != style[key]:
            if key not in GAP_SIDES:
                raise Refused
            changed.append(key)
    return tuple(changed)


def spread_css(spread_mm: float) -> str:
    """The spread as the page's style sheet gives it (to the µm: moved boxes and a layout of
    the same page then open the same gaps)."""
    return f"{spread_mm:.3f}mm"


def _value_at(style, key: str, spread_mm: float):
    """The computed value of `key` with the spread at `spread_mm`."""
    import tinycss2

    probe = style.copy()
    probe[SPREAD_VARIABLE] = tuple(tinycss2.parse_component_value_list(spread_css(spread_mm)))
    probe.pop(key, None)
    return probe[key]


def _no_fetching(**_request):
    raise AssertionError("a page whose backgrounds are pictures is refused before anything moves")


def _fetches(style) -> bool:
    """Whether placing the box's background again would fetch a picture."""
    return any(kind == "url" for kind, _ in style["background_image"]) or \
        style["border_image_source"][0] == "url" or style["mask_border_source"][0] == "url"


def paints(box) -> bool:
    """Whether a box draws something of its own (a background or a border): where the free
    height above a composed page's footer ends (compose.visual_bottom_px)."""
    style = getattr(box, "style", None)
    if style is None or not hasattr(box, "border_height") or getattr(box, "element_tag", "") in ("html", "body"):
        return False     # the root's background is the paper's
    background = style["background_color"]
    if background is not None and getattr(background, "alpha", 0) > 0:
        return True
    return any(style[f"border_{side}_width"] > 0 and style[f"border_{side}_style"] not in ("none", "hidden")
               for side in ("top", "bottom", "left", "right"))


def _plain_block(box, boxes) -> bool:
    """A block in normal flow whose block children are laid out one under another."""
    style = box.style
    return (type(box) is boxes.BlockBox and style["float"] == "none" and style["position"] in ("static", "relative")
            and style["column_width"] == "auto" and style["column_count"] == "auto")


def _unwrapped(box):
    """An absolutely positioned box, not the placeholder its block keeps."""
    return getattr(box, "_box", box)


def _out_of_flow(box) -> bool:
    style = getattr(box, "style", None)
    return style is not None and (style["position"] in ("absolute", "fixed") or style["float"] != "none")


def _px(value) -> float:
    if getattr(value, "unit", "px") != "px":
        raise Refused     # a percentage or auto: the used value is not the computed one
    return float(getattr(value, "value", value))


def _collapse(*margins: float) -> float:
    """Adjoining vertical margins as CSS 2 collapses them."""
    return max([m for m in margins if m > 0], default=0.0) + min([m for m in margins if m < 0], default=0.0)


class _Walk:
    """One pass over the page's flow at a spread, on the layout as it is: how far each box moves
    and grows (Refused wherever a layout would differ). `apply` then moves them."""

    def __init__(self, plan: GapPlan, spread_mm: float):
        from weasyprint.formatting_structure import boxes

        self.plan, self.spread = plan, spread_mm
        self.changed = spread_mm != plan.spread_mm
        self.page_box = plan.document.pages[0]._page_box
        self.roots = [child for child in self.page_box.children if not isinstance(child, boxes.MarginBox)]
        self.affected = self._affected()
        self.blocks: list[tuple] = []        # (box, border shift, d_margin_top, d_padding_top, growth inside, ...)
        self.moves: list[tuple] = []         # (box, dy): a whole subtree moved
        self.shift: dict[int, float] = {}    # id(box) -> how far its border box moves
        self.growth: dict[int, float] = {}   # id(box) -> how much its border box grows
        self.bottom_margin: dict[int, float] = {}   # id(box) -> how much its margin-bottom grows
        for root in self.roots:
            if id(root) in self.affected:
                self.block(root, 0.0)      # the root's margins collapse with nothing
            else:
                self.moves.append((root, 0.0))
        self.flow_bottom = self.page_box.content_box_y()    # lowest border box or line in flow
        self.visual_bottom = self._check_and_measure()
        # A box that now ends below the flow area, or by its margin where its block does not let
        # margins through, may go to a next page in a layout (WeasyPrint's rules say when): such
        # a spread is laid out. The root may run on past the page, and so may an empty marker.
        self.overflows = self.flow_bottom > self.page_box.content_box_y() + self.page_box.height + EPSILON_PX

    def _affected(self) -> set[int]:
        """Boxes with a box the spread changes at or under them."""
        affected: set[int] = set()

        def visit(box) -> bool:
            box = _unwrapped(box)
            inside = False
            for child in getattr(box, "children", ()):
                inside = visit(child) or inside
            if inside or id(box) in self.plan.dependent:
                affected.add(id(box))
                return True
            return False

        for root in self.roots:
            visit(root)
        return affected

    def delta(self, box, side: str) -> float:
        """How much one side of a box changes, in px."""
        style = self.plan.dependent.get(id(box), {}).get(side)
        if style is None or not self.changed:
            return 0.0
        return _px(_value_at(style, side, self.spread)) - _px(style[side])

    def block(self, box, shift: float) -> tuple[float, list]:
        """An affected block whose border box moves by `shift`: its own gaps and its children's.
        (How much its border box grows, the margins that collapse through its bottom.)"""
        d_margin_top, d_padding_top = self.delta(box, "margin_top"), self.delta(box, "padding_top")
        d_padding_bottom, d_margin_bottom = self.delta(box, "padding_bottom"), self.delta(box, "margin_bottom")
        if d_padding_bottom and not (box.padding_bottom and box.padding_bottom + d_padding_bottom):
            raise Refused   # a padding that comes or goes changes which margins collapse
        inside, trailing = self.children(box, shift + d_padding_top)
        if inside:
            self._may_grow(box)
        growth = d_padding_top + inside + d_padding_bottom
        self.blocks.append((box, shift, d_margin_top, d_padding_top, inside, d_padding_bottom, d_margin_bottom))
        self.shift[id(box)], self.growth[id(box)], self.bottom_margin[id(box)] = shift, growth, d_margin_bottom
        return growth, trailing

    def children(self, parent, shift: float) -> tuple[float, list]:
        """The children of `parent`, whose content box moves by `shift`. (How much taller its
        content gets, the margins (before, change) that collapse through its bottom.)"""
        from weasyprint.formatting_structure import boxes

        flow = [child for child in parent.children if not _out_of_flow(child)]
        if not any(id(_unwrapped(child)) in self.affected for child in flow):
            self.moves.extend((child, shift) for child in parent.children)
            return 0.0, []
        if any(not isinstance(child, boxes.BlockLevelBox) for child in flow):
            raise Refused   # lines beside blocks: only block children move this simply
        extra, above, previous = 0.0, [], None
        for child in parent.children:
            if _out_of_flow(child):
                self.moves.append((child, shift + extra))
                continue
            below = (child.margin_top, self.delta(child, "margin_top"))
            if previous is None:
                extra += self._first_gap(parent, child, below)
            else:
                extra += self._gap(previous, above + [below], child)
            if id(child) in self.affected:
                growth, trailing = self.block(child, shift + extra)
                extra += growth
            else:
                self.moves.append((child, shift + extra))
                trailing = []
            above = [(child.margin_bottom, self.delta(child, "margin_bottom")), *trailing]
            previous = child
        if previous is None:
            return extra, []
        opened, trailing = self._last_gap(parent, previous, above)
        return extra + opened, trailing

    @staticmethod
    def _first_gap(parent, child, margin: tuple[float, float]) -> float:
        """How much the gap above a first child opens (its margin must stay inside its parent)."""
        if abs(child.border_box_y() - parent.content_box_y() - child.margin_top) <= EPSILON_PX:
            return margin[1]
        if margin[1]:
            raise Refused   # collapses through the parent's top
        return 0.0

    @staticmethod
    def _gap(previous, margins: list, child) -> float:
        """How much the gap between two siblings opens: their adjoining margins collapse."""
        before = _collapse(*(old for old, _ in margins))
        after = _collapse(*(old + change for old, change in margins))
        if after == before:
            return 0.0
        gap = child.border_box_y() - (previous.border_box_y() + previous.border_height())
        if abs(gap - before) > EPSILON_PX:
            raise Refused   # they did not collapse as CSS 2 says (clearance, or a break)
        return after - before

    @staticmethod
    def _last_gap(parent, last, margins: list) -> tuple[float, list]:
        """How much the margins under a last child add to its parent's content, or the margins
        that collapse through the parent's bottom (the parent's parent then places them)."""
        before = _collapse(*(old for old, _ in margins))
        after = _collapse(*(old + change for old, change in margins))
        end = parent.content_box_y() + parent.height
        bottom = last.border_box_y() + last.border_height()
        if parent.bottom_margin_collapses() and parent.style["height"] == "auto" and abs(end - bottom) <= EPSILON_PX:
            return 0.0, margins
        if abs(end - bottom - before) <= EPSILON_PX:
            return after - before, []
        if after != before:
            raise Refused   # the parent is taller than its content
        return 0.0, []

    @staticmethod
    def _may_grow(box) -> None:
        """Refused unless the block's height is its content's: auto, and not held by min- or
        max-height."""
        style = box.style
        if style["height"] != "auto" or style["max_height"] != "none" and \
                getattr(style["max_height"], "value", float("inf")) != float("inf"):
            raise Refused
        minimum = style["min_height"]
        if minimum != "auto" and getattr(minimum, "value", 0) and box.height <= _px(minimum) + EPSILON_PX:
            raise Refused

    def _first_change(self) -> float:
        """The highest point of the page where anything moves or grows (before it does)."""
        tops = [_unwrapped(box).position_y for box, dy in self.moves if dy]
        tops += [box.border_box_y() for box, shift, *_ in self.blocks if shift]
        # A block that only grows changes from where its content starts (a padding that opens)
        # or further down (where something inside it moves, counted above).
        tops += [box.content_box_y() for box, shift, _, d_padding_top, *_ in self.blocks if not shift and d_padding_top]
        return min(tops, default=float("inf"))

    def _check_and_measure(self) -> float:
        """Floats and positioned boxes checked against the moves; the lowest painted point after
        them, as compose.visual_bottom_px measures it (measured before anything moves)."""
        from weasyprint.formatting_structure import boxes

        moved = {id(_unwrapped(box)): dy for box, dy in self.moves}
        bottom = self.page_box.content_box_y()
        floats: list[tuple] = []      # (float, its move, its formatting context)
        lines: list[tuple] = []       # (line, its move, its formatting context, its block)
        contexts: list[tuple] = []    # (box that starts a formatting context, its move, the one it sits in)
        stack: list[tuple] = [(root, 0.0, (), id(root)) for root in self.roots]
        while stack:
            box, dy, ancestors, context = stack.pop()
            box = _unwrapped(box)
            dy = self.shift.get(id(box), moved.get(id(box), dy))
            if isinstance(box, boxes.LineBox):
                bottom = max(bottom, box.position_y + box.height + dy)
                self.flow_bottom = max(self.flow_bottom, box.position_y + box.height + dy)
                lines.append((box, dy, context, ancestors[-1][0] if ancestors else None))
                continue
            style = getattr(box, "style", None)
            inner = context
            if style is not None and not isinstance(box, boxes.InlineLevelBox):
                if style["float"] != "none":
                    floats.append((box, dy, context))
                if style["position"] in ("absolute", "fixed"):
                    self._check_positioned(box, dy, ancestors)
                if style["clear"] != "none" and (dy or id(box) in self.affected):
                    raise Refused   # clearance depends on where the floats before it end
                if ancestors and isinstance(box, boxes.BlockContainerBox) and box.establishes_formatting_context():
                    inner = id(box)
                    contexts.append((box, dy, context))
            end = box.border_box_y() + box.border_height() + dy + self.growth.get(id(box), 0.0)
            if isinstance(box, boxes.ReplacedBox) or paints(box):
                bottom = max(bottom, end)
            if ancestors and isinstance(box, boxes.BlockLevelBox) and style is not None and \
                    style["position"] not in ("absolute", "fixed") and (box.border_height() or box.children):
                parent = ancestors[-1][0]
                if not (parent.bottom_margin_collapses() and ancestors[:-1]):
                    end += box.margin_bottom + self.bottom_margin.get(id(box), 0.0)
                self.flow_bottom = max(self.flow_bottom, end)
            stack.extend((child, dy, ancestors + ((box, dy),), inner) for child in getattr(box, "children", ()))
        if floats:
            self._check_floats(floats, lines, contexts)
        return bottom

    def _check_floats(self, floats: list[tuple], lines: list[tuple], contexts: list[tuple]) -> None:
        """A float keeps the lines beside it as a layout would only if every line of its
        formatting context stays beside it or away from it as it was. One exception: a block's
        last line that leaves a right float's side keeps its words and its place (nothing follows
        it to fill the wider line; it starts where it did)."""
        first_change = self._first_change()
        # A float above every change: nothing that moves reaches its side.
        reached = [entry for entry in floats if entry[0].position_y + entry[0].margin_height() > first_change + EPSILON_PX]
        for box, dy, context in reached:
            top, end = box.position_y, box.position_y + box.margin_height()
            if any(other_context == context and abs(other_dy - dy) > EPSILON_PX
                   for _other, other_dy, other_context in reached):
                raise Refused   # floats of one context that move apart
            for line, line_dy, line_context, block in lines:
                if line_context != context:
                    continue
                before = line.position_y < end and line.position_y + line.height > top
                after = line.position_y + line_dy < end + dy and line.position_y + line.height + line_dy > top + dy
                if before == after:
                    continue
                if before and box.style["float"] == "right" and block is not None and \
                        block.children and block.children[-1] is line and \
                        block.style["text_align_all"] in ("start", "left") and block.style["direction"] == "ltr":
                    continue
                raise Refused
            for other, other_dy, other_context in contexts:
                # (what is inside the float sits in the float's own context)
                if other_context == context and other is not box:
                    y, height = other.position_y, other.margin_height()
                    if (y < end and y + height > top) or (y + other_dy < end + dy and y + height + other_dy > top + dy):
                        raise Refused   # a box that makes room for floats beside it

    def _check_positioned(self, box, dy: float, ancestors) -> None:
        """An absolutely positioned box must move as its containing block's edge it hangs from."""
        style = box.style
        if style["top"] == "auto" and style["bottom"] == "auto":
            return      # at its static place, which moved with its block
        block, block_dy = None, 0.0
        if style["position"] == "absolute":
            for ancestor, ancestor_dy in reversed(ancestors):
                if ancestor.style["position"] in ("relative", "absolute", "fixed", "sticky"):
                    block, block_dy = ancestor, ancestor_dy
                    break
        expected = block_dy
        if style["top"] == "auto" and block is not None:
            expected += self.growth.get(id(block), 0.0)      # hangs from the bottom edge
        elif style["top"] == "auto":
            expected = 0.0
        if abs(expected - dy) > EPSILON_PX:
            raise Refused

    def free_mm(self) -> float:
        if self.overflows:
            raise Refused
        top = self.page_box.content_box_y()
        return (top + self.page_box.height - self.visual_bottom) / PX_PER_MM

    def apply(self) -> None:
        for box, shift, d_margin_top, d_padding_top, inside, d_padding_bottom, d_margin_bottom in self.blocks:
            box.position_y += shift - d_margin_top
            box.margin_top += d_margin_top
            box.padding_top += d_padding_top
            box.height += inside
            box.padding_bottom += d_padding_bottom
            box.margin_bottom += d_margin_bottom
        for box, dy in self.moves:
            if dy:
                box.translate(0, dy)
        self._place_backgrounds()

    def _place_backgrounds(self) -> None:
        """Backgrounds are placed in page coordinates at the end of a layout: placed again.
        A box without one keeps none (the root's is the canvas's); `_no_fetching` holds, since a
        page whose backgrounds are pictures is refused."""
        from weasyprint.layout.background import layout_box_backgrounds

        stack = list(self.roots)
        while stack:
            box = _unwrapped(stack.pop())
            if getattr(box, "background", None) is not None:
                layout_box_backgrounds(self.page_box, box, _no_fetching, layout_children=False)
            stack.extend(getattr(box, "children", ()))
