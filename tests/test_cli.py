"""The `outreach` command as users run it: Chinese help, exit codes, output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, write

from outreach import __version__

ENGLISH_CHROME = ("Usage:", "Options", "Commands", "Show this message", "[OPTIONS]", "<bool>")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "outreach", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LANG": "C.UTF-8"}, timeout=120)


def test_help_is_chinese():
    result = run("--help")
    assert result.returncode == 0
    assert "反诈宣传素材生成工具" in result.stdout
    assert "选项" in result.stdout and "命令" in result.stdout and "用法" in result.stdout
    for word in ENGLISH_CHROME:
        assert word not in result.stdout


def command_names() -> list[str]:
    import typer.main

    from outreach.cli.commands import app

    group = typer.main.get_command(app)
    return sorted(group.commands)


@pytest.mark.parametrize("command", command_names())
def test_every_subcommand_help_is_chinese(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert re.search(r"[\u4e00-\u9fff]{4,}", result.stdout)
    for word in ENGLISH_CHROME:
        assert word not in result.stdout, (command, word)


@pytest.mark.parametrize("command", command_names())
def test_help_keeps_every_word_in_a_narrow_terminal(command):
    """Nothing cut with "…", nothing eaten as markup ([channels.名称]), lines within the width."""
    import typer.main

    from outreach.cli.commands import app
    from outreach.cli.help import display_width

    result = subprocess.run([sys.executable, "-m", "outreach", command, "--help"], cwd=REPO, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "60", "LANG": "C.UTF-8"}, timeout=120)
    assert result.returncode == 0, result.stderr
    joined = re.sub(r"\s+", "", result.stdout)
    group = typer.main.get_command(app)
    for param in group.commands[command].params:
        if getattr(param, "help", None):
            assert re.sub(r"\s+", "", param.help) in joined, (command, param.help)
    assert "…" not in result.stdout
    assert all(display_width(line) <= 60 for line in result.stdout.splitlines() if not line.startswith("用法")), \
        [line for line in result.stdout.splitlines() if display_width(line) > 60]


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"outreach {__version__}"


@pytest.mark.slow
def test_check_clean_library_exits_zero():
    result = run("check")
    assert result.returncode == 0, result.stdout
    assert "检查通过" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_reports_compiler_style_lines_and_exits_one(project):
    write(project, "content/scenarios/fake-loan.yaml", "title: 只有标题\nsumary: 拼错\n")
    result = run("check", cwd=project)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("content/")]
    assert "content/scenarios/fake-loan.yaml:2:1: error[unknown-key] 未知字段“sumary”。您是不是想写“summary”？" in lines
    assert all(re.match(r"^content/[^:]+:\d+:\d+: (error|warning)\[[a-z-]+\] .+", line) for line in lines)
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_warnings_alone_exit_zero_unless_strict(project):
    write(project, "content/tips/spacing.yaml",
          "title: 测试\nbody: 请拨打 110 报警\naudiences: [public]\nreview_by: 2099-01-01\n")
    assert run("check", cwd=project).returncode == 0
    assert run("check", "--strict", cwd=project).returncode == 1


def test_usage_error_exits_two():
    result = run("check", "--no-such-option")
    assert result.returncode == 2
    assert "没有这个选项" in result.stdout + result.stderr


def test_outside_a_project_is_a_usage_error(tmp_path):
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "outreach.toml" in result.stderr and "Traceback" not in result.stderr


def test_project_option(project, tmp_path):
    write(project, "content/tips/broken.yaml", "title: [\n")
    result = run("-C", str(project), "check", cwd=tmp_path)
    assert result.returncode == 1 and "content/tips/broken.yaml" in result.stdout


def test_check_json_format(project):
    write(project, "content/tips/broken.yaml", "title: 测试\nbody: 正文\naudiences: []\nreview_by: 2099-01-01\n")
    result = run("check", "--format", "json", cwd=project)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data == [{"file": "content/tips/broken.yaml", "line": 3, "column": 12, "severity": "error",
                     "code": "empty-list", "message": data[0]["message"]}]


@pytest.mark.parametrize("kind, least", [("scenarios", 14), ("tips", 10), ("quizzes", 2), ("scripts", 5),
                                         ("packs", 3), ("laws", 2), ("newsletters", 1)])
def test_list_json(kind, least):
    result = run("list", kind, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= least
    assert all(row["id"] and row["title"] for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def test_list_text():
    result = run("list", "packs")
    assert result.returncode == 0
    assert "elderly" in result.stdout and "社区老年人反诈宣传资料包" in result.stdout


def test_schema_writes_editor_schemas(project):
    result = run("schema", cwd=project)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (project / "build" / "schema").glob("*.json"))
    assert names == ["config.json", "law.json", "newsletter.json", "pack.json", "quiz.json", "scenario.json",
                     "script.json", "tip.json"]
    scenario = json.loads((project / "build" / "schema" / "scenario.json").read_text(encoding="utf-8"))
    assert scenario["additionalProperties"] is False
    assert set(scenario["required"]) == {"title", "category", "summary", "signs", "advice", "audiences", "review_by"}
    assert scenario["properties"]["audiences"]["items"]["enum"][:2] == ["elderly", "student"]


def test_doctor_reports_a_ready_machine():
    result = run("doctor")
    assert result.returncode == 0, result.stdout
    assert "中文字体" in result.stdout and "libharfbuzz-subset0" in result.stdout and "环境正常" in result.stdout
