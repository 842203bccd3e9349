"""Traditional Chinese that reads right, and region profiles (hotlines, app line, quotes, checks)."""

from __future__ import annotations

import re

import pytest
from conftest import build_project, check, edit, located, pdf_text, write
from regionfixture import without_regions

from outreach.project.config import load_config
from outreach.project.phones import canonical, grouped
from outreach.rendering.localize import HantSpec, project_spec, to_hant, to_locale

# (Simplified, s2t, s2hk, s2twp): phrases OpenCC alone gets wrong in this material.
TRICKY = [
    ("转账2400元后，对方又", "轉賬2400元後，對方又", "轉賬2400元後，對方又", "轉帳2400元後，對方又"),
    ("3天后到账", "3天後到賬", "3天後到賬", "3天後到賬"),
    ("半小时后", "半小時後", "半小時後", "半小時後"),
    ("个体户急需周转", "個體戶急需周轉", "個體户急需周轉", "個體戶急需周轉"),
    ("卡里6万元被转走", "卡裡6萬元被轉走", "卡裏6萬元被轉走", "卡裡6萬元被轉走"),
    ("拨打110报警并联系银行", "撥打110報警並聯繫銀行", "撥打110報警並聯繫銀行", "撥打110報警並聯絡銀行"),
    ("关联系统", "關聯系統", "關聯系統", "關聯系統"),
    ("对方打来视频电话", "對方打來視頻電話", "對方打來視像電話", "對方打來視訊電話"),
    ("校园宣传周", "校園宣傳週", "校園宣傳週", "校園宣傳週"),
    ("以后然后后台", "以後然後後臺", "以後然後後台", "以後然後後臺"),
]


@pytest.mark.parametrize("simplified, s2t, s2hk, s2twp", TRICKY)
def test_tricky_phrases(simplified, s2t, s2hk, s2twp):
    for config, expected in (("s2t", s2t), ("s2hk", s2hk), ("s2twp", s2twp)):
        assert to_hant(simplified, HantSpec(opencc=config)) == expected, config


def test_simplified_output_is_untouched():
    assert to_locale("转账2400元后", "zh-Hans", HantSpec(opencc="s2twp")) == "转账2400元后"


def test_proper_names_keep_their_words_under_regional_vocabulary():
    spec = HantSpec(opencc="s2twp", protected=("中华人民共和国反电信网络诈骗法", "反电信网络诈骗法"))
    text = "依据反电信网络诈骗法和《刑法》，涉嫌帮助信息网络犯罪活动罪；下载“国家反诈中心”App。不要在网络上泄露个人信息。"
    converted = to_hant(text, spec)
    assert "反電信網絡詐騙法" in converted and "幫助信息網絡犯罪活動罪" in converted
    assert "「國家反詐中心」" not in converted and "“國家反詐中心”" in converted
    # Everything that is not a name still gets Taiwan vocabulary.
    assert "網路上洩露個人資訊" in converted
    # A title in 《》 is a name even when the library does not know it.
    assert to_hant("《中华人民共和国网络安全法》", HantSpec(opencc="s2twp")) == "《中華人民共和國網絡安全法》"


def test_quoted_law_text_keeps_the_statutes_words():
    paragraph = "明知他人利用信息网络实施犯罪，为其犯罪提供互联网接入、服务器托管、网络存储、通讯传输等技术支持。"
    spec = HantSpec(opencc="s2twp", quotations=(paragraph,))
    assert "利用信息網絡實施犯罪" in to_hant(f"<p>{paragraph}</p>", spec)
    # A fragment quoted in “” is a quotation too; the same words unquoted are prose.
    assert "“明知他人利用信息網絡實施犯罪”" in to_hant("法律说的是“明知他人利用信息网络实施犯罪”。", spec)
    assert "資訊網路" in to_hant("不要在信息网络上乱说。", spec)


def test_corner_quotes_only_where_the_region_uses_them():
    text = "所谓“安全账户”和‘资金清查’"
    assert to_hant(text, HantSpec(opencc="s2hk", corner_quotes=True)) == "所謂「安全賬户」和『資金清查』"
    assert to_hant(text, HantSpec(opencc="s2t")) == "所謂“安全賬戶”和‘資金清查’"


def _config(tmp_path, body: str):
    write(tmp_path, "outreach.toml", '[project]\nname = "测试"\norganisation = "示例分局"\n'
                                     'sms_signature = "【示例派出所】"\n' + body)
    config, problems = load_config(tmp_path)
    assert config is not None, [p.format() for p in problems]
    return config


