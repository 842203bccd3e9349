"""Form checks on scripts: 三句半 stanzas, 快板 line length and rhyme, silent roles.

All are warnings: a performance may break a convention on purpose. Undeclared roles and
malformed lines are errors, reported while loading (refs.py, scriptmd.py).
"""

from __future__ import annotations

import statistics
import unicodedata
from functools import lru_cache
from typing import Iterator

from outreach.project.diagnostics import Diagnostic, warning
from outreach.project.kinds import SCRIPTS
from outreach.project.library import Item, Library
from outreach.project.models import Line

HALF_LINE_MAX = 4          # a 三句半 "half line" has at most this many spoken characters
SANJUBAN_STANZA = 4        # three full lines and the half line
KUAIBAN_WINDOW = 3         # neighbours looked at on each side of a 快板 line
KUAIBAN_RATIO = 1.5        # "much longer": more than this times the neighbours' median …
KUAIBAN_MIN_EXCESS = 3     # … and at least this many characters more (short lines vary a lot)


def spoken_length(text: str) -> int:
    """Characters a performer says: letters and digits; punctuation and spaces are not spoken."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LN")


def lint_scripts(library: Library) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for item in library.kind(SCRIPTS.folder).values():
        problems.extend(_silent_roles(item))
        form = item.model.form
        if form == "三句半":
            problems.extend(_sanjuban(item))
        elif form == "快板":
            problems.extend(_kuaiban_length(item))
            problems.extend(_kuaiban_rhyme(item))
    return problems


def _line_path(scene: int, line: int, *rest) -> tuple:
    return ("scenes", scene, "lines", line, *rest)


def _spoken(scene) -> list[tuple[int, Line]]:
    return [(index, line) for index, line in enumerate(scene.lines) if isinstance(line, Line)]


def _silent_roles(item: Item) -> Iterator[Diagnostic]:
    speaking = {line.role for scene in item.model.scenes for line in scene.lines if hasattr(line, "role")}
    for index, role in enumerate(item.model.roles):
        if role.name not in speaking:
            yield warning(item.path, *item.source.locate(("roles", index, "name")), "script-role-silent",
                          f"角色“{role.name}”没有一句台词。请给这个角色加上台词，或从 roles 里删掉。")


# --- 三句半 ------------------------------------------------------------------------------

def _stanzas(item: Item) -> Iterator[tuple[int, list[tuple[int, Line]]]]:
    """Runs of consecutive spoken lines; a stage direction or a new scene ends a stanza."""
    for scene_index, scene in enumerate(item.model.scenes):
        run: list[tuple[int, Line]] = []
        for index, line in enumerate(scene.lines):
            if isinstance(line, Line):
                run.append((index, line))
            elif run:
                yield scene_index, run
                run = []
        if run:
            yield scene_index, run


def _sanjuban(item: Item) -> Iterator[Diagnostic]:
    roles = item.model.roles
    if len(roles) != 4:
        yield warning(item.path, *item.source.locate(("roles",)), "sanjuban-roles",
                      f"三句半由 4 个人表演，这里声明了 {len(roles)} 个角色。")
    fourth = roles[3].name if len(roles) >= 4 else None
    for scene_index, run in _stanzas(item):
        first_index = run[0][0]
        if len(run) != SANJUBAN_STANZA:
            yield warning(item.path, *item.source.locate(_line_path(scene_index, first_index)), "sanjuban-stanza",
                          f"这一段连续有 {len(run)} 句台词。三句半每段是三句整句加一个半句（共 4 句），"
                          "段与段之间用舞台提示（如“> 锣鼓点。”）或新的场次隔开。")
            continue
        half_index, half = run[-1]
        if fourth and half.role != fourth:
            yield warning(item.path, *item.source.locate(_line_path(scene_index, half_index, "role")),
                          "sanjuban-half-role",
                          f"每段的半句应由第四位演员“{fourth}”来说，这里是“{half.role}”。")
        length = spoken_length(half.text)
        if length > HALF_LINE_MAX:
            yield warning(item.path, *item.source.locate(_line_path(scene_index, half_index, "text")),
                          "sanjuban-half-length",
                          f"半句“{half.text}”有 {length} 个字，三句半的半句最多 {HALF_LINE_MAX} 个字（标点不算）。")


# --- 快板 --------------------------------------------------------------------------------

def _kuaiban_length(item: Item) -> Iterator[Diagnostic]:
    for scene_index, scene in enumerate(item.model.scenes):
        spoken = _spoken(scene)
        lengths = [spoken_length(line.text) for _, line in spoken]
        for position, (index, _line) in enumerate(spoken):
            around = lengths[max(position - KUAIBAN_WINDOW, 0):position] + lengths[position + 1:position + 1 + KUAIBAN_WINDOW]
            if len(around) < 2:
                continue
            usual = statistics.median(around)
            length = lengths[position]
            if length > KUAIBAN_RATIO * usual and length - usual >= KUAIBAN_MIN_EXCESS:
                yield warning(item.path, *item.source.locate(_line_path(scene_index, index, "text")),
                              "kuaiban-length",
                              f"这一句有 {length} 个字，前后几句一般是 {usual:g} 个字；快板句子长短要整齐，"
                              "太长会乱了节奏。请拆成两句或精简。")


# 十三辙: the rhyme groups of 快板 and other 曲艺, by the pinyin final (pypinyin's strict finals).
THIRTEEN_RHYMES = {
    "发花": ("a", "ia", "ua"),
    "梭波": ("o", "uo", "e", "io"),
    "乜斜": ("ie", "ve", "ê"),
    "一七": ("i", "v", "er"),
    "姑苏": ("u",),
    "怀来": ("ai", "uai"),
    "灰堆": ("ei", "uei"),
    "遥条": ("ao", "iao"),
    "油求": ("ou", "iou"),
    "言前": ("an", "ian", "uan", "van"),
    "人辰": ("en", "in", "uen", "vn"),
    "江阳": ("ang", "iang", "uang"),
    "中东": ("eng", "ing", "ueng", "ong", "iong"),
}
_RHYME_OF_FINAL = {final: name for name, finals in THIRTEEN_RHYMES.items() for final in finals}
# Particles sung after the rhyme word (竹板这么一打呀): the rhyme is the character before.
_PARTICLES = set("啊呀哇哪呐呢吧哟嘞咧")


def _is_hanzi(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


def rhyme(text: str) -> tuple[int, str] | None:
    """(offset of the rhyme character, its 十三辙 group), or None when the line ends in no Chinese word."""
    hanzi = [index for index, char in enumerate(text) if _is_hanzi(char)]
    spoken = [index for index, char in enumerate(text) if unicodedata.category(char)[0] in "LN"]
    if not hanzi or spoken[-1] != hanzi[-1]:
        return None  # ends in digits or Latin letters (拨打110): its rhyme is not in the text
    last = hanzi[-1]
    if text[last] in _PARTICLES and len(hanzi) > 1:
        last = hanzi[-2]
    # The whole line goes in, so that phrases settle polyphones (不行 xing, 银行 hang).
    finals = _pinyin_finals(text[: last + 1])
    group = _RHYME_OF_FINAL.get(finals[-1]) if finals else None
    return (last, group) if group else None


@lru_cache(maxsize=4096)
def _pinyin_finals(text: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(text, style=Style.FINALS, strict=True, errors="ignore"))


def _kuaiban_rhyme(item: Item) -> Iterator[Diagnostic]:
    """The even lines (下句) of a scene carry the rhyme: each must share its 辙 with an even neighbour."""
    for scene_index, scene in enumerate(item.model.scenes):
        spoken = _spoken(scene)
        feet = []
        for position, (index, line) in enumerate(spoken):
            if position % 2 == 1:
                found = rhyme(line.text)
                if found:
                    feet.append((index, line, *found))
        for number, (index, line, offset, group) in enumerate(feet):
            neighbours = [feet[n] for n in (number - 1, number + 1) if 0 <= n < len(feet)]
            if not neighbours or any(n[3] == group for n in neighbours):
                continue
            others = "、".join(f"“{n[1].text[n[2]]}”（{n[3]}辙）" for n in neighbours)
            line_at = item.source.locate_in_text(_line_path(scene_index, index, "text"), line.text, offset,
                                                  line.text[offset])
            yield warning(item.path, *line_at, "kuaiban-rhyme",
                          f"韵脚“{line.text[offset]}”（{group}辙）和前后的下句{others}不押韵。"
                          "快板的双数句（下句）要押韵：每个下句至少和前一个或后一个下句同辙。")
