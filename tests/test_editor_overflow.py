"""Issue 25 item 18: in the editor, an overflowing poster (or tip) is shown taller with what
does not fit marked and an estimate of what to cut; an SMS over its parts is blamed on the
field it comes from, with a counter of characters used / allowed.

Function-level tests call the editor's own check and preview (`check_values`, `Previewer`) on
a copy of the small fixture project; the HTTP tests drive a real `outreach serve`.
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import MINI_PROJECT, build_project
from editorserver import serving
from PIL import Image

from outreach.engine.precheck import check_project
from outreach.preview.editor.workbench import PREVIEW_WIDTH, Previewer, check_values

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


SCENARIO = "content/scenarios/fake-loan.yaml"
TIP = "content/tips/long-tip.yaml"
LONG_ADVICE = "贷款请到正规银行或持牌金融机构办理，" * 5     # a four-line entry: ~9 mm over with the gaps closed
LONG_QUOTE = "放款前要交保证金、解冻费，都是诈骗，请一定要记住这句话不要上当" * 2   # 64 characters, three lines
A4_MM = (210, 297)
RED = (255, 0, 0)


# --- helpers ---------------------------------------------------------------------------------

class Editor:
    """The editor's check and preview on one project, called as the server calls them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scratch = root.parent / "scratch"
        self.previewer = Previewer(root, self.scratch)

    def values(self, relpath: str = SCENARIO) -> dict:
        return json.loads(json.dumps(yaml.safe_load((self.root / relpath).read_text(encoding="utf-8")), default=str))

    def check(self, values: dict, relpath: str = SCENARIO, kind: str = "scenarios"):
        original = (self.root / relpath).read_text(encoding="utf-8")
        return check_values(self.root, relpath, original, kind, values)

    def preview(self, values: dict, relpath: str = SCENARIO, kind: str = "scenarios") -> list[dict]:
        checked = self.check(values, relpath, kind)
        assert checked.library is not None, checked.problems
        return self.previewer.render(checked.library, relpath)

    def overflow(self, values: dict, relpath: str = SCENARIO, kind: str = "scenarios") -> dict | None:
        found = [e for e in self.preview(values, relpath, kind) if e["type"] == "overflow"]
        return found[0] if found else None

    def file(self, url: str) -> Path:
        assert url.startswith("/edit/scratch/")
        return self.scratch / url.removeprefix("/edit/scratch/")


@pytest.fixture
def editor(tmp_path) -> Editor:
    root = tmp_path / "mini"
    shutil.copytree(MINI_PROJECT, root)
    return Editor(root)


def with_long(values: dict, field: str) -> dict:
    values = copy.deepcopy(values)
    if field == "advice":
        values["advice"][0] = LONG_ADVICE
    elif field == "quote":
        values["quote"] = LONG_QUOTE
    elif field == "signs":
        # Three more one-line entries: more than closing the gaps and shortening the story can take.
        values["signs"] += ["陌生人发来链接让你下载所谓贷款App", "对方自称银行客服要你开启屏幕共享", "对方要求先交会员费才能提高贷款额度"]
    elif field == "summary":
        values["summary"] = values["summary"] * 3
    return values


def shortened(values: dict, key: str, count: int) -> dict:
    """`count` characters cut from the end of a text field, or of a list's longest entry."""
    values = copy.deepcopy(values)
    if isinstance(values[key], str):
        values[key] = values[key][:len(values[key]) - count]
        return values
    longest = max(range(len(values[key])), key=lambda i: len(values[key][i]))
    assert len(values[key][longest]) > count
    values[key][longest] = values[key][longest][:-count]
    return values


