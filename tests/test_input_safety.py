"""Bad input gets a clear, located message, and nothing written for the user fakes a field
(issue 25 items 5, 9 and 21): file names never become YAML keys, ids stay short enough to be
file names, a logo is a picture that decodes, cells are never formulas, text typed in the
editor loads back as the same text, links are http(s), characters are named where they are,
and check refuses what the build would refuse."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import tomllib
import zlib
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import build_project, edit

from outreach.engine.precheck import check_project
from outreach.project.config import load_config
from outreach.project.diagnostics import error
from outreach.project.kinds import KIND_MODELS
from outreach.project.loader import parse_item
from outreach.project.models import MAX_ID_LENGTH, id_problem
from outreach.project.stations import read_stations
from outreach.project.yamledit import merged_text
from outreach.project.yamlsource import parse_yaml

SCENARIO = "content/scenarios/fake-loan.yaml"
BANK_HEADER = ["题型", "题目", "选项A", "选项B", "答案", "解析"]
BANK_ROW = ["单选", "陌生来电要验证码，怎么办？", "告诉他", "挂断", "B", "验证码不能告诉任何人。"]
FAKED_REVIEW = "\nstatus: 已审核\nreviewed_by: 张三\nreviewed_on: 2026-01-01\n#"


def outreach(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "LANG": "C.UTF-8"}, timeout=120)


def bank(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    for row in (BANK_HEADER, BANK_ROW):
        workbook.active.append(row)
    workbook.save(path)
    return path


def problems_in(root: Path, relpath: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in check_project(root).sorted() if d.file == relpath]


# --- item 5: a file name or title never becomes fields of the saved quiz ------------------------

def test_a_bank_file_name_with_line_breaks_adds_no_fields_through_the_cli(fixture_project):
    name = f"春季题库{FAKED_REVIEW}.xlsx"
    bank(fixture_project / name)
    run = outreach(fixture_project, "import", "quiz", name, "--id", "spring")
    assert run.returncode == 0, run.stdout + run.stderr
    data = yaml.safe_load((fixture_project / "content/quizzes/spring.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"title", "questions"}
    assert "\n" not in data["title"] and data["title"].startswith("春季题库 status: 已审核")
    assert not [d for d in check_project(fixture_project).sorted() if d.is_error]


def test_a_missing_bank_is_named_with_its_line_break_visible(fixture_project):
    run = outreach(fixture_project, "import", "quiz", "春季\nstatus: 已审核.xlsx", "--id", "spring")
    assert run.returncode == 1 and "找不到表格文件 春季\\nstatus: 已审核.xlsx。" in run.stderr


def test_a_title_or_file_name_from_the_editor_upload_stays_literal(fixture_project, tmp_path):
    from outreach.scaffold.quizbank import import_bank

    # The editor's upload keeps the uploaded name (…%0Adescription:…) for the sheet it imports.
    sheet = bank(tmp_path / "bank\ndescription: 伪造的说明\r\nstatus: 已审核\u2028reviewed_by: 张三.xlsx")
    title = f"春季题库{FAKED_REVIEW}"
    path, problems = import_bank(fixture_project, sheet, "spring", title)
    assert path is not None, [p.format() for p in problems]
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert set(data) == {"title", "questions"} and data["title"] == title
    item, problems = parse_item(text.encode("utf-8"), "content/quizzes/spring.yaml", "quizzes")
    assert item is not None and item.model.status is None and item.model.reviewed_by is None
    # The name is still there for people to read, on the one comment line.
    assert "# 由 bank\\ndescription: 伪造的说明\\r\\nstatus: 已审核[U+2028]reviewed_by: 张三.xlsx 导入" in text


def test_a_new_pack_skeleton_uses_only_file_names_that_are_ids(fixture_project):
    from outreach.scaffold.create import new_item

    (fixture_project / "content/scenarios/0\ndescription: 伪造.yaml").write_text("title: x\n", encoding="utf-8")
    path = new_item(fixture_project, "pack", "spring")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["description"] != "伪造" and "伪造" not in path.read_text(encoding="utf-8")
    assert data["items"][0] == {"poster": "fake-customer-service"}


def test_names_given_to_init_stay_values_in_outreach_toml(tmp_path):
    from outreach.scaffold.create import init_project

    organisation = '示例分局"\n[review]\ndefault_status = "已审核'
    init_project(tmp_path / "new", example=False, organisation=organisation, signature="示例派出所\\")
    config = tomllib.loads((tmp_path / "new/outreach.toml").read_text(encoding="utf-8"))
    assert config["project"]["organisation"] == organisation
    assert config["project"]["sms_signature"] == "【示例派出所\\】"
    assert "default_status" not in config.get("review", {})


# --- item 9: ids short enough to be file names ---------------------------------------------------

def test_an_id_too_long_for_a_file_name_is_refused_by_check(fixture_project):
    source = fixture_project / SCENARIO
    for length in (MAX_ID_LENGTH + 1, 248):
        target = source.with_name("a" * length + ".yaml")
        target.write_bytes(source.read_bytes())
        relpath = target.relative_to(fixture_project).as_posix()
        [(line, column, code)] = problems_in(fixture_project, relpath)
        assert (line, column, code) == (1, 1, "invalid-id")
        [found] = [d for d in check_project(fixture_project).sorted() if d.file == relpath]
        assert f"最多 {MAX_ID_LENGTH} 个字符，现在有 {length} 个" in found.message
        assert "a" * 40 not in found.message   # the name is shortened when quoted back
        target.unlink()
    assert "太长" in id_problem("a" * 5000) and id_problem("a" * MAX_ID_LENGTH) is None
    assert "小写字母" in id_problem("Fake_Loan")


def test_the_longest_id_builds(fixture_project):
    longest = "a" * MAX_ID_LENGTH
    source = fixture_project / SCENARIO
    source.rename(source.with_name(f"{longest}.yaml"))
    edit(fixture_project / "content/packs/fixture.yaml", "poster: fake-loan", f"poster: {longest}")
    assert not [d for d in check_project(fixture_project).sorted() if d.is_error]
    result = build_project(fixture_project, only=("texts",))
    assert result.ok, [f.message for f in result.failures]
    assert (fixture_project / f"build/texts/{longest}.sms.txt").is_file()


def test_a_station_id_too_long_for_a_file_name_is_refused(tmp_path):
    sheet = tmp_path / "stations.csv"
    sheet.write_text(f"id,name,phone\n{'s' * 65},东湖派出所（虚构）,0000-1234567\n", encoding="utf-8")
    stations, problems = read_stations(sheet, "content/stations.csv")
    assert not stations and [(p.line, p.column, p.code) for p in problems] == [(2, 1, "invalid-id")]
    assert "太长" in problems[0].message


# --- item 9: a logo is a picture that decodes completely -----------------------------------------

def png(width: int = 64, height: int = 32) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 16, 46)).save(out, "PNG")
    return out.getvalue()


def damaged_png() -> bytes:
    """A PNG whose chunks and checksums are all sound but whose pixel data stops half-way:
    header checks (and Pillow's verify()) accept it, and it printed as a black square."""
    data = png()
    start = data.index(b"IDAT") - 4
    length = struct.unpack(">I", data[start:start + 4])[0]
    pixels = zlib.compress(zlib.decompress(data[start + 8:start + 8 + length])[:100])
    chunk = struct.pack(">I", len(pixels)) + b"IDAT" + pixels + struct.pack(">I", zlib.crc32(b"IDAT" + pixels))
    return data[:start] + chunk + data[start + 12 + length:]


def set_logo(root: Path, logo: str) -> None:
    edit(root / "outreach.toml", "[theme]\n", f'[theme]\nlogo = "{logo}"\n')


def logo_problem(root: Path) -> str:
    config, problems = load_config(root)
    assert config is None
    [problem] = problems
    text = (root / "outreach.toml").read_text(encoding="utf-8").split("\n")
    assert text[problem.line - 1].startswith("logo = ") and problem.code == "bad-path"
    return problem.message


@pytest.mark.parametrize("name, data, why", [
    ("assets/logo.png", damaged_png(), "已损坏或不完整"),
    ("assets/logo.png", png()[:png().index(b"IDAT") + 12], "已损坏或不完整"),
    ("assets/logo.png", b"GIF89a" + png()[6:], "不是能识别的图片"),
    ("assets/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "不是有效的 XML"),
    ("content/stations.csv", None, "不是能识别的图片"),
])
def test_a_logo_that_does_not_decode_is_refused_naming_the_setting(fixture_project, name, data, why):
    if data is not None:
        (fixture_project / name).parent.mkdir(exist_ok=True)
        (fixture_project / name).write_bytes(data)
    set_logo(fixture_project, name)
    message = logo_problem(fixture_project)
    assert message.startswith(f"“标志图片路径”（[theme] logo）“{name}”不能用作标志：") and why in message


def test_pictures_that_decode_are_logos(fixture_project):
    from PIL import Image

    assets = fixture_project / "assets"
    assets.mkdir()
    (assets / "logo.png").write_bytes(png())
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 0, 0)).save(jpeg, "JPEG")
    (assets / "logo.jpg").write_bytes(jpeg.getvalue())
    (assets / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8")
    for name in ("logo.png", "logo.jpg", "logo.svg"):
        config, problems = load_config(fixture_project, text=(fixture_project / "outreach.toml").read_text(
            encoding="utf-8").replace("[theme]\n", f'[theme]\nlogo = "assets/{name}"\n'))
        assert config is not None and config.theme.logo == f"assets/{name}", [p.format() for p in problems]


def test_the_editor_refuses_a_damaged_logo_upload(tmp_path):
    from outreach.preview.editor.settings import save_logo
    from outreach.preview.editor.store import EditorError

    (tmp_path / "outreach.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(EditorError, match="已损坏或不完整"):
        save_logo(tmp_path, damaged_png())
    assert not (tmp_path / "assets/logo.png").exists()
    assert save_logo(tmp_path, png()) == "assets/logo.png"


# --- item 9: a cell typed as text is never a formula ---------------------------------------------

FORMULA = '=HYPERLINK("https://example.com/","点这里")'


def test_a_formula_typed_into_the_station_table_is_saved_as_text(tmp_path):
    from outreach.preview.editor.stationsheet import new_bytes

    sheet = tmp_path / "stations.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["编号", "派出所", "电话"])
    workbook.active.append(["east", "东湖派出所", "0000-1234567"])
    workbook.save(sheet)
    rows = [["east", FORMULA, "0000-1234567"], ["west", "@SUM(1+1)", "+852 2860 2000"]]
    saved = openpyxl.load_workbook(io.BytesIO(new_bytes(sheet, rows))).active
    for cell, text in ((saved["B2"], FORMULA), (saved["B3"], "@SUM(1+1)"), (saved["C3"], "+852 2860 2000")):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_a_formula_in_the_station_sheet_is_refused_at_its_cell(tmp_path):
    sheet = tmp_path / "stations.csv"
    sheet.write_text(f'id,name,phone\neast,"{FORMULA.replace(chr(34), chr(34) * 2)}",0000-1234567\n', encoding="utf-8")
    stations, problems = read_stations(sheet, "content/stations.csv")
    assert not stations and [(p.line, p.column, p.code) for p in problems] == [(2, 2, "formula-cell")]


def test_an_exported_bank_holds_no_formulas(fixture_project, tmp_path):
    from outreach.scaffold.quizbank import export_bank

    edit(fixture_project / "content/quizzes/basics.yaml", "    question: 自称“公安局”来电，说您涉嫌洗钱，要把钱转到“安全账户”，怎么办？",
         f"    question: '{FORMULA}'")
    output = export_bank(fixture_project, "basics", tmp_path / "bank.xlsx", "xlsx")
    cells = [c for row in openpyxl.load_workbook(output).active.iter_rows() for c in row if c.value is not None]
    assert FORMULA in [c.value for c in cells]
    assert all(c.data_type == "s" for c in cells)


# --- item 9: text typed in the editor loads back as that text ------------------------------------

TRICKY_TEXTS = ["yes", "no", "on", "off", "Y", "NO", "true", "null", "~", "123", "1:30", "0x1f", "1e3", ".inf",
                "2026-01-01", "2026-01-01 10:00", "<<", "- 列表", "#号", "@", "'引号", "a: b"]


def string_paths(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from string_paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value[:2]):
            yield from string_paths(child, path + (index,))


def replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def at(value, path):
    for part in path:
        value = value[part]
    return value


@pytest.mark.slow
def test_every_text_field_keeps_text_that_yaml_1_1_reads_as_something_else(fixture_project):
    files = sorted((fixture_project / "content").rglob("*.yaml"))
    assert {f.parent.name for f in files} >= set(KIND_MODELS) - {"newsletters"}
    checked = 0
    for path in files:
        original = path.read_text(encoding="utf-8")
        data, _, problems = parse_yaml(original.encode("utf-8"), path.name)
        assert not problems
        for field in string_paths(data):
            for text in TRICKY_TEXTS:
                saved = merged_text(original, replaced(data, field, text))
                loaded, _, problems = parse_yaml(saved.encode("utf-8"), path.name)
                assert not problems and at(loaded, field) == text, (path.name, field, text, saved)
                checked += 1
    assert checked > 1000


def test_a_summary_of_yes_is_text_for_the_model(fixture_project):
    path = fixture_project / SCENARIO
    data, _, _ = parse_yaml(path.read_bytes(), SCENARIO)
    for text in ("yes", "no", "on", "null", "123", "2026-01-01"):
        saved = merged_text(path.read_text(encoding="utf-8"), {**data, "summary": text})
        item, problems = parse_item(saved.encode("utf-8"), SCENARIO, "scenarios")
        assert item is not None and not problems and item.model.summary == text, saved


# --- items 9 and 21: invisible characters are named where they are, never changed ----------------

@pytest.mark.parametrize("char, name", [("\x85", "U+0085（下一行符 NEL）"), ("\u2028", "U+2028（行分隔符）"),
                                        ("\u2029", "U+2029（段分隔符）"), ("\x07", "U+0007（控制字符）"),
                                        ("\x7f", "U+007F（删除符 DEL）"), ("\x9b", "U+009B（控制字符）")])
def test_a_line_break_or_control_character_in_content_is_refused_where_it_is(fixture_project, char, name):
    edit(fixture_project / SCENARIO, "在放款前", f"在放{char}款前")
    [found] = [d for d in check_project(fixture_project).sorted() if d.file == SCENARIO]
    line = next(n for n, text in enumerate((fixture_project / SCENARIO).read_text(encoding="utf-8").split("\n"), 1)
                if text.startswith("summary:"))
    column = (fixture_project / SCENARIO).read_text(encoding="utf-8").split("\n")[line - 1].index(char) + 1
    assert (found.line, found.column, found.code) == (line, column, "control-character")
    assert name in found.message and char not in found.message


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\x00", "\x1b"])
def test_a_control_character_typed_in_the_editor_is_refused_not_changed(fixture_project, char):
    path = fixture_project / SCENARIO
    data, _, _ = parse_yaml(path.read_bytes(), SCENARIO)
    saved = merged_text(path.read_text(encoding="utf-8"), {**data, "summary": f"先交{char}保证金"})
    item, problems = parse_item(saved.encode("utf-8"), SCENARIO, "scenarios")
    assert [p.code for p in problems] == ["control-character"], saved
    line = next(n for n, text in enumerate(saved.split("\n"), 1) if text.startswith("summary:"))
    assert problems[0].line == line


def test_a_nul_in_a_station_phone_is_named_never_echoed_raw(tmp_path):
    sheet = tmp_path / "stations.csv"
    for char, named in (("\x00", "U+0000（空字符）"), ("\x1b", "U+001B（控制字符）"), ("\x85", "U+0085（下一行符 NEL）"),
                        ("\n", "U+000A（换行）"), ("\u202e", "U+202E（不可见的排版字符）")):
        # U+0085 and a line break used to pass as separators, and were printed on the contact cards.
        sheet.write_text(f'id,name,phone\neast,东湖派出所,"0571-8{char}7654321"\n', encoding="utf-8")
        stations, problems = read_stations(sheet, "content/stations.csv")
        assert not stations and [(p.line, p.column, p.code) for p in problems] == [(2, 3, "bad-value")]
        assert named in problems[0].message and problems[0].message.isprintable()
    sheet.write_text('id,name,phone\neast,东湖派出所,"05\x0071"\n', encoding="utf-8")
    [problem] = read_stations(sheet, "content/stations.csv")[1]
    assert problem.message.isprintable()


def test_no_diagnostic_carries_a_raw_control_character():
    diagnostic = error("content/x.yaml", 1, 1, "bad-value", "值“a\x00b\x1b[31m\u202ec”不对。\n第二行")
    assert diagnostic.message == "值“a\\0b[U+001B][31m[U+202E]c”不对。\n第二行"
    assert error("a\nb.yaml", 1, 1, "x", "y").format() == "a\\nb.yaml:1:1: error[x] y"


# --- item 9: only http(s) links ------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>", "vbscript:msgbox",
                                 "file:///etc/passwd", "www.example.gov.cn", "https:///x", " https://x.cn/"])
