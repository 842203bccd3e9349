"""Form lints of scripts, reported by `outreach check` with file:line:col like every diagnostic."""

from __future__ import annotations

from conftest import check, located, write

from outreach.checks.scriptlint import rhyme, spoken_length

REL = "content/scripts/demo.md"


def front(form: str, roles: str = "甲 乙 丙 丁") -> str:
    declared = "".join(f"  - name: {name}\n" for name in roles.split())
    return f"---\ntitle: 测试\nform: {form}\nroles:\n{declared}---\n"


def lint(project, text: str, relpath: str = REL) -> list[tuple[int, int, str]]:
    write(project, relpath, text)
    return located(check(project), relpath)


STANZA = "甲：锣鼓一敲响叮当，\n乙：我们四人来登场，\n丙：反诈知识细宣讲，\n丁：您听端详！\n"


def test_spoken_length_ignores_punctuation_and_spaces():
    assert spoken_length("您听端详！") == 4
    assert spoken_length("“安全账户” 全是假，") == 7
    assert spoken_length("拨打110要趁早") == 8


# --- 三句半 ---------------------------------------------------------------------------

def test_good_sanjuban_is_clean(project):
    text = front("三句半") + "> 上场。\n" + STANZA + "> 锣鼓点。\n" + STANZA + "## 结尾\n" + STANZA
    assert lint(project, text) == []


def test_sanjuban_needs_four_roles(project):
    text = front("三句半", "甲 乙 丙") + "甲：一句话，\n乙：二句话，\n丙：三句话，\n丙：好！\n"
    assert lint(project, text) == [(5, 3, "sanjuban-roles")]


def test_sanjuban_stanza_of_five_lines(project):
    text = front("三句半") + "> 上场。\n" + STANZA + "甲：多了一句，\n"   # front matter is lines 1–9
    assert lint(project, text) == [(11, 1, "sanjuban-stanza")]


def test_sanjuban_stanzas_are_separated_by_directions_or_scenes(project):
    # Two stanzas with nothing between them read as one stanza of eight lines.
    assert lint(project, front("三句半") + STANZA + STANZA) == [(10, 1, "sanjuban-stanza")]
    assert lint(project, front("三句半") + STANZA + "## 二\n" + STANZA) == []


def test_sanjuban_half_line_by_the_wrong_performer(project):
    text = front("三句半") + STANZA.replace("丁：您听端详！", "丙：您听端详！") + "> 锣鼓点。\n" + STANZA
    assert lint(project, text) == [(13, 1, "sanjuban-half-role")]


def test_sanjuban_half_line_too_long(project):
    text = front("三句半") + STANZA.replace("丁：您听端详！", "丁：请您仔细听端详！")
    assert lint(project, text) == [(13, 3, "sanjuban-half-length")]


def test_sanjuban_lints_work_on_yaml_too(project):
    path = "content/scripts/sanjuban-community.yaml"
    text = (project / path).read_text(encoding="utf-8").replace("text: 听端详！", "text: 请您仔细听端详！")
    (project / path).write_text(text, encoding="utf-8")
    assert located(check(project), path) == [(24, 15, "sanjuban-half-length")]


# --- 快板 -----------------------------------------------------------------------------

KUAIBAN = front("快板", "甲 乙")


def test_good_kuaiban_is_clean(project):
    text = KUAIBAN + "甲：竹板一打响叮当，\n甲：反诈快板进学堂，\n乙：同学们来听我讲，\n乙：防骗知识记心上。\n"
    assert lint(project, text) == []


def test_kuaiban_line_much_longer_than_its_neighbours(project):
    text = KUAIBAN + ("甲：竹板一打响叮当，\n甲：反诈快板进学堂，\n"
                      "乙：同学们今天都来这里仔细听我慢慢地讲，\n乙：防骗知识记心上。\n")
    assert lint(project, text) == [(10, 3, "kuaiban-length")]


def test_kuaiban_slightly_longer_line_is_fine(project):
    text = KUAIBAN + "甲：竹板一打响叮当，\n甲：反诈快板进学堂，\n乙：同学们都来听我讲，\n乙：防骗知识记心上。\n"
    assert lint(project, text) == []


def test_kuaiban_even_line_that_does_not_rhyme(project):
    text = KUAIBAN + ("甲：竹板一打响叮当，\n甲：反诈快板进学堂，\n乙：同学们来听我讲，\n乙：防骗知识记心上。\n"
                      "甲：刷单返利别贪心，\n甲：垫付越多陷越深。\n")  # 深 (人辰) vs 上/堂 (江阳)
    found = lint(project, text)
    assert found == [(13, 9, "kuaiban-rhyme")]
    write(project, REL, text)
    [problem] = [d for d in check(project) if d.file == REL]
    assert "深" in problem.message and "人辰辙" in problem.message and "江阳辙" in problem.message


def test_kuaiban_change_of_rhyme_between_stanzas_is_fine(project):
    text = KUAIBAN + ("甲：竹板一打响叮当，\n甲：反诈快板进学堂，\n乙：同学们来听我讲，\n乙：防骗知识记心上。\n"
                      "甲：兼职刷单日薪高，\n甲：小额返利把你钓，\n乙：垫付越多陷越牢，\n乙：凡是刷单都是套。\n")
    assert lint(project, text) == []


def test_rhyme_groups():
    assert rhyme("出租出借可不行，")[1] == "中东"   # 不行 is xing, not hang
    assert rhyme("交钱解冻是骗局，")[1] == "一七"   # ü rhymes with i
    assert rhyme("竹板这么一打呀")[1] == "发花"     # a sung particle is skipped
    assert rhyme("快拨110") is None                 # ends in digits: no rhyme to check
    assert rhyme("Hello") is None


# --- every form -----------------------------------------------------------------------

def test_declared_role_that_never_speaks(project):
    text = front("小品", "王大妈 儿子 路人") + "王大妈：喂，谁呀？\n儿子：妈，是我。\n"
    assert lint(project, text) == [(7, 11, "script-role-silent")]


def test_undeclared_role_is_an_error(project):
    text = front("小品", "王大妈") + "王大妈：喂，谁呀？\n骗子：我是警官。\n"
    found = [d for d in check_after_write(project, text) if d.file == REL]
    assert [(d.line, d.column, d.code, d.is_error) for d in found] == [(8, 1, "undeclared-role", True)]


def test_missing_scenario_is_an_error(project):
    text = front("小品", "王大妈").replace("form: 小品\n", "form: 小品\nscenario: fake-lone\n") + "王大妈：喂。\n"
    found = [d for d in check_after_write(project, text) if d.file == REL]
    assert [(d.line, d.column, d.code) for d in found] == [(4, 11, "missing-ref")]
    assert "fake-loan" in found[0].message


def test_starter_scripts_have_no_form_warnings(project):
    assert [d for d in check(project) if d.file.startswith("content/scripts/")] == []


def check_after_write(project, text: str):
    write(project, REL, text)
    return check(project)