def test_region_profiles_fill_in_what_is_not_set(tmp_path):
    mainland = _config(tmp_path, "")
    assert mainland.project.locale == "zh-Hans" and [h.dial for h in mainland.project.hotlines] == ["110", "96110"]
    assert mainland.project.app_prompt == "下载“国家反诈中心”App，开启来电预警"
    hk = _config(tmp_path, 'region = "hk"\n')
    assert (hk.project.locale, hk.project.opencc) == ("zh-Hant", "s2hk")
    assert [(h.display, h.label) for h in hk.project.hotlines] == [("999", "紧急求助"), ("18222", "防骗易24小时咨询热线")]
    assert "防骗视伏App" in hk.project.app_prompt and project_spec(hk).corner_quotes
    mo = _config(tmp_path, 'region = "mo"\n')
    assert [h.display for h in mo.project.hotlines] == ["999", "8800 7777", "993"]
    tw = _config(tmp_path, 'region = "tw"\n')
    assert tw.project.opencc == "s2twp" and [h.dial for h in tw.project.hotlines] == ["110", "165"]
    # What the user sets wins over the profile.
    mine = _config(tmp_path, 'region = "tw"\nopencc = "s2tw"\napp_line = "关注本所公众号。"\n'
                             '[[project.hotlines]]\nnumber = "165"\nlabel = "反诈骗咨询专线"\n'
                             '[hant]\nquotes = "curly"\n')
    assert mine.project.opencc == "s2tw" and [h.dial for h in mine.project.hotlines] == ["165"]
    assert mine.project.app_prompt == "关注本所公众号" and not project_spec(mine).corner_quotes


def test_project_phrases_and_protected_terms(tmp_path):
    config = _config(tmp_path, 'locale = "zh-Hant"\nopencc = "s2twp"\n'
                               '[hant]\nphrases = { "里程" = "里程", "打印" = "打印" }\nprotected_terms = ["网络安全宣传周"]\n')
    spec = project_spec(config)
    assert to_hant("打印海报", spec) == "打印海報"                       # s2twp alone: 列印
    assert to_hant("网络安全宣传周来了", spec) == "網絡安全宣傳週來了"  # s2twp alone: 網路
    assert "示例分局" in spec.protected and "国家反诈中心" in spec.protected


def test_bad_hant_settings_are_located(tmp_path):
    write(tmp_path, "outreach.toml", '[project]\nname = "测试"\norganisation = "示例分局"\n'
                                     'sms_signature = "【示例派出所】"\nregion = "sg"\n[hant]\nphrases = { "打印" = "" }\n')
    config, problems = load_config(tmp_path)
    assert config is None
    found = {(p.line, p.code) for p in problems}
    assert any(line == 5 for line, _ in found) and any(line == 7 for line, _ in found), [p.format() for p in problems]


def test_local_numbers_of_hong_kong_and_macau():
    assert canonical("8800 7777") == "88007777" and grouped("88007777") == "8800 7777"
    assert canonical("18222") == "18222" and canonical("1234567") is None


# --- a built project --------------------------------------------------------------------

@pytest.mark.slow
def test_region_build_prints_the_regions_contacts(fixture_project):
    edit(fixture_project / "outreach.toml", 'locale = "zh-Hans"', 'region = "hk"')
    edit(fixture_project / "outreach.toml", "www.mps.gov.cn", "www.adcc.gov.hk")
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    (fixture_project / "outreach.toml").write_text(re.sub(r"\[\[project\.hotlines\]\]\n[^\[]*", "", toml), encoding="utf-8")
    result = build_project(fixture_project, only=("posters", "texts"))
    assert result.ok, result.failures
    out = fixture_project / "build/zh-Hant"
    poster = re.sub(r"\s+", "", pdf_text(out / "posters/fake-loan.pdf"))
    assert "999" in poster and "18222" in poster and "防騙易24小時諮詢熱線" in poster
    assert "「防騙視伏App」" in poster and "96110" not in poster
    text = (out / "texts/fake-loan.txt").read_text(encoding="utf-8")
    assert text.rstrip().endswith("示例市公安局示例分局")
    assert "防騙易24小時諮詢熱線：18222" in text and "用「防騙視伏App」查一查可疑電話和網址。" in text
    assert "“" not in text and "「" in text