def test_a_link_that_is_not_http_is_refused_at_its_setting(fixture_project, url):
    edit(fixture_project / "outreach.toml", 'qr_url = "https://www.mps.gov.cn/"', f'qr_url = "{url}"')
    config, problems = load_config(fixture_project)
    assert config is None
    [problem] = problems
    line = (fixture_project / "outreach.toml").read_text(encoding="utf-8").split("\n")[problem.line - 1]
    assert line.startswith("qr_url = ") and problem.code == "bad-value"
    assert "“theme.qr_url”" in problem.message and "http:// 或 https://" in problem.message or "网址" in problem.message


def test_the_feed_home_page_and_station_qr_links_are_http_too(fixture_project, tmp_path):
    edit(fixture_project / "outreach.toml", "[feed]\n", '[feed]\nhome_page_url = "javascript:alert(1)"\n')
    config, problems = load_config(fixture_project)
    assert config is None and [p.code for p in problems] == ["bad-value"] and "http://" in problems[0].message
    sheet = tmp_path / "stations.csv"
    sheet.write_text("id,name,phone,wechat_qr_url\neast,东湖派出所,0000-1234567,javascript:alert(1)\n", encoding="utf-8")
    _, problems = read_stations(sheet, "content/stations.csv")
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 4, "bad-value")]


