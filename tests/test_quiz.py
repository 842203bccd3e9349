"""Quiz prints: duplex card sheets whose backs sit behind their fronts, key, answer sheet, shuffle."""

from __future__ import annotations

import re
import shutil

import pikepdf
import pytest
from conftest import REPO, build_project, pdf_text, write

from outreach.project.loader import load_library
from outreach.rendering.quizprep import prepare
from outreach.rendering.sheets import Box, cut_marks, mirrored, sheet_boxes

PT_PER_MM = 72 / 25.4
A4_W_MM, A4_H_MM = 210.0, 297.0


@pytest.fixture(scope="module")
def quiz_build(built_starter):
    return built_starter


def destinations(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    """Named destinations (one per card id): page index and top-left corner in mm from the top-left."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    names = pdf.Root.Names.Dests.Names
    found = {}
    for i in range(0, len(names), 2):
        target = names[i + 1]
        page = pages[target[0].objgen]
        height = float(pdf.pages[page].mediabox[3])
        found[str(names[i])] = (page, float(target[2]) / PT_PER_MM, (height - float(target[3])) / PT_PER_MM)
    return found


@pytest.mark.slow
def test_all_starter_sets_produce_every_output(quiz_build):
    for set_id in ("community-basics", "campus", "merchant"):
        for name in (f"{set_id}-cards.pdf", f"{set_id}-answer-sheet.pdf", f"{set_id}-key.pdf", f"{set_id}/index.html"):
            assert (quiz_build / "build/quiz" / name).stat().st_size > 0


def test_backs_are_mirrored_behind_their_fronts(quiz_build):
    with pikepdf.open(quiz_build / "build/quiz/community-basics-cards.pdf") as pdf:
        questions = 16
        assert len(pdf.pages) == 4  # two sheets, front + back each
        for page in pdf.pages:
            box = [float(v) for v in page.mediabox]
            assert abs(box[2] / PT_PER_MM - A4_W_MM) < 0.1 and abs(box[3] / PT_PER_MM - A4_H_MM) < 0.1
        places = destinations(pdf)
        for k in range(1, questions + 1):
            front_page, fx, fy = places[f"front-{k}"]
            back_page, bx, by = places[f"back-{k}"]
            assert back_page == front_page + 1 and front_page % 2 == 0
            assert abs(bx - (A4_W_MM - fx - 90)) < 0.05, k   # x mirrored for a long-edge flip
            assert abs(by - fy) < 0.05, k                     # same row


def test_eight_cards_per_sheet_in_two_columns(quiz_build):
    with pikepdf.open(quiz_build / "build/quiz/community-basics-cards.pdf") as pdf:
        places = destinations(pdf)
    firsts = sorted({round(places[f"front-{k}"][1], 2) for k in range(1, 9)})
    rows = sorted({round(places[f"front-{k}"][2], 2) for k in range(1, 9)})
    assert len(firsts) == 2 and len(rows) == 4
    assert places["front-9"][0] == 2  # the ninth card starts the second sheet


def test_card_text_both_sides(quiz_build):
    library, _ = load_library(REPO)
    quiz = library.quizzes["community-basics"]
    text = re.sub(r"\s+", "", pdf_text(quiz_build / "build/quiz/community-basics-cards.pdf"))
    for question in quiz.questions:
        assert re.sub(r"\s+", "", question.question) in text
        assert re.sub(r"\s+", "", question.explanation) in text
    assert text.count(quiz.title) == 2 * len(quiz.questions)  # set name on both sides of every card
    assert "第16题" in text


def test_key_lists_every_answer_on_one_page(quiz_build):
    with pikepdf.open(quiz_build / "build/quiz/community-basics-key.pdf") as pdf:
        assert len(pdf.pages) == 1
    text = pdf_text(quiz_build / "build/quiz/community-basics-key.pdf")
    assert "BCD" in text and "错" in text


@pytest.mark.slow
def test_answer_sheet_has_boxes_and_optional_contact(quiz_build):
    text = pdf_text(quiz_build / "build/quiz/campus-answer-sheet.pdf")
    assert "姓名" in text and "电话" in text and text.count("选填") == 2
    assert re.search(r"\b16\b", text)


def test_geometry_helpers():
    boxes = sheet_boxes(210, 297, 90, 60, 2, 4, 6)
    assert boxes[0] == Box(12, 19.5, 90, 60) and boxes[1].x == 108
    assert mirrored(boxes[0], 210) == Box(108, 19.5, 90, 60)
    marks = cut_marks(boxes[:1])
    assert len(marks) == 8 and all(not (12 <= x1 <= 102 and 19.5 <= y1 <= 79.5 and 12 <= x2 <= 102 and 19.5 <= y2 <= 79.5)
                                   for x1, y1, x2, y2 in marks)


def test_shuffle_is_deterministic_and_the_key_follows():
    library, _ = load_library(REPO)
    quiz = library.quizzes["campus"]
    first, again, other = prepare(quiz, "campus", 7), prepare(quiz, "campus", 7), prepare(quiz, "campus", 8)
    plain = prepare(quiz, "campus", None)
    assert first == again and first != other
    assert [q.id for q in plain] == [q.id for q in quiz.questions]
    assert [q.id for q in first] != [q.id for q in plain]
    for card in first:
        original = quiz.questions[card.index]
        if original.kind == "truefalse":
            continue
        right = {original.choices["ABCDEFGH".index(letter)] for letter in original.answer_letters}
        assert {text for letter, text in card.choices if letter in card.answer} == right


@pytest.mark.slow
def test_shuffle_option_reorders_cards_and_key(mini_project):
    shutil.copytree(REPO / "content/quizzes", mini_project / "content/quizzes")
    shutil.copytree(REPO / "content/scenarios", mini_project / "content/scenarios", dirs_exist_ok=True)
    assert build_project(mini_project, only=("quiz",)).ok
    plain_key = pdf_text(mini_project / "build/quiz/campus-key.pdf")
    result = build_project(mini_project, only=("quiz",), shuffle_seed=42)
    assert sorted(result.built) == ["quiz/campus", "quiz/community-basics", "quiz/merchant"]
    shuffled_key = pdf_text(mini_project / "build/quiz/campus-key.pdf")
    assert shuffled_key != plain_key and "种子42" in shuffled_key


def test_text_that_does_not_fit_a_card_is_a_build_error(mini_project):
    write(mini_project, "content/quizzes/long.yaml", """
        title: 测试题
        questions:
          - id: q1
            kind: truefalse
            question: 接到96110来电要接听。
            answer: true
            explanation: 这是全国反诈预警劝阻专线。
          - id: q2
            kind: single
            question: 这是一道题干特别特别长的题目，用来测试卡片放不下时是否报错，题干写得非常非常长，一直写一直写，还在写，继续写，写到卡片放不下为止，应该怎么办？
            choices:
              - 这是一个非常非常长的选项，长到一行放不下，两行也放不下
              - 这又是一个非常非常长的选项，长到一行放不下，两行也放不下
              - 还有一个非常非常长的选项，长到一行放不下，两行也放不下
              - 最后一个非常非常长的选项，长到一行放不下，两行也放不下
            answer: B
            explanation: 解析。
        """)
    [failure] = build_project(mini_project, only=("quiz",)).failures
    assert failure.file == "content/quizzes/long.yaml" and failure.line == 8
    assert "第 2 张卡片（题目 q2）正面内容超出卡片" in failure.message


@pytest.mark.slow
def test_card_layout_from_config(mini_project):
    shutil.copytree(REPO / "content/quizzes", mini_project / "content/quizzes")
    shutil.copytree(REPO / "content/scenarios", mini_project / "content/scenarios", dirs_exist_ok=True)
    with open(mini_project / "outreach.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[quiz]\ncard_width = 95\ncard_height = 65\ncolumns = 2\nrows = 3\n")
    assert build_project(mini_project, only=("quiz",)).ok
    with pikepdf.open(mini_project / "build/quiz/community-basics-cards.pdf") as pdf:
        places = destinations(pdf)
        assert len(pdf.pages) == 6  # 16 cards, 6 per sheet: 3 sheets
    assert places["front-6"][0] == 0 and places["front-7"][0] == 2
    fx, bx = places["front-1"][1], places["back-1"][1]
    assert abs(bx - (A4_W_MM - fx - 95)) < 0.05


def test_layout_that_does_not_fit_a4_is_a_config_error(mini_project):
    from conftest import check

    with open(mini_project / "outreach.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[quiz]\ncard_width = 120\ncolumns = 2\n")
    [problem] = [d for d in check(mini_project) if d.file == "outreach.toml"]
    assert problem.code == "bad-value" and "放不进 A4" in problem.message
