"""The starter's Hong Kong, Macau and Taiwan editions print no Mainland-only contact or law, and a
leftover is an error that names where to rewrite it (issue 28, item 8: "done means")."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import build_project, check, copy_starter, edit, pdf_text, regional_qr

from outreach.checks.textscan import prose_strings
from outreach.project.loader import load_library

STARTER_HOTLINES = re.compile(r"\[\[project\.hotlines\]\]\n[^\[]*")
REGIONS = ("hk", "mo", "tw")

# Mainland-only channels and law, in Simplified and in each region's Traditional forms.
MAINLAND = re.compile("|".join((
    r"96110", r"12381", r"12321",
    r"国家反诈中心", r"國家反詐中心",
    r"gov\.cn", r"mps\.gov", r"cyberpolice",
    r"反电信网络诈骗法", r"反電信網絡詐騙法", r"反電信網路詐騙法",
    r"刑法第二百", r"帮信罪", r"幫信罪", r"帮助信息网络犯罪活动罪", r"幫助信息網絡犯罪活動罪",
)))
ITEM_ID = re.compile(r"[a-z0-9-]+")   # a reference such as tips: [answer-96110] is no text
# 110 is Taiwan's own police number; in Hong Kong and Macau it is nobody's.
PHONE_110 = re.compile(r"(?<![\d.])110(?![\d.%])")
# Tips whose PDFs are built for every region: one rewritten, one with the region's own tool, and the
# newsletter's Hong Kong tip (Macau and Taiwan leave it out).
PDF_TIPS = ("after-being-scammed", "anti-fraud-app", "answer-96110")


def _regional(root: Path, region: str) -> Path:
    toml = regional_qr((root / "outreach.toml").read_text(encoding="utf-8"), region)
    (root / "outreach.toml").write_text(STARTER_HOTLINES.sub("", toml).replace('locale = "zh-Hans"', f'region = "{region}"'),
                                        encoding="utf-8")
    return root


@pytest.fixture(params=REGIONS)
def starter_region(request, tmp_path: Path) -> tuple[str, Path]:
    return request.param, _regional(copy_starter(tmp_path / request.param), request.param)


def _leftovers(text: str, region: str) -> list[str]:
    found = [m.group() for m in MAINLAND.finditer(text)]
    if region != "tw":
        found += [text[max(m.start() - 8, 0):m.end() + 4] for m in PHONE_110.finditer(text)]
    return found


def test_the_starter_checks_clean_in_every_region(starter_region):
    region, root = starter_region
    diagnostics = check(root)
    assert not [d.format() for d in diagnostics if d.is_error or d.code.startswith("region-")]


def test_every_item_as_the_region_reads_it_is_local(starter_region):
    """Every content item's text in the region's edition (laws are quoted, not content)."""
    region, root = starter_region
    library, diagnostics = load_library(root)
    assert library is not None and not diagnostics.has_errors()
    leftovers = {}
    for item in library.all_items():
        if item.kind == "laws":
            continue
        assert not (getattr(item.model, "laws", None) or []), f"{item.path} cites Mainland law in {region}"
        found = [word for _, text in prose_strings(item.raw) if not ITEM_ID.fullmatch(text) for word in _leftovers(text, region)]
        if found:
            leftovers[item.path] = found
    assert not leftovers
    # Omitted items leave their packs, which keep something to print.
    kinds = {"poster": "scenarios", "tip": "tips", "quiz": "quizzes", "script": "scripts"}
    for pack in library.kind("packs").values():
        refs = [next(iter(entry.model_dump(exclude_none=True).items())) for entry in pack.model.items]
        kept = [(key, ref) for key, ref in refs if library.get(kinds[key], ref) is not None]
        assert len(kept) >= 5 and {key for key, _ in kept} >= {"poster", "tip", "quiz", "script"}, (pack.path, kept)


def test_the_built_texts_and_tips_are_local(starter_region):
    region, root = starter_region
    for tip in (root / "content/tips").glob("*.yaml"):
        if tip.stem not in PDF_TIPS:
            tip.unlink()
    shutil.rmtree(root / "content/packs")
    result = build_project(root, only=("texts", "tips"))
    assert result.ok, (result.failures, [d.format() for d in result.diagnostics if d.is_error])
    out = root / "build/zh-Hant"
    texts = {p: p.read_text(encoding="utf-8") for p in sorted((out / "texts").iterdir())}
    texts[out / "feed.json"] = (out / "feed.json").read_text(encoding="utf-8")
    assert len(texts) > 40
    for tip in PDF_TIPS:
        pdf = out / f"tips/{tip}.pdf"
        assert pdf.exists() == (region == "hk" or tip != "answer-96110"), pdf
        if pdf.exists():
            texts[pdf] = re.sub(r"\s+", "", pdf_text(pdf))
    leftovers = {path.name: _leftovers(text, region) for path, text in texts.items() if _leftovers(text, region)}
    assert not leftovers
    newsletter = texts[out / "texts/newsletter-2026-11-20.md"]
    assert ("#ADCC18222" in newsletter) == (region == "hk")   # the SMS tip is Hong Kong's only
    local = {"hk": "18222", "mo": "8800 7777", "tw": "165"}[region]
    assert local.replace(" ", "") in texts[out / "tips/after-being-scammed.pdf"]


def test_a_mainland_number_added_to_a_scenario_fails_the_region_build(tmp_path):
    root = _regional(copy_starter(tmp_path / "hk"), "hk")
    scenario = root / "content/scenarios/romance-scam.yaml"
    edit(scenario, "  - 网上恋爱没见过面，一谈钱就要警惕\n", "  - 网上恋爱没见过面，一谈钱就要警惕，拿不准拨打96110\n")
    diagnostics = [d for d in check(root) if d.is_error]
    assert [d.code for d in diagnostics] == ["region-mainland-contact"]
    found = diagnostics[0]
    line = scenario.read_text(encoding="utf-8").splitlines()[found.line - 1]
    assert found.file == "content/scenarios/romance-scam.yaml" and line[found.column - 1:].startswith("96110")
    assert "regions.hk" in found.message and "“advice”" in found.message and "18222" in found.message
    result = build_project(root, only=("texts",))
    assert not result.ok
    assert any(d.code == "region-mainland-contact" and d.line == found.line for d in result.diagnostics)


def test_a_mainland_law_named_in_prose_fails_the_region_check(tmp_path):
    root = _regional(copy_starter(tmp_path / "mo"), "mo")
    tip = root / "content/tips/no-safe-account.yaml"
    tip.write_text(tip.read_text(encoding="utf-8").replace("接到这类电话，立即挂断，拨打防诈骗查询热线8800 7777查询。",
                                                            "依照反电信网络诈骗法，接到这类电话立即挂断。"), encoding="utf-8")
    found = [d for d in check(root) if d.is_error]
    assert [d.code for d in found] == ["region-mainland-law"]
    assert "regions.mo" in found[0].message and "“body”" in found[0].message


def test_a_mainland_site_in_content_is_a_leftover(tmp_path):
    root = _regional(copy_starter(tmp_path / "tw"), "tw")
    edit(root / "content/scenarios/fake-shopping.yaml", "  - 网购只在正规平台下单付款，不私下转账\n",
         "  - 网购只在正规平台下单付款，不私下转账，详见 https://www.mps.gov.cn/\n")
    found = [d for d in check(root) if d.is_error]
    assert [d.code for d in found] == ["region-mainland-contact"] and "mps.gov.cn" in found[0].message


def test_a_number_kept_for_visitors_is_the_projects_choice(tmp_path):
    """`outside_region = true` keeps a Mainland number on purpose, in the content too."""
    root = _regional(copy_starter(tmp_path / "hk"), "hk")
    with (root / "outreach.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[[project.hotlines]]\nnumber = "18222"\nlabel = "防骗易24小时咨询热线"\n'
                   '\n[[project.hotlines]]\nnumber = "110"\nlabel = "内地报警电话"\noutside_region = true\n')
    edit(root / "content/scenarios/romance-scam.yaml", "  - 网上恋爱没见过面，一谈钱就要警惕\n",
         "  - 网上恋爱没见过面，一谈钱就要警惕，在内地被骗请拨打110报警\n")
    assert not [d.format() for d in check(root) if d.is_error]