# --- item 21: messages that say what is really wrong, where it is ---------------------------------

def test_an_unclosed_quote_is_named_on_its_own_line_not_where_yaml_gave_up(fixture_project):
    edit(fixture_project / SCENARIO, "summary: ", 'summary: "')
    lines = (fixture_project / SCENARIO).read_text(encoding="utf-8").split("\n")
    opened = next(n for n, text in enumerate(lines, 1) if text.startswith('summary: "'))
    closed = next(n for n, text in enumerate(lines, 1) if '"' in text and n > opened)
    assert closed - opened > 10   # YAML reads on to the next quotation mark (article: "266")
    [found] = [d for d in check_project(fixture_project).sorted() if d.file == SCENARIO]
    assert (found.line, found.column, found.code) == (opened, 10, "yaml-unclosed-quote")
    assert f"到第 {closed} 行的下一个引号" in found.message and "缩进" not in found.message


def test_a_file_with_too_many_keys_is_refused_for_its_size_not_for_aliases(fixture_project):
    text = "".join(f"key{number}: 值\n" for number in range(30_000))
    item, problems = parse_item(text.encode("utf-8"), SCENARIO, "scenarios")
    assert item is None and [p.code for p in problems] == ["too-many-values"]
    assert "太多" in problems[0].message and "锚点" not in problems[0].message and "别名" not in problems[0].message


