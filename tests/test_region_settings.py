"""A region edition prints that region's numbers: explicit hotlines of another region are
refused unless marked, suspicions go to the advice line, and Simplified output for a
Traditional-reading region is pointed out (issue 28, items 7, 9, 12)."""

from __future__ import annotations

import re

from conftest import build_project, check, edit, regional_qr
from regionfixture import without_regions

from outreach.project.config import load_config

STARTER_HOTLINES = re.compile(r"\[\[project\.hotlines\]\]\n[^\[]*")


def _errors(diagnostics) -> list:
    return [d for d in diagnostics if d.is_error]


def test_a_hong_kong_edition_refuses_the_mainland_hotlines_it_inherited(fixture_project):
    edit(fixture_project / "outreach.toml", 'locale = "zh-Hans"', 'region = "hk"')
    edit(fixture_project / "outreach.toml", "www.mps.gov.cn", "www.adcc.gov.hk")
    config, diagnostics = load_config(fixture_project)
    assert config is None
    found = [(d.code, d.line) for d in diagnostics]
    lines = (fixture_project / "outreach.toml").read_text(encoding="utf-8").splitlines()
    assert found and all(code == "region-hotline" for code, _ in found)
    assert sorted(lines[line - 1].split("=")[1].strip().strip('"') for _, line in found) == ["110", "96110"]
    message = diagnostics[0].message
    assert "香港" in message and "999、18222" in message and "outside_region = true" in message
    assert not build_project(fixture_project, only=("texts",)).ok


def test_a_hotline_marked_for_visitors_from_elsewhere_is_kept(fixture_project):
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    toml = STARTER_HOTLINES.sub("", regional_qr(toml, "hk")).replace('locale = "zh-Hans"', 'region = "hk"')
    toml += ('\n[[project.hotlines]]\nnumber = "18222"\nlabel = "防骗易24小时咨询热线"\n'
             '\n[[project.hotlines]]\nnumber = "110"\nlabel = "内地报警电话"\noutside_region = true\n')
    (fixture_project / "outreach.toml").write_text(toml, encoding="utf-8")
    without_regions(fixture_project / "content/tips/answer-96110.yaml")   # Mainland text: 96110, 12381
    diagnostics = check(fixture_project)
    assert {d.code for d in _errors(diagnostics)} == {"region-mainland-contact", "region-mainland-law"}
    advice = next(d.message for d in diagnostics if d.code == "region-mainland-contact")
    assert "（18222）" in advice   # the visitors' 110 is never recommended to local readers
    assert "96110" in advice and not any("“110”" in d.message for d in diagnostics)   # 110 is kept on purpose


def test_suspicions_go_to_the_advice_line_and_999_only_for_emergencies(fixture_project):
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    (fixture_project / "outreach.toml").write_text(STARTER_HOTLINES.sub("", regional_qr(toml, "hk")).replace('locale = "zh-Hans"', 'region = "hk"'),
                                                   encoding="utf-8")
    assert build_project(fixture_project, only=("texts",)).ok
    sms = (fixture_project / "build/zh-Hant/texts/fake-loan.sms.txt").read_text(encoding="utf-8")
    assert "遇到可疑情況請撥打18222，緊急情況請撥打999。" in sms
    assert "96110" not in sms and "撥打999或" not in sms


def test_macau_asks_its_enquiry_and_report_lines_first(tmp_path):
    (tmp_path / "outreach.toml").write_text('[project]\nname = "澳门"\norganisation = "示例"\nsms_signature = "【示例】"\n'
                                            'region = "mo"\n', encoding="utf-8")
    config, _ = load_config(tmp_path)
    assert config and config.project.call_advice == "遇到可疑情况请拨打8800 7777或993，紧急情况请拨打999"


def test_the_mainland_sentence_is_unchanged(fixture_project):
    config, _ = load_config(fixture_project)
    assert config and config.project.call_advice == "遇到可疑情况请拨打110或96110"


def test_simplified_output_for_a_traditional_reading_region_is_pointed_out(fixture_project):
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    (fixture_project / "outreach.toml").write_text(
        STARTER_HOTLINES.sub("", regional_qr(toml, "tw")).replace('locale = "zh-Hans"', 'region = "tw"\nlocale = "zh-Hans"'), encoding="utf-8")
    config, diagnostics = load_config(fixture_project)
    assert config is not None
    warned = [d for d in diagnostics if d.code == "region-locale"]
    assert len(warned) == 1 and "台湾" in warned[0].message and "繁体" in warned[0].message and warned[0].line > 0


def test_a_region_edition_refuses_a_qr_code_to_a_mainland_site(fixture_project):
    toml = (fixture_project / "outreach.toml").read_text(encoding="utf-8")
    toml = STARTER_HOTLINES.sub("", toml).replace('locale = "zh-Hans"', 'region = "hk"')
    assert 'qr_url = "https://www.mps.gov.cn/"' in toml   # as the starter ships it
    (fixture_project / "outreach.toml").write_text(toml, encoding="utf-8")
    config, diagnostics = load_config(fixture_project)
    assert config is None
    found = [d for d in diagnostics if d.code == "region-site"]
    line = (fixture_project / "outreach.toml").read_text(encoding="utf-8").splitlines()[found[0].line - 1]
    assert line.startswith("qr_url") and "https://www.adcc.gov.hk/" in found[0].message
    (fixture_project / "outreach.toml").write_text(toml.replace("https://www.mps.gov.cn/", "https://www.adcc.gov.hk/"),
                                                   encoding="utf-8")
    assert load_config(fixture_project)[0] is not None
