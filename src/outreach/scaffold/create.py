"""New projects, new content files from skeletons, and ejecting built-in templates."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from string import Template

import tomlkit

from outreach.core import clock
from outreach.core.errors import OutreachError
from outreach.core.packagedata import SKELETONS_DIR, STARTER_DIR
from outreach.project.config import CONFIG_NAME
from outreach.project.diagnostics import shown, visible
from outreach.project.kinds import LAWS, NEWSLETTERS, PACKS, QUIZZES, SCENARIOS, SCRIPTS, TIPS, registry
from outreach.project.models import ID_RE, id_problem
from outreach.rendering.theme import Theme

SKELETONS = SKELETONS_DIR
STARTER = STARTER_DIR
UNFILLED = "（请填写"

# The items a fresh project starts with: one of each kind, all cross-referenced.
INIT_FILES = (f"{LAWS.folder}/anti-telecom-fraud.yaml", f"{LAWS.folder}/criminal-law.yaml",
              f"{SCENARIOS.folder}/fake-loan.yaml", f"{TIPS.folder}/answer-96110.yaml",
              f"{QUIZZES.folder}/community-basics.yaml", f"{SCRIPTS.folder}/talk-track-refund.yaml",
              f"{SCENARIOS.folder}/fake-customer-service.yaml", "stations.csv")


def creatable_names() -> list[str]:
    """What `outreach new` accepts: the singular names of the kinds made from a skeleton."""
    return [kind.name for kind in registry if kind.creatable]


class ScaffoldError(OutreachError):
    """Refused (would overwrite, bad id, unknown template); the message is for the user."""


ORGANISATION_BLANK = "（请填写单位名称）"
SIGNATURE_BLANK = "【请填写签名】"


def init_project(target: Path, example: bool, today: dt.date | None = None,
                 organisation: str | None = None, signature: str | None = None) -> list[Path]:
    """A new project. The user's unit and SMS signature go into outreach.toml; without them,
    visible blanks that `check` and `build` point out (never the example's names)."""
    today = today or clock.today()
    if (target / CONFIG_NAME).exists() or (target / "content").exists():
        raise ScaffoldError(f"{target} 里已经有项目（outreach.toml 或 content/），不会覆盖。")
    if signature and not signature.startswith("【"):
        signature = f"【{signature.strip('【】')}】"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    name = f"{target.resolve().name}反诈宣传素材"
    config = (STARTER / CONFIG_NAME).read_text(encoding="utf-8")
    replacements = {
        "# outreach 项目配置。示例单位和号码均为虚构。": f"# outreach 项目配置（{today.isoformat()} 新建）。",
        'name = "反诈宣传素材库（示例）"': f'name = "{_toml_text(name)}"',
        'organisation = "示例市公安局示例分局"': f'organisation = "{_toml_text(organisation or ORGANISATION_BLANK)}"',
        'sms_signature = "【示例派出所】"': f'sms_signature = "{_toml_text(signature or SIGNATURE_BLANK)}"',
        'title = "反诈宣传素材库（示例）"': f'title = "{_toml_text(name)}"',
        "published = 2026-11-20": f"published = {today.isoformat()}",
    }
    for old, new in replacements.items():
        if old not in config:
            raise ScaffoldError(f"内置的示例配置里找不到“{old}”：请向维护人员反馈。")
        config = config.replace(old, new)
    written.append(_write(target / CONFIG_NAME, config))
    content = target / "content"
    if example:
        shutil.copytree(STARTER / "content", content)
        written.append(content)
    else:
        copied_scenarios = {Path(p).stem for p in INIT_FILES if p.startswith(f"{SCENARIOS.folder}/")}
        for relpath in INIT_FILES:
            text = (STARTER / "content" / relpath).read_text(encoding="utf-8")
            # Quiz questions may point at scenarios the small project does not have.
            text = re.sub(r"(?m)^\s+scenario: ([a-z0-9-]+)\n",
                          lambda m: m.group(0) if m.group(1) in copied_scenarios else "", text)
            written.append(_write(content / relpath, text))
        written.append(_write(content / PACKS.folder / "community.yaml", _example_pack()))
        written.append(_write(content / NEWSLETTERS.folder / f"{today.isoformat()}.yaml", _example_newsletter(today)))
    (target / "templates").mkdir(exist_ok=True)
    written.append(_write(target / "templates/README.md", (SKELETONS / "templates-readme.md").read_text(encoding="utf-8")))
    written.append(_write(target / ".gitignore", (SKELETONS / "gitignore").read_text(encoding="utf-8")))
    readme = Template((SKELETONS / "project-readme.md").read_text(encoding="utf-8"))
    written.append(_write(target / "README.md", readme.safe_substitute(name=target.resolve().name)))
    return written


def _toml_text(value: str) -> str:
    """`value` as the inside of a TOML basic string, written by tomlkit: quotes, backslashes and
    line breaks escaped, so no name typed at `outreach init` adds or changes a setting."""
    return tomlkit.string(value).as_string()[1:-1]


def _example_pack() -> str:
    return (f"# yaml-language-server: $schema=../../build/schema/{PACKS.name}.json\n"
            "title: 社区反诈宣传资料包\naudience: public\n"
            "description: 示例资料包：一张海报、一条法律小贴士、一套有奖问答和一份劝阻话术。\n"
            "items:\n  - poster: fake-loan\n  - tip: answer-96110\n  - quiz: community-basics\n"
            "  - script: talk-track-refund\n")


def _example_newsletter(today: dt.date) -> str:
    return (f"# yaml-language-server: $schema=../../build/schema/{NEWSLETTERS.name}.json\n"
            f"date: {today.isoformat()}\ntitle: 反诈警务手机报（示例）\ncases:\n"
            "  - title: 急用钱点开“低息贷款”，张某被骗8000元\n"
            "    text: 辖区张某点开短信里的贷款App，对方以“卡号填错、资金冻结”为由要求先交解冻费，张某转账后才发觉被骗。\n"
            "focus: [fake-loan]\ntips: [answer-96110]\n")


def new_item(root: Path, kind: str, item_id: str, output_dir: str = "build", today: dt.date | None = None) -> Path:
    found = registry.named(kind)
    if found is None or not found.creatable:
        raise ScaffoldError(f"不认识的类别“{kind}”，可选：{'、'.join(creatable_names())}。")
    why_not = id_problem(item_id)
    if why_not:
        raise ScaffoldError(f"编号“{shown(item_id)}”不能用：{why_not}。")
    path = root / "content" / found.folder / f"{item_id}.yaml"
    existing = [p for p in path.parent.glob(f"{item_id}.*") if p.suffix in found.suffixes] if path.parent.is_dir() else []
    if existing:
        raise ScaffoldError(f"{existing[0].relative_to(root)} 已经存在，不会覆盖。")
    today = today or clock.today()
    # The schema path goes into a comment line: a folder name YAML could read as two lines
    # (U+2028 is a line end to it) falls back to the default rather than add a field.
    folder_name = output_dir if visible(output_dir) == output_dir and "\x85" not in output_dir else "build"
    schema = f"../../{folder_name}/schema/{found.name}.json"
    skeleton = Template((SKELETONS / found.skeleton_name).read_text(encoding="utf-8"))
    text = skeleton.safe_substitute(schema=schema, id=item_id, review_by=(today + dt.timedelta(days=182)).isoformat(),
                                    items=_pack_items(root), pack_keys="、".join(k.pack_item or "" for k in registry.pack_kinds()))
    return _write(path, text)


def _pack_items(root: Path) -> str:
    """Pre-fill a new pack with the project's first poster and tip, so it is a working example."""
    lines = []
    for kind in (SCENARIOS, TIPS):
        # Only names that are ids: the stem is written into the YAML text as it is.
        found = sorted(p.stem for p in (root / "content" / kind.folder).glob("*.yaml") if ID_RE.match(p.stem))
        lines.append(f"  - {kind.pack_item}: {found[0] if found else UNFILLED + '：编号）'}")
    return "\n".join(lines)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    description: str
    overridden: bool


def list_templates(theme: Theme) -> list[TemplateInfo]:
    from outreach.outputs.registry import all_renderers

    described: dict[str, str] = {}
    for renderer in all_renderers().values():
        described.update(renderer.templates_described)
    return [TemplateInfo(name, described.get(name, ""), theme.is_overridden(name)) for name in theme.builtin_names()]


def eject(theme: Theme, names: list[str]) -> list[Path]:
    builtin = theme.builtin_names()
    problems = []
    for name in names:
        if name not in builtin:
            guess = difflib.get_close_matches(name, builtin, n=1, cutoff=0.5)
            problems.append(f"内置主题里没有“{name}”" + (f"，您是不是想写“{guess[0]}”？" if guess else "。"))
        elif (theme.project_dir / name).exists():
            problems.append(f"templates/{name} 已经存在，不会覆盖（可先删除或改名）。")
    if problems:
        raise ScaffoldError("\n".join(problems))
    copied = []
    for name in names:
        destination = theme.project_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(theme.builtin_dir / name, destination)
        copied.append(destination)
    return copied


def diff_templates(theme: Theme) -> list[tuple[str, str]]:
    """(name, report) for each project template: a unified diff against the current built-in."""
    reports = []
    for name in theme.project_names():
        if name == ".gitkeep" or name.lower() == "readme.md":
            continue   # the folder's notes, not templates
        ours = (theme.project_dir / name).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        original = theme.builtin_dir / name
        if not original.is_file():
            reports.append((name, "新增：内置主题没有这个文件（只有你的模板引用它时才会用到）。\n"))
            continue
        theirs = original.read_text(encoding="utf-8").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(theirs, ours, f"内置主题/{name}", f"templates/{name}"))
        reports.append((name, diff or "与内置主题相同（可以删除，不影响结果）。\n"))
    return reports
