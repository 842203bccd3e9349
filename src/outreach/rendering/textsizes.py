"""The smallest text each kind of output may print, by output role: one table, the contract between
the templates and `outreach preflight` (which measures the PDF, not the CSS).

Sizes are the rendered size of a glyph's em (font size × the text and page matrices), in points.
Text outside the trimmed page (the slug, the marks) is exempt. A print role (`poster-pdf-print`)
has the size of its screen role."""

from __future__ import annotations

from dataclasses import dataclass

from outreach.rendering.largeformat import BOARD_MIN_PT, ROLLUP_MIN_PT

PUBLIC_PT = 9.0       # read by the public at arm's length: posters, tip sheets, quiz cards, contact cards
ELDERLY_PT = 12.0     # read by elderly people: the answer sheet's instructions, elderly packs' body text
STICKER_PT = 10.0     # read on a door or in a lift from 0.5 m and more: contact stickers
STAFF_PT = 7.0        # read by staff and performers who use them daily: talk cards, the quiz key


@dataclass(frozen=True)
class TextSize:
    minimum_pt: float
    readers: str      # who reads it, for messages: "面向公众的材料需要至少 9 磅"


MIN_TEXT: dict[str, TextSize] = {
    "poster-pdf": TextSize(PUBLIC_PT, "面向公众的海报"),
    "tip-pdf": TextSize(PUBLIC_PT, "面向公众的提示单"),
    "quiz-cards": TextSize(PUBLIC_PT, "群众拿在手里的问答卡片"),
    "quiz-answer-sheet": TextSize(ELDERLY_PT, "老年人也要填写的答题卡"),
    "quiz-key": TextSize(STAFF_PT, "主持人用的答案"),
    "script-pdf": TextSize(PUBLIC_PT, "演员用的脚本"),
    "script-part": TextSize(PUBLIC_PT, "演员用的分角色台词"),
    "talk-card": TextSize(STAFF_PT, "民警随身的劝阻话术卡"),
    "talk-card-sheet": TextSize(STAFF_PT, "民警随身的劝阻话术卡"),
    "contact-cards": TextSize(PUBLIC_PT, "发给群众的警民联系卡"),
    # An elderly pack's leaflet is held to ELDERLY_PT by its own build (outputs/leaflets.py).
    "leaflet-pdf": TextSize(PUBLIC_PT, "发给群众的三折页"),
    # On a door or in a lift, read from 0.5–1 m: 9 pt at arm's length (about 40 cm) scaled to 0.5 m.
    "sticker-sheet": TextSize(STICKER_PT, "贴在门上、电梯里的警民联系贴"),
    # Read across an event desk, 1–2 m (about 4 mm of letter height per metre): outputs/tents.py.
    "tent-pdf": TextSize(14.0, "隔着桌子 1–2 米看的桌牌"),
    # Large formats are read from metres away: sized from the viewing distance (rendering/largeformat.py).
    "rollup-pdf": TextSize(ROLLUP_MIN_PT, "站在 2.5 米外看的易拉宝"),
    "board-pdf": TextSize(BOARD_MIN_PT, "站在 1.5 米外看的展板"),
    # A pack holds every kind above, staff cards included: its floor is the lowest of them; each
    # kind's own file is held to its own size.
    "pack-pdf": TextSize(STAFF_PT, "资料包"),
    "station-pack-pdf": TextSize(STAFF_PT, "派出所资料包"),
}

DEFAULT = TextSize(PUBLIC_PT, "印刷材料")


def text_size(role: str) -> TextSize:
    """The minimum for an output role (print roles as their screen role; unknown roles: the public's)."""
    return MIN_TEXT.get(role.removesuffix("-print"), DEFAULT)


def minimum_text_pt(role: str) -> float:
    return text_size(role).minimum_pt