@pytest.mark.slow
@pytest.mark.parametrize("char", ["\ue000", "\U000f0000", "\U0010fffd", "\u0378"])
def test_a_character_without_a_shape_fails_check_as_it_fails_the_build(fixture_project, char):
    edit(fixture_project / SCENARIO, "在放款前", f"在放{char}款前")
    lines = (fixture_project / SCENARIO).read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("summary:"))
    found = [(d.file, d.line, d.column, d.code) for d in check_project(fixture_project).sorted() if d.is_error]
    assert found == [(SCENARIO, line, lines[line - 1].index(char) + 1, "unprintable-character")]
    result = build_project(fixture_project, only=("posters",))
    assert [(d.file, d.line, d.column, d.code) for d in result.diagnostics.errors] == found
    assert not [target for target in result.built if target.endswith("/fake-loan")]


def test_a_character_no_font_has_fails_check_at_its_place(fixture_project):
    from outreach.checks.glyphs import missing_glyphs

    char = "\U00030000"   # CJK Extension G: a real character, in few fonts
    if not missing_glyphs(char, "Noto Sans CJK SC"):
        pytest.skip("a font on this machine draws CJK Extension G")
    edit(fixture_project / SCENARIO, "在放款前", f"在放{char}款前")
    [found] = [d for d in check_project(fixture_project).sorted() if d.is_error]
    assert (found.file, found.code) == (SCENARIO, "unprintable-character") and "没有任何已安装的字体" in found.message


def test_a_damaged_logo_is_refused_after_weasyprint_is_loaded(tmp_path):
    """WeasyPrint tells Pillow to accept truncated images, process-wide; the editor's server has
    it loaded (previews), so the logo check must not depend on that setting."""
    import weasyprint  # noqa: F401 - imported for its side effect on Pillow
    from PIL import ImageFile

    from outreach.preview.editor.settings import save_logo
    from outreach.preview.editor.store import EditorError

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    (tmp_path / "outreach.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(EditorError, match="已损坏或不完整"):
        save_logo(tmp_path, damaged_png())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True   # WeasyPrint's own images still load as it expects
