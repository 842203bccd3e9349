"""Traditional Chinese that reads as each region writes it, quotations of Mainland documents
left in their words, and Mainland amounts marked as Renminbi (issue 28, items 10, 11)."""

from __future__ import annotations

import re

import pytest
from conftest import build_project, edit, regional_qr

from outreach.rendering.localize import HantSpec, mark_renminbi, to_hant

EVERY_REGION = {
    "发卡银行": "發卡銀行", "冲销量": "衝銷量", "请回复TD退订": "請回覆TD退訂", "发布通知": "發布通知",
}
PER_REGION = {
    "s2hk": {"视频通话": "視像通話", "发短信": "發短訊", "可疑信息": "可疑訊息", "点击链接": "點擊連結",
             "质量": "質素", "登录网银": "登入網銀", "手机里": "手機裏", "泄露个人信息": "泄露個人資料"},
    "s2twp": {"注销账户": "註銷帳戶", "银行窗口": "銀行窗口", "视频": "視訊", "诈骗类型": "詐騙類型",
              "转账": "轉帳", "身份证": "身分證", "产品质量": "產品品質", "人民群众": "人民民眾", "正规渠道": "正規管道"},
}


@pytest.mark.parametrize("opencc", ["s2t", "s2hk", "s2twp"])
def test_words_every_region_reads_the_same(opencc):
    for simplified, expected in EVERY_REGION.items():
        assert to_hant(simplified, HantSpec(opencc=opencc)) == expected, simplified


@pytest.mark.parametrize("opencc", sorted(PER_REGION))
def test_each_region_gets_its_own_words(opencc):
    wrong = {s: to_hant(s, HantSpec(opencc=opencc)) for s, t in PER_REGION[opencc].items()
             if to_hant(s, HantSpec(opencc=opencc)) != t}
    assert wrong == {}


def test_a_quoted_mainland_document_keeps_its_words():
    text = "《关于办理电信网络诈骗等刑事案件适用法律若干问题的意见》明确，“利用电信网络技术手段实施诈骗，诈骗公私财物价值三千元以上的”。发送信息"
    for opencc in ("s2hk", "s2twp"):
        converted = to_hant(text, HantSpec(opencc=opencc, renminbi=True))
        assert "“利用電信網絡技術手段實施詐騙，詐騙公私財物價值三千元以上的”" in converted, converted
        assert "網路" not in converted and "人民幣" not in converted


def test_a_statute_keeps_its_words_in_hong_kong_too():
    paragraph = "没有违法所得或者违法所得不足二万元的，处二十万元以下罚款；不得发送信息。"
    converted = to_hant(paragraph, HantSpec(opencc="s2hk", renminbi=True, quotations=(paragraph,)))
    assert converted == "沒有違法所得或者違法所得不足二萬元的，處二十萬元以下罰款；不得發送信息。"


def test_mainland_amounts_say_renminbi_once_per_range():
    assert mark_renminbi("每张500元，共3万元") == "每张人民币500元，共人民币3万元"
    assert mark_renminbi("三千元至一万元") == "人民币三千元至一万元"
    assert mark_renminbi("500港元，人民币20元，元旦，单元") == "500港元，人民币20元，元旦，单元"


def test_a_hong_kong_build_marks_amounts_and_uses_local_words(fixture_project):
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    toml = regional_qr(re.sub(r"\[\[project\.hotlines\]\]\n[^\[]*", "", toml), "hk").replace('locale = "zh-Hans"', 'region = "hk"')
    (fixture_project / "outreach.toml").write_text(toml, encoding="utf-8")
    edit(fixture_project / "content/scenarios/fake-loan.yaml", "summary: ", "summary: 先交500元手续费，看视频教程，")
    assert build_project(fixture_project, only=("texts",)).ok
    text = (fixture_project / "build/zh-Hant/texts/fake-loan.txt").read_text(encoding="utf-8")
    assert "人民幣500元" in text and "視像教程" in text and "視頻" not in text
