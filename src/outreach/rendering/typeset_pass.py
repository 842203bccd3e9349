"""The pre-layout typesetting pass: rendered HTML in, the same HTML with Chinese line-breaking
rules written into its text out. Runs on every HTML output, after the template and the
Traditional Chinese conversion, so fixed template wording follows the same rules as content.

- Protected terms (render.typeset: crime names, laws, agencies, apps, hotlines, short
  quotations, the project's own) never split: for WeasyPrint a WORD JOINER (U+2060) goes
  between their characters (after the space in “0571-8765 4321”). It adds no element (a flex
  or grid container keeps its items), works across inline tags, and is dropped from the PDF's
  text, so copying gives the plain words.
- Widows: the last units of each paragraph, list item, cell or heading are joined the same way,
  so a last line holds at least three characters (“声！” does not stand alone).
- Punctuation squeeze: of two adjacent full-width marks one gives up its blank half through the
  font's `halt` feature (<span class="halt">, css/base.css).
- Quotes: a zero-width space lets a line break before “ and after ” (Pango would not).

A browser page (the H5 quiz) gets <span class="nobr"> instead of joiners, which copying
from a browser would keep, and no squeeze spans (browsers trim adjacent marks themselves).
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from outreach.rendering.typeset import CLOSING, OPENING, STOPS, TAIL_UNITS, WJ, ZWSP, Rules, is_han, squeezed, units

_TOKEN = re.compile(r"(<!--.*?-->|<![^>]*>|<[^>]*>)", re.S)
# Elements whose text is not laid out as running text.
_SKIP = {"style", "script", "title", "textarea", "svg", "math", "template", "head", "option", "select"}
# Raw-text elements (HTML's "raw text" and "escapable raw text"): nothing inside is a tag, so a
# "<style>" in a CSS comment or a "</p>" in a script string must not open or close anything —
# read as tags they left the pass skipping the rest of the page, silently.
_RAW_TEXT = {"style", "script", "title", "textarea"}
# Tags that end a run of running text (everything else is inline formatting inside a paragraph).
_BLOCK = {
    "html", "body", "div", "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "section", "article", "header", "footer",
    "main", "aside", "nav", "blockquote", "figure", "figcaption", "address", "details", "summary", "fieldset",
    "legend", "form", "button", "label", "br", "hr", "img", "input", "pre", "object", "iframe", "canvas", "video",
}
MIN_PARAGRAPH_UNITS = 8   # shorter runs are labels: joining their end could push them out of a narrow box
MAX_TAIL_UNITS = 10       # a tail this long (a long name at the end) is left to break where it may


@dataclass
class _Run:
    """One paragraph's running text: its text tokens, concatenated and unescaped."""

    tokens: list[int] = field(default_factory=list)    # token indexes of its text pieces
    starts: list[int] = field(default_factory=list)    # where each piece starts in `text`
    text: str = ""


@dataclass
class _Edits:
    joins: set[int] = field(default_factory=set)       # a joiner goes before this character
    halt: set[int] = field(default_factory=set)        # this mark gives up its blank half
    nobr: list[tuple[int, int]] = field(default_factory=list)   # browser pages: spans to wrap
    breaks: set[int] = field(default_factory=set)      # a line may break before this character


def typeset_html(page: str, rules: Rules, browser: bool = False) -> str:
    tokens = _TOKEN.split(page)
    runs: list[_Run] = []
    current = _Run()
    skipping: list[str] = []
    raw_text = ""   # the raw-text element we are inside, until its own end tag
    for index, token in enumerate(tokens):
        if raw_text:
            if index % 2 and _tag_name(token) == (raw_text, True):
                raw_text = ""
            continue
        if index % 2:   # a tag, comment or doctype
            name, closing = _tag_name(token)
            if name in _RAW_TEXT and not closing and not token.endswith("/>"):
                raw_text = name
                runs.append(current)
                current = _Run()
                continue
            if name in _SKIP and not token.endswith("/>"):
                if closing and skipping and skipping[-1] == name:
                    skipping.pop()
                elif not closing:
                    skipping.append(name)
            if name in _BLOCK or name in _SKIP:
                runs.append(current)
                current = _Run()
            continue
        if skipping or not token:
            continue
        current.tokens.append(index)
        current.starts.append(len(current.text))
        current.text += htmllib.unescape(token)
    runs.append(current)
    for run in runs:
        if run.text.strip():
            _apply(tokens, run, _edits(run.text, rules, browser), browser)
    return "".join(tokens)


def _tag_name(token: str) -> tuple[str, bool]:
    if token.startswith(("<!", "<?")):
        return "", False
    closing = token.startswith("</")
    match = re.match(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)", token)
    return (match.group(1).lower() if match else ""), closing


