"""Domain lints: personal data, stale reviews, typography and hotlines, each located."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import located, write

from outreach.checks.lint import find_personal_data, lint_library, luhn_valid, valid_id_number
from outreach.project.loader import load_library

REL = "content/tips/lint-case.yaml"


def tip(project, body: str, review_by: str = "2099-12-31", today: dt.date | None = None) -> list:
    write(project, REL, f"title: 测试小贴士\nbody: {body}\naudiences: [public]\nreview_by: {review_by}\n")
    library, diagnostics = load_library(project)
    assert not diagnostics.has_errors(), diagnostics.sorted()
    return located(lint_library(library, today=today), REL)


# A syntactically valid ID number with a correct check digit, built for the test (not a real person).
def make_id(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def make_card(prefix: str) -> str:
    for last in "0123456789":
        if luhn_valid(prefix + last):
            return prefix + last
    raise AssertionError


def test_id_number_check_digit():
    number = make_id("11010519491231002")
    assert valid_id_number(number)
    assert not valid_id_number(number[:-1] + ("0" if number[-1] != "0" else "1"))
    assert not valid_id_number("110105194913310021")  # month 13


def test_id_number_is_an_error(project):
    number = make_id("32010219800101123")
    assert tip(project, f"身份证号{number}不要告诉别人") == [(2, 11, "pii-id-number")]


def test_id_number_with_wrong_check_digit_is_not_flagged(project):
    number = make_id("32010219800101123")
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    assert tip(project, f"身份证号{wrong}不要告诉别人") == []


def test_mobile_number_is_an_error(project):
    assert tip(project, "有事请联系13912345678") == [(2, 12, "pii-mobile")]


def test_mobile_number_with_separators(project):
    assert tip(project, "有事请联系139-1234-5678") == [(2, 12, "pii-mobile")]


def test_fictional_number_from_config_is_allowed(project):
    config = project / "outreach.toml"
    text = re.sub(r"(?m)^fictional_numbers = .*$", 'fictional_numbers = ["13900000001"]', config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    assert tip(project, "示例号码13900000001") == []
    assert tip(project, "示例号码13900000002") == [(2, 11, "pii-mobile")]


def test_bank_card_passing_luhn_is_an_error(project):
    card = make_card("622202000000000000")
    assert len(card) == 19
    assert tip(project, f"卡号{card}") == [(2, 9, "pii-bank-card")]


def test_long_number_failing_luhn_is_not_a_card(project):
    card = make_card("622202000000000000")
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert tip(project, f"编号{wrong}") == []


def test_personal_data_inside_block_scalar_is_located_on_its_line():
    found = list(find_personal_data("第一行\n第二行13912345678", set()))
    assert [(offset, code) for offset, _, code, _ in found] == [(7, "pii-mobile")]


def test_personal_data_in_block_scalar_located(project):
    write(project, REL, "title: 测试\nbody: |\n  第一行\n  联系13912345678\naudiences: [public]\nreview_by: 2099-12-31\n")
    library, _ = load_library(project)
    assert located(lint_library(library), REL) == [(4, 5, "pii-mobile")]


def test_review_date_in_the_past_is_a_warning(project):
    found = tip(project, "正文内容。", review_by="2026-01-31", today=dt.date(2026, 11, 23))
    assert found == [(4, 12, "review-overdue")]


def test_review_date_in_the_future_is_fine(project):
    assert tip(project, "正文内容。", review_by="2026-12-31", today=dt.date(2026, 11, 23)) == []


@pytest.mark.parametrize("body, column", [
    ("接到电话,请挂断", 11),
    ("真的吗?不要信", 10),
    ("客服说:退款", 10),
])
def test_ascii_punctuation_in_chinese(project, body, column):
    assert tip(project, body) == [(2, column, "typography-punct")]


def test_ascii_quotes_in_chinese(project):
    assert tip(project, "'所谓\"安全账户\"都是骗局'") == [(2, 10, "typography-punct"), (2, 15, "typography-punct")]


def test_numbers_and_urls_are_not_punctuation_problems(project):
    assert tip(project, "损失3.8万元，共1,000人次") == []


def test_space_between_chinese_and_digits(project):
    assert tip(project, "请拨打 110 报警") == [(2, 10, "typography-space"), (2, 14, "typography-space")]


def test_space_rule_require(project):
    config = project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('cjk_latin_space = "none"', 'cjk_latin_space = "require"'),
                      encoding="utf-8")
    assert tip(project, "请拨打 110 报警") == []
    assert tip(project, "请拨打110报警") == [(2, 9, "typography-space"), (2, 12, "typography-space")]


def test_unknown_hotline_is_an_error(project):
    assert tip(project, "请拨打12345咨询") == [(2, 10, "unknown-hotline")]


def test_configured_hotlines_are_fine(project):
    assert tip(project, "请拨打110报警，接到96110来电要接听") == []


def test_amounts_are_not_hotlines(project):
    assert tip(project, "被骗120元后拨打110报警") == []


def test_allowed_numbers_from_config(project):
    config = project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[lint]\n", '[lint]\nallowed_numbers = ["119"]\n'),
                      encoding="utf-8")
    assert tip(project, "发生火灾请拨打119") == []


def test_law_texts_are_not_typography_linted(project):
    write(project, "content/laws/test-law.yaml",
          "title: 测试法\nshort: 测试法\narticles:\n  - key: \"1\"\n    number: 第一条\n    text: 原文照录,不改标点\n")
    library, _ = load_library(project)
    assert located(lint_library(library), "content/laws/test-law.yaml") == []


def test_every_service_line_shape_follows_one_rule(project):
    from outreach.checks.textscan import find_hotlines

    allowed = {"110", "96110"}
    for text, number in [("对方留下客服电话400-123-4567", "400-123-4567"), ("请拨打400 123 4567咨询", "400 123 4567"),
                         ("客服热线4001234567", "4001234567"), ("拨打800-820-8820", "800-820-8820"),
                         ("拨打12345热线", "12345"), ("拨打10086", "10086"), ("请致电95588查询", "95588")]:
        assert [found[1] for found in find_hotlines(text, allowed)] == [number], text
    for text in ("拨打110报警", "拨打96110", "电话费200元", "拨打0571-87654321"):
        assert not list(find_hotlines(text, allowed)), text