def marker_rows(image: Image.Image) -> list[int]:
    """Rows painted the marker's red across (almost) the whole width."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    pixels = rgb.load()
    return [y for y in range(height) if sum(pixels[x, y] == RED for x in range(0, width, 4)) >= 0.95 * (width // 4)]


# --- the overflowing poster ----------------------------------------------------------------

def test_an_overflowing_poster_is_shown_taller_with_the_overflow_marked(editor):
    values = with_long(editor.values(), "advice")
    entry = editor.overflow(values)
    assert entry is not None
    # The build's own message, unchanged, beside the picture and the advice in plain words.
    build = build_project(copy_project(editor.root, values), only=("posters",))
    [failure] = build.failures
    # Measured with the page's gaps closed as the build closes them before calling it too long
    # (render.compose.tighten): 17 mm as laid out, 9 mm of it left to cut.
    assert entry["message"] == failure.message and entry["message"].startswith("内容超出一页约 9 毫米")
    assert entry["label"] == "海报 fake-loan" and entry["cause"] == "content" and entry["pages"] == 1
    assert 8.5 < entry["overflow_mm"] < 10
    assert entry["cut"] > 0
    assert entry["advice"].startswith(f"超出约 9 毫米，请在“防范要点”里删减大约 {entry['cut']} 个字")
    assert entry["fields"][0] == {"path": ["advice"], "label": "“防范要点”", "cut": entry["cut"], "items": 0, "unit": "",
                                  "lines": 2}

    image = Image.open(editor.file(entry["url"]))
    assert image.width == PREVIEW_WIDTH
    scale = PREVIEW_WIDTH / A4_MM[0]
    # Taller than the page by the overflow: the whole text and the footer below it.
    assert image.height >= (A4_MM[1] + entry["overflow_mm"]) * scale
    # A red line across where the real page's text area ends (the footer band starts there on paper).
    rows = marker_rows(image)
    assert rows, "no red marker line"
    edge = (A4_MM[1] - 56) * scale
    assert all(abs(y - edge) <= 3 for y in rows), (rows, edge)
    # Below it, the part that does not fit is tinted red: white paper turns pink there.
    rgb = image.convert("RGB")
    below = rgb.getpixel((PREVIEW_WIDTH - 20, round(edge + 6 * scale)))
    above = rgb.getpixel((PREVIEW_WIDTH - 20, round(edge - 30 * scale)))
    assert above == (255, 255, 255) and below[0] == 255 and below[1] < 245 and below[2] < 245, (above, below)


@pytest.mark.parametrize("field", ["advice", "quote", "summary"])
def test_cutting_the_estimate_makes_the_poster_fit(editor, field):
    """The estimate is whole lines of the field's paragraph, so it fits wherever in one paragraph
    the characters go, and a line less would not: over by less than one line of the field, never
    under."""
    values = with_long(editor.values(), field)
    entry = editor.overflow(values)
    assert entry is not None
    # The first advice: the longest field that can lose the lines, whichever field was made long.
    suggested = entry["fields"][0]
    assert suggested["items"] == 0 and 0 < suggested["cut"] <= entry["cut"] and suggested["lines"] >= 1
    key, cut = suggested["path"][0], suggested["cut"]
    fitted = editor.preview(shortened(values, key, cut))
    assert [e["type"] for e in fitted if e["type"] == "overflow" or e.get("label", "").startswith("海报")] == [], key
    assert any(e["type"] == "image" and e["label"] == "posters/fake-loan.png" for e in fitted)
    # Not an overestimate: a line fewer is not enough. (The overflow is measured with the page's
    # gaps closed, render.compose.tighten, as the build closes them before calling the page too
    # long: the estimate used to ask for those millimetres as well, about twice what was needed.)
    per_line = cut // suggested["lines"]
    assert editor.overflow(shortened(values, key, cut - per_line)) is not None, (key, cut, per_line)


def test_a_list_of_one_line_entries_is_shortened_by_deleting_entries(editor):
    values = with_long(editor.values(), "signs")
    entry = editor.overflow(values)
    signs = next(f for f in entry["fields"] if f["path"] == ["signs"])
    # Cutting characters from one-line entries frees no line: the advice is to delete entries.
    assert signs["items"] == 2 and "删掉“识别要点”里的 2 条" in entry["advice"]
    longest_first = sorted(values["signs"], key=len, reverse=True)
    fewer = dict(values, signs=[s for s in values["signs"] if s not in longest_first[:2]])
    assert editor.overflow(fewer) is None
    # One entry fewer may fit too: the build closes the gaps a little first (render.compose.tighten).
    assert editor.overflow(values) is not None


def test_an_overflowing_tip_is_shown_with_the_overflow_marked(editor):
    paragraph = "发现被骗，立即拨打110报警，或者到就近的派出所报案。报警越早，越有可能及时止付、冻结被骗资金。"
    (editor.root / TIP).parent.mkdir(parents=True)
    (editor.root / TIP).write_text("title: 被骗后第一时间拨打110报警\nbody: |-\n" + "".join(f"  {paragraph}\n\n" * 20) +
                                   "audiences: [public]\nreview_by: 2099-12-31\n", encoding="utf-8")
    values = editor.values(TIP)
    entry = editor.overflow(values, TIP, "tips")
    assert entry is not None and entry["label"] == "小贴士 long-tip"
    assert marker_rows(Image.open(editor.file(entry["url"])))
    # The advice is one that works: deleting that many paragraphs, or cutting that many characters.
    [body] = entry["fields"]
    assert body["path"] == ["body"]
    if body["unit"] == "段":
        assert body["items"] > 1 and f"请删掉“正文”里的 {body['items']} 段" in entry["advice"]
        fewer = dict(values, body="\n\n".join([paragraph] * (20 - body["items"])))
        one_fewer = dict(values, body="\n\n".join([paragraph] * (21 - body["items"])))
    else:
        assert body["cut"] > 0 and f"请删减大约 {body['cut']} 个字" in entry["advice"]
        text = values["body"]
        fewer = dict(values, body=text[:len(text) - body["cut"]].rstrip())
        one_fewer = dict(values, body=text[:len(text) - body["cut"] // 4].rstrip())
    assert editor.overflow(fewer, TIP, "tips") is None
    assert editor.overflow(one_fewer, TIP, "tips") is not None


def test_the_build_prints_the_same_and_its_error_travels_without_the_page(editor):
    from outreach.outputs.html import PageOverflow

    values = with_long(editor.values(), "advice")
    root = copy_project(editor.root, values)
    build = build_project(root, only=("posters",))
    [failure] = build.failures
    assert failure.message == "内容超出一页约 9 毫米，不会自动缩小或截断。请精简文字（如缩短案例或要点）。"
    error = PageOverflow(failure.message, SCENARIO, 0, overflow_mm=16.8, relayout=object())
    copied = pickle.loads(pickle.dumps(error))
    assert (str(copied), copied.file, copied.overflow_mm, copied.relayout) == (failure.message, SCENARIO, 16.8, None)


def copy_project(root: Path, values: dict) -> Path:
    """A copy of the project with the scenario saved as the editor would save these values."""
    target = root.parent / f"saved-{time.monotonic_ns()}"
    shutil.copytree(root, target)
    checked = Editor(root).check(values)
    (target / SCENARIO).write_text(checked.text, encoding="utf-8")
    return target


# --- the SMS ---------------------------------------------------------------------------------

HAND_WRITTEN = "反诈提醒：" + "贷款要到正规银行办理，凡是放款前要先交钱的都是诈骗。" * 6   # 161 characters


def test_a_hand_written_sms_too_long_is_blamed_on_the_sms_field(editor):
    values = dict(editor.values(), sms=HAND_WRITTEN)
    checked = editor.check(values)
    [problem] = [p for p in checked.problems if p["code"] == "sms-too-long"]
    assert problem["path"] == ["sms"]
    assert "口号" not in problem["message"] and "防范要点" not in problem["message"]
    assert "2 条最多 134 字，超出 34 字。请把 sms 字段里手写的短信删减至少 34 字。" in problem["message"]
    # The counter for the field: 7 characters of signature + 161 written = 168 of the 134 two parts carry.
    assert checked.sms == {
        "used": 168, "allowed": 134, "over": 34, "ok": False, "counter": "168/134 字，超出 34 字",
        "parts": 3, "max_parts": 2, "encoding": "UCS-2", "field": ["sms"], "field_label": "“手写的短信文本”",
        "fields": [{"path": ["sms"], "label": "“手写的短信文本”", "chars": 161}], "fixed": 7}
    # The preview shows the SMS with its counter instead of only the error.
    [sms] = [e for e in editor.previewer.render(checked.library, SCENARIO) if e["type"] == "sms"]
    assert sms["text"].startswith("【示例派出所】反诈提醒：") and sms["counter"] == "168/134 字，超出 34 字"
    assert sms["message"] == problem["message"] and sms["field"] == ["sms"]
    # Cutting exactly that many characters fits.
    checked = editor.check(dict(values, sms=HAND_WRITTEN[:-34]))
    assert checked.errors == 0 and checked.sms["counter"] == "134/134 字" and checked.sms["ok"]


def test_a_template_sms_too_long_is_blamed_on_the_field_that_supplies_most_of_it(editor):
    values = with_long(editor.values(), "advice")
    checked = editor.check(values)
    [problem] = [p for p in checked.problems if p["code"] == "sms-too-long"]
    assert problem["path"] == ["advice", 0]   # the entry itself, not the whole list nor the top of the file
    assert "短信由模板 texts/sms.txt 用“防范要点”第 1 条、“一句话口号”拼成：请把“防范要点”第 1 条删减至少 6 字" \
        in problem["message"]
    assert checked.sms["field"] == ["advice", 0] and checked.sms["counter"] == "140/134 字，超出 6 字"
    assert checked.sms["fixed"] is None   # the template's own words: no live sum for the page

    # `outreach check` points at the same line.
    root = copy_project(editor.root, values)
    [found] = [d for d in check_project(root) if d.code == "sms-too-long"]
    line = (root / SCENARIO).read_text(encoding="utf-8").splitlines()[found.line - 1]
    assert found.file == SCENARIO and line.strip().startswith("- 贷款请到正规银行")

    quoted = dict(editor.values(), quote=LONG_QUOTE)   # 64 characters: now the longest part of the SMS
    checked = editor.check(quoted)
    assert checked.sms["field"] == ["quote"] and checked.sms["ok"] and checked.sms["counter"] == "112/134 字"


def test_the_preview_sms_counts_against_the_configured_parts(editor):
    [sms] = [e for e in editor.preview(editor.values()) if e["type"] == "sms"]
    assert (sms["used"], sms["allowed"], sms["over"], sms["counter"], sms["ok"]) == (67, 134, 0, "67/134 字", True)
    assert sms["left"] == 67 and sms["field"] == ["advice", 0] and "message" not in sms


# --- over HTTP -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("editor") / "mini"
    shutil.copytree(MINI_PROJECT, root)
    with serving(root) as served:
        yield served


def test_the_check_api_returns_the_overflow_picture_and_the_sms_counter(server):
    values = server.item("scenarios", "fake-loan")["values"]
    values["quote"] = LONG_QUOTE
    status, answer = server.post("edit/api/check", {"kind": "scenarios", "id": "fake-loan", "values": values,
                                                    "preview": True})
    assert status == 200 and answer["errors"] == 0, answer
    [entry] = [e for e in answer["preview"] if e["type"] == "overflow"]
    assert entry["cut"] > 0 and entry["message"].startswith("内容超出一页约") and "请在“匿名化的案例”里删减" in entry["advice"]
    status, png = server.get_bytes(entry["url"])
    assert status == 200 and png.startswith(b"\x89PNG")
    assert marker_rows(Image.open(io.BytesIO(png)))
    [sms] = [e for e in answer["preview"] if e["type"] == "sms"]
    assert sms["field"] == ["quote"] and sms["counter"] == "112/134 字"