def _edits(text: str, rules: Rules, browser: bool) -> _Edits:
    edits = _Edits()
    for match in rules.pattern.finditer(text):
        start, end = match.span()
        allowed = rules.breaks(match.group())
        if browser:
            edits.nobr.append((start, end))
            continue
        for position in range(start + 1, end):
            if position - start not in allowed and _needs_joiner(text, position):
                edits.joins.add(position)
    if not browser:
        _bind_tail(text, edits)
        for position in range(len(text) - 1):
            which = squeezed(text[position], text[position + 1])
            if which >= 0:
                edits.halt.add(position + which)
        _open_quotes(text, edits)
    return edits


def _open_quotes(text: str, edits: _Edits) -> None:
    """Pango follows the old UAX #14 rule for “ ” (class QU: no break on either side), so
    “照“两高一部”2016年” cannot break anywhere and leaves a gap at the end of the line above.
    In Chinese a line may break before an opening quote and after a closing one (clreq,
    Unicode 15.1's LB19a): a zero-width space says so, where no name is being kept together."""
    for position in range(1, len(text)):
        before, after = text[position - 1], text[position]
        if position in edits.joins or before.isspace() or after.isspace():
            continue
        if after in "“‘" and before not in OPENING:
            edits.breaks.add(position)
        elif before in "”’" and (is_han(after) or after.isalnum() or after in OPENING):
            edits.breaks.add(position)


def _bind_tail(text: str, edits: _Edits) -> None:
    """Join the paragraph's last units, from a point where a line may break: preferably a
    word's edge (after punctuation or a space, before a kept-together name) three or four
    units from the end, else four units back (or further, to the nearest legal break)."""
    end = len(text.rstrip())
    if end == 0 or units(text[:end]) < MIN_PARAGRAPH_UNITS:
        return
    start, fallback = end - 1, None
    while start > 0 and units(text[start:end]) < TAIL_UNITS + 0.5:
        if units(text[start:end]) >= TAIL_UNITS - 1 and _may_break_before(text, start, edits):
            if _word_edge(text, start, edits):
                break
            fallback = start if units(text[start:end]) >= TAIL_UNITS or fallback is None else fallback
        start -= 1
    else:
        if fallback is not None:
            start = fallback
    while start > 0 and not _may_break_before(text, start, edits):
        start -= 1
    if start <= 0 or units(text[start:end]) > MAX_TAIL_UNITS:
        return
    for position in range(start + 1, end):
        if _needs_joiner(text, position):
            edits.joins.add(position)


def _word_edge(text: str, position: int, edits: _Edits) -> bool:
    before = text[position - 1]
    return before.isspace() or before in STOPS or before in CLOSING or \
        (position + 1 in edits.joins and position not in edits.joins)


def _needs_joiner(text: str, position: int) -> bool:
    """Whether a line could break before `position` without a joiner. Never before a space;
    after one, the joiner (not a no-break space, which copying would keep) holds it."""
    return not (text[position].isspace() or _inside_word(text, position))


def _inside_word(text: str, position: int) -> bool:
    """Between two Latin letters or digits, where no line breaks anyway: no joiner needed."""
    before, after = text[position - 1], text[position]
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()


def _may_break_before(text: str, position: int, edits: _Edits) -> bool:
    before, after = text[position - 1], text[position]
    if position in edits.joins or after in CLOSING or after in STOPS or before in OPENING:
        return False
    if _inside_word(text, position):
        return False
    return not after.isspace()


def _apply(tokens: list[str], run: _Run, edits: _Edits, browser: bool) -> None:
    if not (edits.joins or edits.halt or edits.nobr or edits.breaks):
        return
    bounds = [*run.starts[1:], len(run.text)]
    for token_index, start, end in zip(run.tokens, run.starts, bounds, strict=True):
        piece = run.text[start:end]
        if browser:
            spans = [(a - start, b - start) for a, b in edits.nobr if start <= a and b <= end]
            if spans:
                tokens[token_index] = _wrapped(piece, spans)
            continue
        local = [p - start for p in range(start, end)]
        marked = edits.joins | edits.halt | edits.breaks
        if not any(p + start in marked for p in local):
            continue
        out = []
        for offset, char in enumerate(piece):
            position = start + offset
            if position in edits.joins:
                out.append(WJ)
            elif position in edits.breaks:
                out.append(ZWSP)
            if position in edits.halt:
                out.append(f'<span class="halt">{htmllib.escape(char, quote=False)}</span>')
            else:
                out.append(htmllib.escape(char, quote=False))
        tokens[token_index] = "".join(out)


def _wrapped(piece: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for a, b in sorted(spans):
        out += [htmllib.escape(piece[last:a], quote=False), '<span class="nobr">',
                htmllib.escape(piece[a:b], quote=False), "</span>"]
        last = b
    out.append(htmllib.escape(piece[last:], quote=False))
    return "".join(out)


_VIEWPORT = re.compile(r"<meta\s[^>]*name=[\"']?viewport", re.I)


def typeset_page(page: str, rules: Rules) -> str:
    """`typeset_html` for a rendered template: a page with a viewport (made for phone browsers,
    the H5 quiz) gets the browser form."""
    return typeset_html(page, rules, browser=bool(_VIEWPORT.search(page[:4000])))