def test_region_check_refuses_mainland_law_and_contacts(fixture_project):
    edit(fixture_project / "outreach.toml", 'locale = "zh-Hans"', 'region = "mo"')
    edit(fixture_project / "outreach.toml", "www.mps.gov.cn", "www.pj.gov.mo")
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    (fixture_project / "outreach.toml").write_text(re.sub(r"\[\[project\.hotlines\]\]\n[^\[]*", "", toml), encoding="utf-8")
    for relpath in ("content/tips/answer-96110.yaml", "content/scenarios/fake-loan.yaml"):
        without_regions(fixture_project / relpath)   # the Mainland text, as a region edition would print it
    diagnostics = check(fixture_project)
    # Leftovers misinform: errors, for the build too, and nothing else is wrong.
    assert {d.code for d in diagnostics if d.is_error} == {"region-mainland-contact", "region-mainland-law"}
    assert not build_project(fixture_project, only=("texts",)).ok
    codes = {(d.file, d.code) for d in diagnostics}
    assert ("content/tips/answer-96110.yaml", "region-mainland-contact") in codes
    assert ("content/scenarios/fake-loan.yaml", "region-mainland-law") in codes
    message = next(d.message for d in diagnostics if d.code == "region-mainland-contact")
    assert "澳门" in message and "8800 7777" in message
    # One error per field (the place a region's edition rewrites), naming its exact words.
    per_field = [(d.file, d.line, d.code) for d in diagnostics if d.code.startswith("region-")]
    assert len(per_field) == len(set(per_field))
    assert "regions.mo" in message and re.search(r"这里的(“[^”]+”)+是内地", message)
    first = located(diagnostics, "content/tips/answer-96110.yaml")
    assert first and all(line > 0 and column > 0 for line, column, _ in first)


def test_mainland_projects_get_no_region_warnings(fixture_project):
    assert not [d for d in check(fixture_project) if d.code.startswith("region-")]


def test_conversion_settings_rebuild_traditional_outputs(fixture_project):
    edit(fixture_project / "outreach.toml", 'locale = "zh-Hans"', 'locale = "zh-Hant"')
    assert build_project(fixture_project, only=("texts",)).ok
    before = (fixture_project / "build/zh-Hant/texts/fake-loan.txt").read_text(encoding="utf-8")
    assert "詐騙" in before
    with (fixture_project / "outreach.toml").open("a", encoding="utf-8") as config:
        config.write('\n[hant]\nphrases = { "诈骗" = "詐欺" }\n')
    assert build_project(fixture_project, only=("texts",)).ok
    after = (fixture_project / "build/zh-Hant/texts/fake-loan.txt").read_text(encoding="utf-8")
    assert "詐欺" in after and after.count("詐欺") == before.count("詐騙")


def test_poster_kicker_follows_the_scenario(fixture_project):
    scenario = fixture_project / "content/scenarios/fake-loan.yaml"
    edit(scenario, "category: 虚假网贷", "category: 养老诈骗")
    police = fixture_project / "content/scenarios/impersonating-police.yaml"
    edit(police, "category: 冒充公检法", "category: 冒充公检法\nkicker: 接到“公检法”来电要当心")
    assert build_project(fixture_project, only=("posters",)).ok
    posters = fixture_project / "build/posters"
    assert "防范养老诈骗" in pdf_text(posters / "fake-loan.pdf")
    assert "防范电信网络诈骗" not in pdf_text(posters / "fake-loan.pdf")
    assert "接到“公检法”来电要当心" in pdf_text(posters / "impersonating-police.pdf")
    assert "防范电信网络诈骗" in pdf_text(posters / "fake-customer-service.pdf")


@pytest.mark.slow
def test_a_traditional_project_previews_and_posts(mini_project, monkeypatch):
    from outreach.preview.server import PreviewServer
    from outreach.publish.sender import post

    edit(mini_project / "outreach.toml", 'locale = "zh-Hans"', 'locale = "zh-Hant"')
    with open(mini_project / "outreach.toml", "a", encoding="utf-8") as config:
        config.write('\n[channels.group]\ntype = "wecom"\nurl_env = "TEST_BOT_URL"\nformat = "markdown"\n')
    server = PreviewServer(mini_project, 0)
    try:
        server.rebuild()
        page = server.index_page()
    finally:
        server.shutdown()
    assert (mini_project / "build/zh-Hant/posters/fake-loan.png").exists()
    assert 'src="/zh-Hant/posters/fake-loan.png' in page and "（未生成）" not in page
    assert 'href="/zh-Hant/texts/fake-loan.txt"' in page and "詐騙" in page   # the SMS column shows the Traditional text

    monkeypatch.setenv("TEST_BOT_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef0123456789")
    config, _ = load_config(mini_project)
    lines = []
    post(mini_project, mini_project / "build", config, "group", None, [], True, lines.append)
    assert "演练模式：共 2 条" in lines[-1] and any("虛假網絡貸款詐騙" in line for line in lines)
