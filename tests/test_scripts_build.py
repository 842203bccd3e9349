"""Script handouts as printed: full scripts, each performer's sides and 劝阻话术 pocket cards."""

from __future__ import annotations

import math
import re
import shutil
from itertools import pairwise

import pikepdf
import pytest
import yaml
from conftest import REPO, build_project, edit, pdf_text, write

from outreach.checks.scriptlint import spoken_length
from outreach.project.loader import load_library

A4 = (595.28, 841.89)
A6 = (297.64, 419.53)
MM = 72 / 25.4
# Margins of css/script.css (top, bottom): the running header and page numbers live there.
SCRIPT_MARGINS = (22 * MM, 20 * MM)
TALK_TRACK = "劝阻话术"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_text(path, margins=SCRIPT_MARGINS) -> str:
    """The text of every page without its header and footer, pages joined: a line broken
    across a page boundary then reads as one line again."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        parts = []
        for page in document:
            width, height = page.get_size()
            parts.append(page.get_textpage().get_text_bounded(left=0, bottom=margins[1], right=width,
                                                               top=height - margins[0]))
        return squash("".join(parts))
    finally:
        document.close()


def page_sizes(path) -> list[tuple[float, float]]:
    with pikepdf.open(path) as pdf:
        return [(float(p.mediabox[2] - p.mediabox[0]), float(p.mediabox[3] - p.mediabox[1])) for p in pdf.pages]


def assert_in_order(text: str, pieces: list[str], where) -> None:
    """Every piece appears intact (whitespace aside), in order."""
    position = 0
    for piece in pieces:
        found = text.find(squash(piece), position)
        assert found >= 0, (where, piece)
        position = found + len(squash(piece))


def items(script):
    for scene in script.scenes:
        for line in scene.lines:
            yield line


@pytest.fixture(scope="module")
def starter(built_starter):
    """The starter library with its scripts built (the run's shared build)."""
    library, _ = load_library(built_starter)
    return built_starter, library


def script_project(tmp_path, *scripts: str):
    """outreach.toml, laws, scenarios and only the named starter scripts: quick to build."""
    root = tmp_path / "proj"
    (root / "content" / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
    for kind in ("laws", "scenarios"):
        shutil.copytree(REPO / "content" / kind, root / "content" / kind)
    for name in scripts:
        shutil.copy(REPO / "content/scripts" / name, root / "content/scripts" / name)
    return root


def configure(root, text: str) -> None:
    with (root / "outreach.toml").open("a", encoding="utf-8") as config:
        config.write("\n[scripts]\n" + text + "\n")


# --- the starter library ------------------------------------------------------------------

@pytest.mark.slow
def test_every_starter_script_builds_its_handouts(starter):
    root, library = starter
    expected = set()
    for script_id, script in library.scripts.items():
        expected.add(f"{script_id}.pdf")
        if script.form == TALK_TRACK:
            expected |= {f"{script_id}-card.pdf", f"{script_id}-card-sheet.pdf"}
        else:
            expected.update(f"{script_id}/{role.name}.pdf" for role in script.roles)
    built = {p.relative_to(root / "build/scripts").as_posix() for p in (root / "build/scripts").rglob("*.pdf")}
    assert built == expected
    forms = [script.form for script in library.scripts.values()]
    assert {"小品", "快板", "三句半", "相声"} <= set(forms) and forms.count(TALK_TRACK) == 2


def test_every_line_of_every_script_survives_intact_and_in_order(starter):
    root, library = starter
    for script_id, script in library.scripts.items():
        text = body_text(root / f"build/scripts/{script_id}.pdf")
        pieces = []
        for scene in script.scenes:
            pieces.append(scene.title or "")
            for line in scene.lines:
                pieces.append(line.direction if hasattr(line, "direction") else f"{line.role}：{line.text}")
        assert_in_order(text, pieces, script_id)


def test_full_script_is_a4_with_a_cover(starter):
    root, library = starter
    script = library.scripts["xiaopin-fake-police"]
    path = root / "build/scripts/xiaopin-fake-police.pdf"
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in page_sizes(path))
    cover = squash(pdf_text(path).split("一、")[0])
    for role in script.roles:
        assert squash(role.name + role.description) in cover
    assert library.scenarios["impersonating-police"].title in cover
    chars = sum(spoken_length(line.text) for line in items(script) if hasattr(line, "role"))
    assert f"约{math.ceil(chars / 200)}分钟" in cover and f"台词{chars}字" in cover
    assert "第1页，共" in squash(pdf_text(path))


def test_directions_are_not_counted_in_the_time(starter):
    root, library = starter
    script = library.scripts["sanjuban-community"]
    spoken = sum(spoken_length(line.text) for line in items(script) if hasattr(line, "role"))
    every = spoken + sum(spoken_length(line.direction) for line in items(script) if hasattr(line, "direction"))
    text = squash(pdf_text(root / "build/scripts/sanjuban-community.pdf"))
    assert f"台词{spoken}字" in text and f"台词{every}字" not in text


def test_each_role_gets_its_own_lines_with_cues(starter):
    root, library = starter
    script = library.scripts["sanjuban-community"]
    text = body_text(root / "build/scripts/sanjuban-community/丁.pdf")
    for scene in script.scenes:
        spoken = [line for line in scene.lines if hasattr(line, "role")]
        for before, line in pairwise(spoken):
            if line.role == "丁":
                assert_in_order(text, [f"{before.role}：{before.text}", f"丁：{line.text}"], line.text)
    assert squash("甲：锣鼓一敲响叮当，") not in text  # not a cue for 丁: the sides leave it out
    header = pdf_text(root / "build/scripts/sanjuban-community/丁.pdf")
    assert "角色：丁" in squash(header) and script.title in header


def test_role_sides_of_the_markdown_script(starter):
    root, library = starter
    script = library.scripts["xiangsheng-ai-face"]
    for role in ("甲", "乙"):
        text = body_text(root / f"build/scripts/xiangsheng-ai-face/{role}.pdf")
        own = [f"{role}：{line.text}" for line in items(script) if getattr(line, "role", None) == role]
        assert_in_order(text, own, role)


def test_talk_track_cards_fit_on_a_pocket_card(starter):
    root, library = starter
    for script_id in ("talk-track-investment", "talk-track-refund"):
        script = library.scripts[script_id]
        path = root / f"build/scripts/{script_id}-card.pdf"
        sizes = page_sizes(path)
        assert 1 <= len(sizes) <= 2
        assert all(abs(w - A6[0]) < 1 and abs(h - A6[1]) < 1 for w, h in sizes)
        text = squash(pdf_text(path))
        for number, scene in enumerate(script.scenes, start=1):
            assert_in_order(text, [f"{number}{scene.title}", *(line.text for line in scene.lines)], scene.title)
        for expected in ("说", "对方", "回应", "110", "96110", "国家反诈中心"):
            assert expected in text
        assert not (root / f"build/scripts/{script_id}").exists()  # no per-role copies for talk tracks


# --- Markdown and YAML -----------------------------------------------------------------------

@pytest.mark.slow
def test_markdown_and_yaml_scripts_give_the_same_pdf_text(tmp_path):
    root = script_project(tmp_path, "xiangsheng-ai-face.md")
    library, _ = load_library(root)
    raw = library.get("scripts", "xiangsheng-ai-face").raw
    write(root, "content/scripts/as-yaml.yaml", yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    assert build_project(root, only=("scripts",)).ok
    out = root / "build/scripts"
    for md_file, yaml_file in [("xiangsheng-ai-face.pdf", "as-yaml.pdf"),
                               ("xiangsheng-ai-face/甲.pdf", "as-yaml/甲.pdf"),
                               ("xiangsheng-ai-face/乙.pdf", "as-yaml/乙.pdf")]:
        assert pdf_text(out / md_file) == pdf_text(out / yaml_file)


# --- options ----------------------------------------------------------------------------------

def font_sizes_pt(path) -> list[float]:
    """Font size (pt) of every visible character of the page bodies (not headers and footers)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    sizes = []
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for page in document:
            textpage = page.get_textpage()
            height = page.get_height()
            for index in range(textpage.count_chars()):
                _, bottom, _, top = textpage.get_charbox(index)
                in_body = bottom > SCRIPT_MARGINS[1] and top < height - SCRIPT_MARGINS[0]
                if in_body and textpage.get_text_range(index, 1).strip():
                    # WeasyPrint sizes text in CSS px on a page scaled by 0.75 (px → pt).
                    sizes.append(raw.FPDFText_GetFontSize(textpage.raw, index) * 0.75)
    finally:
        document.close()
    return sizes


@pytest.mark.slow
def test_large_print_is_at_least_16_pt(tmp_path):
    root = script_project(tmp_path, "sanjuban-community.yaml")
    assert build_project(root, only=("scripts",)).ok
    assert min(font_sizes_pt(root / "build/scripts/sanjuban-community.pdf")) < 16  # normal print is smaller
    configure(root, "large_print = true")
    assert build_project(root, only=("scripts",)).ok
    for pdf in ("sanjuban-community.pdf", "sanjuban-community/甲.pdf", "sanjuban-community/丁.pdf"):
        sizes = font_sizes_pt(root / "build/scripts" / pdf)
        assert len(sizes) > 100 and min(sizes) >= 16 - 0.01, pdf


@pytest.mark.slow
def test_chars_per_minute_changes_the_estimate(tmp_path):
    root = script_project(tmp_path, "kuaiban-campus.yaml")
    configure(root, "chars_per_minute = 60")
    assert build_project(root, only=("scripts",)).ok
    library, _ = load_library(root)
    chars = sum(spoken_length(line.text) for line in items(library.scripts["kuaiban-campus"]) if hasattr(line, "role"))
    text = squash(pdf_text(root / "build/scripts/kuaiban-campus.pdf"))
    assert f"约{math.ceil(chars / 60)}分钟" in text and "每分钟60字" in text


@pytest.mark.slow
def test_card_two_up_on_a4(tmp_path):
    root = script_project(tmp_path, "talk-track-refund.yaml")
    configure(root, 'card_layout = "A4-2up"')
    assert build_project(root, only=("scripts",)).ok
    path = root / "build/scripts/talk-track-refund-card.pdf"
    [(width, height)] = page_sizes(path)
    assert abs(width - A4[1]) < 1 and abs(height - A4[0]) < 1
    library, _ = load_library(root)
    text = squash(pdf_text(path))
    assert_in_order(text, [line.text for line in items(library.scripts["talk-track-refund"])], "2-up")


def test_a_card_that_does_not_fit_is_a_build_error_naming_the_script(tmp_path):
    root = script_project(tmp_path, "talk-track-refund.yaml")
    path = root / "content/scripts/talk-track-refund.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[:text.index("\nregions:") + 1] if "\nregions:" in text else text   # scenes close the file
    scenes = text[text.index("scenes:\n") + len("scenes:\n"):]
    path.write_text(text + scenes * 3, encoding="utf-8")
    result = build_project(root, only=("scripts",))
    assert not result.ok and not result.skipped
    [failure] = result.failures
    assert failure.target == "scripts/talk-track-refund/card"
    assert "talk-track-refund" in failure.label and "超出" in failure.message and "毫米" in failure.message
    assert "talk-track-refund" not in failure.message  # the label says which; the message does not repeat it
    assert failure.file == "content/scripts/talk-track-refund.yaml"
    assert (root / "build/scripts/talk-track-refund.pdf").is_file()  # the full script still builds


# --- fingerprints -------------------------------------------------------------------------------

@pytest.mark.slow
def test_template_and_source_edits_rebuild_exactly_what_uses_them(tmp_path):
    root = script_project(tmp_path, "talk-track-refund.yaml", "kuaiban-campus.yaml")
    first = build_project(root, only=("scripts",))
    assert first.ok and sorted(first.built) == [
        "scripts/kuaiban-campus", "scripts/kuaiban-campus/roles",
        "scripts/talk-track-refund", "scripts/talk-track-refund/card"]
    builtin = REPO / "src/outreach/default_theme"

    write(root, "templates/css/card.css", (builtin / "css/card.css").read_text(encoding="utf-8") + "\n.card { color: #000; }\n")
    assert build_project(root, only=("scripts",)).built == ["scripts/talk-track-refund/card"]

    write(root, "templates/css/script.css", (builtin / "css/script.css").read_text(encoding="utf-8") + "\n.line { color: #000; }\n")
    assert sorted(build_project(root, only=("scripts",)).built) == [
        "scripts/kuaiban-campus", "scripts/kuaiban-campus/roles", "scripts/talk-track-refund"]

    # The related scenario's title is on the cover: editing the scenario rebuilds its script.
    edit(root / "content/scenarios/fake-customer-service.yaml", "title: ", "title: 新")
    assert sorted(build_project(root, only=("scripts",)).built) == [
        "scripts/talk-track-refund", "scripts/talk-track-refund/card"]
    assert build_project(root, only=("scripts",)).noop


# --- what goes on the sides and the card ---------------------------------------------------

def script_from(data: dict):
    from outreach.project.models import Script

    return Script.model_validate(data)


def test_role_sides_keep_cues_named_directions_and_mark_gaps():
    from outreach.outputs.scripts import role_sides

    script = script_from({"title": "测试", "form": "小品", "roles": [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}],
                          "scenes": [{"title": "一", "lines": [
                              {"role": "甲", "text": "一"}, {"role": "乙", "text": "二"}, {"role": "丙", "text": "三"},
                              {"direction": "甲起身。"}, {"role": "甲", "text": "四"}, {"role": "甲", "text": "五"},
                              {"role": "乙", "text": "六"}]},
                              {"title": "二", "lines": [{"role": "乙", "text": "七"}]}]})
    [block] = role_sides(script, "甲")
    assert [(e.get("part"), e.get("text")) for e in block["entries"]] == [
        ("own", "一"), (None, None), ("direction", "甲起身。"), ("own", "四"), ("own", "五")]
    assert block["entries"][1] == {"kind": "gap"} and block["opens_scene"]
    sides = role_sides(script, "丙")
    assert [(e["part"], e["text"]) for e in sides[0]["entries"]] == [("cue", "二"), ("own", "三")]
    assert [b["scene"]["title"] for b in role_sides(script, "乙")] == ["一", "二"]


def test_talk_steps_say_reply_respond():
    from outreach.outputs.scripts import talk_steps

    script = script_from({"title": "话术", "form": "劝阻话术", "roles": [{"name": "民警"}, {"name": "群众"}],
                          "scenes": [{"title": "表明身份", "lines": [
                              {"role": "民警", "text": "您好。"}, {"role": "民警", "text": "请听我说。"},
                              {"role": "群众", "text": "你是谁？"}, {"direction": "语气放缓。"},
                              {"role": "民警", "text": "可拨打110核实。"}]}]})
    [step] = talk_steps(script)
    assert step["number"] == 1 and step["title"] == "表明身份"
    assert [e["kind"] for e in step["entries"]] == ["say", "say", "reply", "note", "respond"]


def test_two_up_imposition_is_deterministic(starter):
    from outreach.outputs.scripts import impose_two_up

    card = (starter[0] / "build/scripts/talk-track-refund-card.pdf").read_bytes()
    assert impose_two_up(card) == impose_two_up(card)
