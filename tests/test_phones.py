"""Phone numbers are grouped by one function (project.phones.grouped) and printed that way
everywhere: pack covers and back pages, contact cards, posters, the H5 page and every message
(issue 27, item 7)."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import FIXTURE_PROJECT, build_project, pdf_pages, pdf_text
from hypothesis import given, settings
from hypothesis import strategies as st
from layoutsettings import configure

from outreach.project.phones import canonical, digits, grouped
from outreach.rendering.theme import BUILTIN_DIR

_digits = st.text("0123456789", min_size=1, max_size=1)


def _run(length: int, first: str = "0123456789"):
    return st.tuples(st.sampled_from(first), st.text("0123456789", min_size=length - 1, max_size=length - 1)) \
        .map("".join)


@st.composite
def written_numbers(draw) -> tuple[str, list[str]]:
    """A number as a user may write it, and the groups it is read in (the reference)."""
    kind = draw(st.sampled_from(["short", "mobile", "landline", "service", "local"]))
    if kind == "short":
        number = draw(st.sampled_from(["110", "119", "120", "122", "999", "12381", "96110", "18222", "993"]))
        return number, [number]
    if kind == "mobile":
        number = "1" + draw(st.sampled_from("3456789")) + draw(_run(9))
        groups = [number[:3], number[3:7], number[7:]]
        sep = draw(st.sampled_from(["", " ", "-"]))
        return sep.join(groups), groups
    if kind == "service":
        groups = [draw(st.sampled_from(["400", "800"])), draw(_run(3)), draw(_run(4))]
        return draw(st.sampled_from(["", " ", "-"])).join(groups), groups
    if kind == "local":
        number = draw(_run(8, "23456789"))
        groups = [number[:4], number[4:]]
        return draw(st.sampled_from(["", " ", "-"])).join(groups), groups
    area = draw(st.sampled_from(["010", "020", "021", "0571", "0755", "0991", "0000"]))
    local = draw(_run(draw(st.sampled_from([7, 8]))))
    split = 4 if len(local) == 8 else 3
    groups = [area, local[:split], local[split:]]
    # Without a hyphen only an area code of the national plan's length is unambiguous.
    joined = area + local if area != "0000" and draw(st.booleans()) else f"{area}-{local}"
    written = draw(st.sampled_from([joined, f"({area}){local}", f"（{area}）{local}"])) if "-" not in joined else joined
    if draw(st.booleans()):
        extension = draw(st.text("0123456789", min_size=1, max_size=5))
        groups.append(extension)
        written += draw(st.sampled_from(["-", " 转 ", "转", " ext ", "#"])) + extension
    return written, groups


@settings(max_examples=400, deadline=None, derandomize=True)
@given(written_numbers())
def test_grouping_keeps_the_digits_and_the_reading_groups(case):
    written, groups = case
    shown = grouped(written)
    assert canonical(written) is not None, written
    # The same digits, in the groups a number is read in: an area code, a mobile's 3-4-4, never split.
    assert re.findall(r"\d+", shown) == groups, (written, shown)
    assert digits(shown) == "".join(groups)
    # Between groups only the separators of the convention.
    assert re.fullmatch(r"\d+(?:(?: |-|转)\d+)*", shown), shown
    # Grouping is stable: what is printed reads back as the same number.
    assert canonical(shown) == canonical(written) and grouped(shown) == shown


def test_the_convention():
    assert [grouped(n) for n in ("110", "13800138000", "138-0013-8000", "057187000000", "0571-87000000",
                                 "0000-7654321", "0571-87000000-123", "4001234567", "8800 7777")] == \
        ["110", "138 0013 8000", "138 0013 8000", "0571-8700 0000", "0571-8700 0000", "0000-765 4321",
         "0571-8700 0000转123", "400-123-4567", "8800 7777"]


PHONE_FIELDS = re.compile(r"\{\{\s*(station\.(?:officer_)?phone|hotline\.number)\s*(\|[^}]*)?\}\}")


def test_every_template_prints_numbers_through_the_one_function():
    """A template prints a station's phone with `| phone` and a hotline as `hotline.display`: never
    the number as written in the sheet (the trial found "0000-7654321" on a cover and
    "0000-765 4321" on the back page of the same pack)."""
    raw = []
    for path in sorted(BUILTIN_DIR.rglob("*")):
        if path.suffix not in (".html", ".txt", ".md", ".js"):
            continue
        for match in PHONE_FIELDS.finditer(path.read_text(encoding="utf-8")):
            if not (match.group(2) or "").lstrip("| ").startswith("phone"):
                raw.append(f"{path.relative_to(BUILTIN_DIR)}: {match.group(0)}")
    assert raw == []


@pytest.mark.slow
def test_one_number_looks_the_same_on_every_page_and_in_every_message(tmp_path):
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    configure(root, hotlines=[("110", "报警电话"), ("96110", "全国反诈预警劝阻专线"), ("057187000000", "某某县公安局值班电话")])
    result = build_project(root, stations=True, only=("texts", "quiz", "stations", "packs", "posters", "tips", "scripts"),
                           jobs=2)
    assert result.ok, [f.message for f in result.failures]
    build = root / "build"
    station_pack = pdf_pages(build / "stations/test-east/fixture.pdf")
    for where, text in (("cover", station_pack[0]), ("back page", station_pack[-1]),
                        ("contact cards", pdf_text(build / "stations/test-east/contact-cards.pdf"))):
        flat = text.replace("\r\n", "").replace("\n", "")
        assert "0000-765 4321" in flat and "0000-123 4567" in flat, where      # the station's numbers
        assert "0000-7654321" not in flat and "0000-1234567" not in flat, where
    assert "0571-8700 0000" in station_pack[-1] and "0571-8700 0000" in pdf_text(build / "posters/fake-loan.pdf")
    messages = sorted((build / "texts").glob("*.txt")) + sorted((build / "texts").glob("*.md")) + [build / "feed.json"]
    assert len(messages) >= 9
    for path in messages:
        text = path.read_text(encoding="utf-8")
        assert "0571-8700 0000" in text, path.name
        assert "057187000000" not in text and "0571-87000000" not in text, path.name
    page = (build / "quiz/basics/index.html").read_text(encoding="utf-8")
    visible = re.sub(r'href="tel:[^"]*"', "", page)
    assert "0571-8700 0000" in visible and "057187000000" not in visible and 'href="tel:057187000000"' in page
