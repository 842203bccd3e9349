"""The editor as a police officer who has never seen YAML uses it, in real headless Chromium:
an unfinished new item blocks nothing, unsaved edits are never lost silently, every save is
followed by what the rebuild made of it, messages use the form's words, history says who
changed what, station outputs are a setting, and the editor passes axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import json
import re
import shutil
import tomllib

import pytest
from conftest import MINI_PROJECT
from editorserver import serving
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


STATIONS = ("id,name,address,phone,officer,officer_title,officer_phone,wechat_qr_url\n"
            "north,示例北山派出所（虚构）,示例省示例市示例区示例街道示例路一百二十三号院,0000-1234567,欧阳警官（虚构）,社区民警,0000-7654321,\n")
JARGON = re.compile(r"[a-z]+_[a-z_]+|outreach\.toml|\[[a-z]+\]|第 \d+ 行|\b(single|multiple|truefalse|yaml)\b")


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    root = tmp_path_factory.mktemp("workflow") / "mini"
    shutil.copytree(MINI_PROJECT, root)
    (root / "templates").mkdir()
    (root / "content/stations.csv").write_text(STATIONS, encoding="utf-8")
    with serving(root) as server:
        yield server


def open_page(browser, editor, item_id: str = ""):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(editor.url + "edit/")
    if item_id:
        page.locator(f'.entry[data-id="{item_id}"]').click()
        page.wait_for_selector("#preview h2", timeout=60_000)
    return page, errors


def test_a_new_item_is_named_from_its_title_and_blocks_nothing(browser, editor):
    page, errors = open_page(browser, editor)
    page.get_by_role("button", name="新建诈骗类型").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("标题").fill("冒充快递理赔")
    expect(dialog.get_by_label("文件名（编号）")).to_have_value("mao-chong-kuai-di-li-pei", timeout=10_000)
    dialog.get_by_role("button", name="新建").click()
    expect(page.locator("#item-title")).to_contain_text("冒充快递理赔", timeout=30_000)
    created = editor.root / "content/scenarios/mao-chong-kuai-di-li-pei.yaml"
    assert "title: 冒充快递理赔" in created.read_text(encoding="utf-8")
    # The new item is unfinished (its placeholders are errors); another item still saves and rebuilds.
    page.locator('.entry[data-id="card-renting"]').click()
    page.wait_for_selector("#preview h2", timeout=60_000)
    poster = editor.root / "build/posters/card-renting.png"
    before = poster.read_bytes()
    page.locator('[data-path="quote"] input').fill("银行卡只能自己用，出租出借要担责")
    page.get_by_role("button", name="保存", exact=True).click()
    report = page.locator("#result .build-report")
    expect(report).to_contain_text("已重新生成这一项", timeout=90_000)
    expect(report).to_contain_text("另有 1 项内容有错误")
    expect(report).to_contain_text("诈骗类型 mao-chong-kuai-di-li-pei")
    assert poster.read_bytes() != before
    # The preview page says what was left out, and why.
    page.goto(editor.url)
    expect(page.locator("#skipped")).to_contain_text("mao-chong-kuai-di-li-pei")
    assert errors == []
    page.close()
    created.unlink()


def test_unsaved_edits_are_not_lost_by_leaving_or_reloading(browser, editor):
    page, errors = open_page(browser, editor, "fake-loan")
    title = page.locator('[data-path="title"] input')
    title.click()   # typed for real: the browser asks before unloading only after a user's own input
    title.press("Control+A")
    page.keyboard.type("改了但还没保存")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    # A reload asks the browser's own question; answering "stay" keeps the typed text.
    with pytest.raises(PlaywrightTimeout):
        page.reload(timeout=5_000)
    assert dialogs == ["beforeunload"]
    assert title.input_value() == "改了但还没保存"
    # Choosing another item asks too; "保存后离开" saves first.
    page.locator('.entry[data-id="card-renting"]').click()
    page.get_by_role("dialog").get_by_role("button", name="保存后离开").click()
    expect(page.locator("#item-title")).to_contain_text("出租出借", timeout=30_000)
    assert "title: 改了但还没保存" in (editor.root / "content/scenarios/fake-loan.yaml").read_text(encoding="utf-8")
    assert errors == []
    page.close()


def test_messages_use_the_forms_words(browser, editor):
    scenario = "content/scenarios/fake-loan.yaml"
    values = editor.item("scenarios", "fake-loan")["values"]
    problems = []
    for changed in ({"status": "已审核"}, {"sms": "请注意防范电信网络诈骗" * 15}, {"review_by": "2020-01-01"}):
        status, answer = editor.post("edit/api/check", {"kind": "scenarios", "id": "fake-loan", "values": values | changed})
        assert status == 200 and answer["problems"], (changed, answer)
        problems += answer["problems"]
        if "sms" in changed:
            assert answer["sms"]["ok"] is False and answer["sms"]["field"] == ["sms"]
    for problem in problems:
        assert not JARGON.search(problem["message"]), problem["message"]
    assert any("审核人" in p["message"] for p in problems)
    page, errors = open_page(browser, editor, "fake-loan")
    page.locator('[data-path="summary"] textarea, [data-path="summary"] input').first.fill("")
    page.locator("#problems li").first.wait_for(timeout=30_000)
    listed = page.inner_text("#problems")
    assert "【一句话概述】" in listed or "概述" in listed, listed
    assert not JARGON.search(listed), listed
    assert errors == []
    page.close()
    assert (editor.root / scenario).is_file()


def test_history_says_who_changed_what_and_restore_reports(browser, editor):
    scenario = editor.root / "content/scenarios/card-renting.yaml"
    original = scenario.read_text(encoding="utf-8")
    page, errors = open_page(browser, editor)
    page.locator("#author").fill("李警官")
    page.locator("#author").dispatch_event("change")
    page.locator('.entry[data-id="card-renting"]').click()
    page.wait_for_selector("#preview h2", timeout=60_000)
    title_before = page.locator('[data-path="title"] input').input_value()
    page.locator('[data-path="title"] input').fill("出租出借银行卡新标题")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator('.entry[data-id="card-renting"]')).to_contain_text("出租出借银行卡新标题", timeout=30_000)
    page.get_by_role("button", name="历史版本").click()
    newest = page.locator(".versions-list > li").first
    expect(newest).to_contain_text("李警官")
    expect(newest).to_contain_text(f"标题：“{title_before}” → “出租出借银行卡新标题”")
    newest.get_by_role("button", name="恢复到改动前").click()
    expect(page.locator("#status")).to_contain_text("已恢复到", timeout=30_000)
    # The list follows the restored title; the rebuild's result follows the restore.
    expect(page.locator('.entry[data-id="card-renting"]')).to_contain_text(title_before, timeout=30_000)
    expect(page.locator("#result .build-report")).to_contain_text("已恢复到", timeout=90_000)
    assert scenario.read_text(encoding="utf-8") == original
    assert errors == []
    page.close()


def test_station_outputs_are_a_setting_and_the_table_is_readable(browser, editor):
    page, errors = open_page(browser, editor)
    page.locator('.entry[data-id="stations"]').click()
    expect(page.locator("#preview")).to_contain_text("现在没有开启")
    address = page.locator('#station-table input[aria-label="第 2 行 address"], #station-table tr[data-row="2"] td:nth-child(4) input').first
    # Long names and addresses are readable in their cells, not cut to a few characters.
    assert address.evaluate("e => e.scrollWidth <= e.clientWidth + 2"), address.input_value()
    page.locator('.entry[data-kind="settings"]').click()
    box = page.get_by_label("为每个派出所生成资料包和警民联系卡")
    box.check()
    page.get_by_role("button", name="保存设置").click()
    expect(page.locator("#result .build-report")).to_contain_text("已重新生成", timeout=120_000)
    config = tomllib.loads((editor.root / "outreach.toml").read_text(encoding="utf-8"))
    assert config["stations"]["enabled"] is True
    manifest = json.loads((editor.root / "build/manifest.json").read_text(encoding="utf-8"))
    assert any(entry["path"].startswith("stations/north/") for entry in manifest["outputs"])
    page.goto(editor.url)
    expect(page.locator('section[data-kind="stations"]')).to_contain_text("警民联系卡")
    assert errors == []
    page.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_editor_passes_axe_and_works_with_the_keyboard(browser, editor):
    page, errors = open_page(browser, editor)
    page.locator("#kinds .entry").first.wait_for()
    found = axe_violations(page)
    page.locator('.entry[data-id="fake-loan"]').click()
    page.wait_for_selector("#preview figure", timeout=60_000)
    found += axe_violations(page)
    page.get_by_role("button", name="历史版本").click()
    page.get_by_role("dialog").wait_for()
    found += axe_violations(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="新建诈骗类型").click()
    found += axe_violations(page)
    page.keyboard.press("Escape")
    page.locator('.entry[data-kind="settings"]').click()
    page.locator("#item-form").wait_for()
    found += axe_violations(page)
    page.locator('.entry[data-id="stations"]').click()
    page.locator("#station-table").wait_for()
    found += axe_violations(page)
    assert not found, "\n".join(found)

    # Keyboard only: search, open an item, change it, save.
    page.goto(editor.url + "edit/")
    page.locator("#kinds .entry").first.wait_for()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search":
            break
    page.keyboard.type("card")
    page.keyboard.press("Tab")
    focused = lambda: page.evaluate("document.activeElement.dataset.id || document.activeElement.dataset.kind || ''")  # noqa: E731
    for _ in range(10):
        if focused() == "card-renting":
            break
        page.keyboard.press("Tab")
    assert focused() == "card-renting"
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview h2", timeout=60_000)
    page.locator('[data-path="quote"] input').focus()
    page.keyboard.press("End")
    page.keyboard.type("！")
    page.locator("#save").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("已保存", timeout=30_000)
    assert "！" in (editor.root / "content/scenarios/card-renting.yaml").read_text(encoding="utf-8")
    assert errors == []
    page.close()
