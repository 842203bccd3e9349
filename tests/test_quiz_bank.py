"""Question banks from Excel: `outreach import quiz` and `outreach export quiz`, through the real command line."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest
import yaml

from outreach.engine.precheck import check_project

HEADER = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]
GOOD_ROWS = [
    ["单选", "接到自称公检法的电话说你涉嫌洗钱，应该怎么做？", "按要求转到安全账户", "挂断后拨打110核实", "提供银行卡密码", None, "b",
     "公检法机关不会通过电话要求转账，更没有安全账户。"],
    ["多选", "下列哪些是诈骗信号？", "先交保证金才放款", "要求屏幕共享", "银行柜台办理业务", "陌生链接下载App", "A、B、D",
     "先交钱、共享屏幕、陌生App都是骗局特征。"],
    ["判断", "96110是全国反诈预警劝阻专线。", None, None, None, None, "对", "接到96110来电请一定接听。"],
]


def sheet(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    workbook.save(path)
    return path


def outreach(cwd, *args):
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "LANG": "C.UTF-8"}, timeout=120)


@pytest.mark.slow
def test_a_bank_becomes_a_quiz_file_that_checks_clean(fixture_project):
    sheet(fixture_project / "春季题库.xlsx", GOOD_ROWS)
    run = outreach(fixture_project, "import", "quiz", "春季题库.xlsx", "--id", "spring", "--title", "春季反诈有奖问答")
    assert run.returncode == 0, run.stdout + run.stderr
    path = fixture_project / "content/quizzes/spring.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../build/schema/quiz.json\n")
    data = yaml.safe_load(text)
    assert data["title"] == "春季反诈有奖问答"
    assert [(q["id"], q["kind"], q["answer"]) for q in data["questions"]] == [
        ("q01", "single", "B"), ("q02", "multiple", ["A", "B", "D"]), ("q03", "truefalse", True)]
    assert "choices" not in data["questions"][2]
    assert "\n  - id: q01\n" in text   # list items indented like every other content file
    assert check_project(fixture_project).sorted() == []


@pytest.mark.slow
def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(fixture_project):
    rows = [*GOOD_ROWS,
            ["单选", "冒充客服退款要你做什么？", "下载会议软件", "什么都不做", None, None, "E", "真退款不需要你操作。"],
            ["问答", "这是什么题？", None, None, None, None, "对", "题型不对。"],
            ["判断", "陌生人要验证码可以给。", None, None, None, None, "可以", "验证码不能告诉任何人。"],
            ["单选", "选项中间空了一格", "甲", None, "丙", None, "A", "选项要连续。"],
            ["单选", "没有解析的题", "甲", "乙", None, None, "A", None]]
    sheet(fixture_project / "bank.xlsx", rows)
    run = outreach(fixture_project, "import", "quiz", "bank.xlsx")
    assert run.returncode == 1
    located = [line.split(": ")[0] for line in run.stdout.splitlines() if "error[" in line]
    assert located == ["bank.xlsx:5:7", "bank.xlsx:6:1", "bank.xlsx:7:7", "bank.xlsx:8:4", "bank.xlsx:9:8"]
    assert "第 5 行“答案”（G 列）：答案“E”不是这道题的选项字母（可选 A、B）" in run.stdout
    assert "第 6 行“题型”（A 列）：题型“问答”不认识" in run.stdout
    assert "第 9 行“解析”（H 列）：不能为空" in run.stdout
    assert "没有导入" in run.stderr
    assert not (fixture_project / "content/quizzes/bank.yaml").exists()


@pytest.mark.slow
def test_numbers_excel_stored_as_numbers_are_flagged(fixture_project):
    sheet(fixture_project / "numbers.xlsx", [["单选", "哪个是报警电话？", 110, 96110, 12345, None, "A", "报警请拨110。"]])
    run = outreach(fixture_project, "import", "quiz", "numbers.xlsx")
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stdout.splitlines() if "warning[number-cell]" in line]
    assert [w.split(": ")[0] for w in warnings] == ["numbers.xlsx:2:3", "numbers.xlsx:2:4", "numbers.xlsx:2:5"]
    assert "开头的 0" in warnings[0]


def test_a_gbk_csv_as_chinese_excel_saves_it_is_read(fixture_project):
    lines = [",".join(HEADER), *(",".join("" if v is None else str(v) for v in row) for row in GOOD_ROWS)]
    (fixture_project / "gbk.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    run = outreach(fixture_project, "import", "quiz", "gbk.csv", "--title", "GBK 题库")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "warning[sheet-encoding]" in run.stdout
    data = yaml.safe_load((fixture_project / "content/quizzes/gbk.yaml").read_text(encoding="utf-8"))
    assert data["questions"][0]["question"] == GOOD_ROWS[0][1]


@pytest.mark.slow
def test_export_then_import_gives_the_same_questions(fixture_project, tmp_path):
    run = outreach(fixture_project, "export", "quiz", "basics", "--format", "xlsx", "-o", str(tmp_path / "basics.xlsx"))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = list(openpyxl.load_workbook(tmp_path / "basics.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "题型", "题目") and len(rows) > 1
    run = outreach(fixture_project, "import", "quiz", str(tmp_path / "basics.xlsx"), "--id", "again", "--title", "x")
    assert run.returncode == 0, run.stdout + run.stderr
    original = yaml.safe_load((fixture_project / "content/quizzes/basics.yaml").read_text(encoding="utf-8"))["questions"]
    again = yaml.safe_load((fixture_project / "content/quizzes/again.yaml").read_text(encoding="utf-8"))["questions"]
    keys = ("id", "kind", "question", "choices", "answer", "explanation", "scenario")
    assert [{k: q.get(k) for k in keys} for q in again] == [{k: q.get(k) for k in keys} for q in original]


@pytest.mark.slow
def test_an_existing_quiz_is_replaced_only_when_asked(fixture_project):
    sheet(fixture_project / "basics.xlsx", GOOD_ROWS)
    before = (fixture_project / "content/quizzes/basics.yaml").read_bytes()
    run = outreach(fixture_project, "import", "quiz", "basics.xlsx")
    assert run.returncode == 1 and "已存在" in run.stderr and "--force" in run.stderr
    assert (fixture_project / "content/quizzes/basics.yaml").read_bytes() == before
    assert outreach(fixture_project, "import", "quiz", "basics.xlsx", "--force").returncode == 0
    assert (fixture_project / "content/quizzes/basics.yaml").read_bytes() != before


def test_a_chinese_file_name_needs_an_id(fixture_project):
    sheet(fixture_project / "题库.xlsx", GOOD_ROWS)
    run = outreach(fixture_project, "import", "quiz", "题库.xlsx")
    assert run.returncode == 1 and "--id" in run.stderr and "Traceback" not in run.stderr
