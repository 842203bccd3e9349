"""The editor's HTTP API under /edit/: JSON in, JSON out, one method per action.

Every state-changing request must come from the editor page this server handed out: it
carries the session's token (in the page, never in a cookie another site's form could
send) and an Origin of this server; the Host check against DNS rebinding is done before
anything here runs. Paths are never taken from the request: a kind and an id name a file
that must already be under content/.
"""

from __future__ import annotations

import functools
import gc
import hmac
import json
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from outreach.core import clock
from outreach.core.errors import OutreachError
from outreach.engine.precheck import check_project
from outreach.preview.editor import forms, settings, stationsheet
from outreach.preview.editor.plain import plain, plain_form
from outreach.preview.editor.store import Conflict, EditorError, Store, digest
from outreach.preview.editor.workbench import Checked, Previewer, check_values, problem_dict
from outreach.project.config import CONFIG_NAME, load_config
from outreach.project.kinds import QUIZZES, registry
from outreach.project.yamledit import rewritable
from outreach.project.yamlsource import parse_yaml

MAX_JSON_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
BANK_SUFFIXES = (".xlsx", ".csv")


@dataclass
class Reply:
    status: int
    body: bytes
    media_type: str = "application/json; charset=utf-8"


def reply(data: Any, status: int = HTTPStatus.OK) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))


def saved(data: dict) -> Reply:
    """A change written to disk: `saved_at` lets the page match it to the rebuild it causes
    (the server's build events carry when each build started)."""
    return reply(data | {"saved_at": time.time()})


def refusal(message: str, status: int = HTTPStatus.BAD_REQUEST) -> Reply:
    return reply({"error": message}, status)


class EditorApi:
    def __init__(self, root: Path, scratch: Path, options=None) -> None:
        self.root = root
        self.store = Store(root)
        self.scratch = scratch
        self.previewer = Previewer(root, scratch, options)
        self.token = secrets.token_urlsafe(32)
        self.write_lock = threading.Lock()   # one save at a time: history and conflict checks see each other
        self._tickets: dict[tuple[str, str], int] = {}   # per item: how many checks have arrived
        self._ticket_lock = threading.Lock()
        self._last_checked: tuple[tuple, Checked | None] = ((), None)
        self.warmed: threading.Thread | None = None

    def close(self) -> None:
        """Nothing to release yet; the server calls it when it stops."""

    # --- security -----------------------------------------------------------------------

    def token_ok(self, token: str) -> bool:
        return hmac.compare_digest(token.encode("utf-8", "replace"), self.token.encode("ascii"))

    # --- reading ------------------------------------------------------------------------

    def warm(self) -> None:
        """Start the layout engine and read the fonts in the background, once: the page asks for
        the list of items first, and the first preview would otherwise wait about a second for them."""
        if self.warmed is None:
            self.warmed = threading.Thread(target=self._warm_up, name="outreach-editor-warm", daemon=True)
            self.warmed.start()

    def _warm_up(self) -> None:
        from outreach.preview.editor.quickpdf import seed
        from outreach.rendering.pdf import warm_up

        config, _ = load_config(self.root)
        if config is None:
            return   # the settings page reports it; the first preview starts the engine itself
        with self.previewer.lock:   # previews lay out with the same font configuration
            warm_up(config.theme.font_family)
            import pypdfium2  # noqa: F401  (the preview's rasteriser)
            seed(config.theme.font_family)
        # What is loaded by now (layout engine, fonts, templates, the parsed library) lives as long
        # as the editor: kept out of the collector's full passes, which otherwise walk all of it
        # every few keystrokes (about a tenth of a preview's time).
        gc.collect()
        gc.freeze()

    def items(self) -> Reply:
        self.warm()
        libraries: list = []
        diagnostics = check_project(self.root, library_out=libraries)
        library = libraries[0] if libraries else None
        per_file: dict[str, list[int]] = {}
        for diagnostic in diagnostics:
            counts = per_file.setdefault(diagnostic.file, [0, 0])
            counts[0 if diagnostic.is_error else 1] += 1
        kinds = []
        for content_kind in registry:
            kind, entries = content_kind.folder, []
            for path in self.store.files(kind):
                item_id = path.stem
                relpath = self.store.relpath(path)
                item = library.get(kind, item_id) if library else None
                errors, warnings = per_file.get(relpath, [0, 0])
                entries.append({"id": item_id, "title": item.title if item else item_id, "file": relpath,
                                "errors": errors, "warnings": warnings,
                                "status": library.status(kind, item_id) if library and content_kind.reviewable else None,
                                "readonly": path.suffix.lower() == ".md"})
            kinds.append({"kind": kind, "label": content_kind.label, "items": entries,
                          "can_create": content_kind.creatable})
        sheet = stationsheet.station_file(self.root)
        stations = None
        if sheet is not None:
            relpath = self.store.relpath(sheet)
            errors, warnings = per_file.get(relpath, [0, 0])
            stations = {"file": relpath, "errors": errors, "warnings": warnings,
                        "count": len(library.stations) if library else 0}
        config_counts = per_file.get(CONFIG_NAME, [0, 0])
        return reply({"kinds": kinds, "stations": stations,
                      "settings": {"errors": config_counts[0], "warnings": config_counts[1]}})

    def item(self, query) -> Reply:
        kind, item_id = query.kind, query.id
        path = self.store.existing(kind, item_id)
        raw = self.store.read(path)
        relpath = self.store.relpath(path)
        readonly = path.suffix.lower() == ".md"
        libraries: list = []
        diagnostics = check_project(self.root, library_out=libraries)
        values, source, _ = parse_yaml(raw, relpath) if not readonly else (None, None, [])
        text = raw.decode("utf-8", errors="replace")
        library = libraries[0] if libraries else None
        return reply({
            "kind": kind, "id": item_id, "file": relpath, "label": forms.kind_labels().get(kind, kind),
            "form": plain_form(forms.form_for(kind), kind), "choices": forms.choices(library),
            # None: a file the form cannot show (Markdown, or not a YAML mapping); its text is shown instead.
            "values": values if isinstance(values, dict) and rewritable(text) else None,
            "text": text, "digest": digest(raw),
            "problems": _plain([problem_dict(d, source) for d in diagnostics if d.file == relpath], kind),
            "readonly": readonly, "reviewable": registry[kind].reviewable, "today": clock.today().isoformat(),
        })

    def history(self, query) -> Reply:
        """Each saved version, newest first, with who replaced it, how, and what that change did."""
        from outreach.preview.editor.changes import changed_fields

        path = self.store.existing(query.kind, query.id)
        versions = self.store.history(path)
        newer = self.store.read(path).decode("utf-8", errors="replace")
        for version in versions:
            older = self.store.version_text(path, version["version"])
            version["changes"] = changed_fields(query.kind, older, newer) if path.suffix.lower() != ".md" else []
            newer = older
        return reply({"versions": versions})

    def version(self, query) -> Reply:
        return reply({"text": self.store.version_text(self.store.existing(query.kind, query.id), query.version)})

    def settings(self) -> Reply:
        values, text = settings.current_values(self.root)
        _, problems = load_config(self.root)
        return reply({"form": plain_form(settings.settings_form(), "settings"), "values": values,
                      "digest": digest(text.encode("utf-8")),
                      "problems": _plain(settings.located(problems, text), "settings")})

    def station_sheet(self) -> Path:
        path = stationsheet.station_file(self.root)
        if path is None:
            raise EditorError("项目里没有站点表（content/stations.csv 或 stations.xlsx）。")
        if not self.store.is_content_file(path):
            raise EditorError(f"{self.store.relpath(path)} 是指向 content/ 之外（或隐藏文件）的链接：编辑器不打开它。")
        return path

    def stations(self) -> Reply:
        path = self.station_sheet()
        relpath = self.store.relpath(path)
        table = stationsheet.read_table(path, relpath)
        raw = path.read_bytes()
        problems = stationsheet.check_bytes(self.root, path, relpath, raw)
        return reply(table | {"file": relpath, "digest": digest(raw), "problems": [_cell(d) for d in problems],
                              "enabled": self._stations_enabled()})

    def _stations_enabled(self) -> bool:
        config, _ = load_config(self.root)
        return bool(config is not None and config.stations.enabled)

    # --- changing ------------------------------------------------------------------------

    def save_stations(self, body) -> Reply:
        rows = body.rows
        if len(rows) > stationsheet.MAX_EDITED_ROWS:
            raise EditorError("请求里的站点表行数太多。")
        with self.write_lock:
            path = self.station_sheet()
            relpath = self.store.relpath(path)
            width = len(stationsheet.read_table(path, relpath)["header"])
            if any(len(r) > width for r in rows):
                raise EditorError("有的行比表头的列还多。")
            # Rows left completely blank are dropped, as Excel users expect of an empty line.
            data = stationsheet.new_bytes(path, [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)])
            problems = stationsheet.check_bytes(self.root, path, relpath, data)
            errors = sum(d.is_error for d in problems)
            if errors:
                return reply({"saved": False, "problems": [_cell(d) for d in problems],
                              "message": f"有 {errors} 处错误，没有保存：站点表保持原样。"}, HTTPStatus.UNPROCESSABLE_ENTITY)
            try:
                changed = data != path.read_bytes()
                new_digest = self.store.save_bytes(path, data, body.base, _note(body.author, "保存"))
            except Conflict as conflict:
                return reply({"saved": False, "conflict": True, "disk_digest": conflict.disk_digest,
                              "message": "站点表在您打开之后被修改过（可能在 Excel 里）。请重新打开后再改。"}, HTTPStatus.CONFLICT)
        if not changed:
            message = "站点表没有改动。"
        elif self._stations_enabled():
            message = "站点表已保存，正在重新生成各派出所的资料包和联系卡……"
        else:
            message = ("站点表已保存。现在没有开启“为每个派出所生成资料包和警民联系卡”（在“项目设置”里），"
                       "所以不会生成派出所资料包。")
        return saved({"saved": True, "changed": changed, "digest": new_digest,
                      "problems": [_cell(d) for d in problems], "message": message})

    def check(self, body) -> Reply:
        """The item checked with the form's values, and its preview: all of it, or in two parts
        (`part` "first": the check and the first target, e.g. a scenario's poster; "rest": the
        other targets of the same values, with the `ticket` the first part answered). A request
        overtaken by a newer one for the item (the user typed on) answers `stale` and renders
        nothing: the page has dropped it, and the newer one need not wait for it."""
        kind, item_id = body.kind, body.id
        path = self.store.existing(kind, item_id)
        if body.part == "rest":
            ticket = body.ticket
            checked = self._recent(kind, path, body.values)
        else:
            ticket = self._arrived(kind, item_id)
            checked = self._checked(kind, path, body.values)
            self._last_checked = (self._check_key(kind, path, body.values), checked)
        current = functools.partial(self._is_current, kind, item_id, ticket)
        preview: list[dict] | None = []
        left = 0
        if body.preview and checked.errors == 0 and checked.library is not None \
                and checked.library.get(kind, item_id) is not None:
            try:
                preview, left = self.previewer.render_part(checked.library, self.store.relpath(path), body.part, current)
            except OutreachError as problem:
                preview = [{"type": "error", "label": "预览", "message": str(problem)}]
        if preview is None:
            return reply({"stale": True, "ticket": ticket})
        return reply({"problems": _plain(checked.problems, kind), "errors": checked.errors,
                      "elsewhere": checked.elsewhere, "preview": preview, "sms": checked.sms,
                      "ticket": ticket, "more": left > 0})

    def _arrived(self, kind: str, item_id: str) -> int:
        with self._ticket_lock:
            ticket = self._tickets.get((kind, item_id), 0) + 1
            self._tickets[(kind, item_id)] = ticket
            return ticket

    def _is_current(self, kind: str, item_id: str, ticket: int | None) -> bool:
        return ticket is None or self._tickets.get((kind, item_id)) == ticket

    def _check_key(self, kind: str, path: Path, values: Any) -> tuple:
        return (kind, str(path), path.read_bytes(), json.dumps(values, sort_keys=True, ensure_ascii=False, default=str))

    def _recent(self, kind: str, path: Path, values: Any) -> Checked:
        """The check of these values made for the first part of the preview (checked again when
        the file or the values are not the ones it was made for)."""
        key, checked = self._last_checked
        if key != self._check_key(kind, path, values) or checked is None:
            checked = self._checked(kind, path, values)
        return checked

    def save(self, body) -> Reply:
        kind, item_id = body.kind, body.id
        with self.write_lock:
            path = self.store.existing(kind, item_id)
            checked = self._checked(kind, path, body.values)
            if checked.errors:
                return reply({"saved": False, "problems": _plain(checked.problems, kind), "errors": checked.errors,
                              "message": f"有 {checked.errors} 处错误，没有保存：文件保持原样。"},
                             HTTPStatus.UNPROCESSABLE_ENTITY)
            try:
                changed = checked.text.encode("utf-8") != path.read_bytes()
                action = "审核通过" if body.approve else "保存"
                new_digest = self.store.save(path, checked.text, body.base, _note(body.author, action))
            except Conflict as conflict:
                return reply({"saved": False, "conflict": True, "disk_text": conflict.disk_text,
                              "disk_digest": conflict.disk_digest, "mine_text": checked.text,
                              "message": "文件在您打开之后被修改过（另一个窗口、别的编辑器或同步）。请选择保留哪个版本。"},
                             HTTPStatus.CONFLICT)
        if not changed:
            message = "没有改动，不需要保存。"
        elif body.approve:
            message = "已审核通过并保存，正在重新生成……"
        else:
            message = "已保存，正在重新生成……"
        return saved({"saved": True, "changed": changed, "digest": new_digest, "problems": _plain(checked.problems, kind),
                      "message": message})

    def restore(self, body) -> Reply:
        kind, item_id = body.kind, body.id
        with self.write_lock:
            path = self.store.existing(kind, item_id)
            text = self.store.version_text(path, body.version)
            when = self.store.version_time(body.version)
            try:
                changed = text.encode("utf-8") != path.read_bytes()
                new_digest = self.store.save(path, text, body.base, _note(body.author, f"恢复到 {when} 的版本"))
            except Conflict as conflict:
                return reply({"conflict": True, "disk_digest": conflict.disk_digest,
                              "message": "文件刚被修改过，请重新打开后再恢复。"}, HTTPStatus.CONFLICT)
        message = f"已恢复到 {when} 的版本，正在重新生成……" if changed else f"{when} 的版本和现在的内容一样，没有改动。"
        return saved({"restored": True, "changed": changed, "digest": new_digest, "message": message})

    def create(self, body) -> Reply:
        from outreach.project.outputdir import output_dir
        from outreach.scaffold.create import new_item

        kind, item_id = body.kind, body.id
        if not registry[kind].creatable:
            raise EditorError(f"{registry[kind].label}不能在编辑器里新建：请复制一个已有的文件。")
        with self.write_lock:
            path = new_item(self.root, registry[kind].name, item_id,
                            output_dir=output_dir(self.root).relative_to(self.root).as_posix())
            if body.title.strip():
                self._set_title(path, body.title.strip())
        return reply({"created": True, "kind": kind, "id": item_id, "file": self.store.relpath(path)})

    def _set_title(self, path: Path, title: str) -> None:
        """The title the user typed goes into the new file through the YAML writer, never pasted as text."""
        from outreach.core.fsutil import atomic_write
        from outreach.project.yamledit import merged_text

        text = path.read_text(encoding="utf-8")
        values, _, _ = parse_yaml(text.encode("utf-8"), self.store.relpath(path))
        if isinstance(values, dict):
            atomic_write(path, merged_text(text, {**values, "title": title}))

    def suggest_id(self, query) -> Reply:
        from outreach.preview.editor.naming import suggest_id

        taken = {path.stem for path in self.store.files(query.kind)}
        return reply({"id": suggest_id(query.title, taken, fallback=registry[query.kind].name)})

    def delete(self, body) -> Reply:
        kind, item_id = body.kind, body.id
        with self.write_lock:
            path = self.store.existing(kind, item_id)
            moved = self.store.trash(path)
        return reply({"deleted": True, "trash": self.store.relpath(moved),
                      "message": f"已移到 {self.store.relpath(moved)}，需要时可以从那里找回。"})

    def save_settings(self, body) -> Reply:
        from outreach.core.fsutil import atomic_write

        with self.write_lock:
            path = self.root / CONFIG_NAME
            current = path.read_bytes()
            base = body.base
            if base is not None and digest(current) != base:
                return reply({"saved": False, "conflict": True, "disk_text": current.decode("utf-8", "replace"),
                              "disk_digest": digest(current),
                              "message": "outreach.toml 在您打开之后被修改过，请重新打开项目设置。"}, HTTPStatus.CONFLICT)
            bom = "\ufeff" if current.startswith(b"\xef\xbb\xbf") else ""
            text = bom + settings.merged_config(current.decode("utf-8-sig"), body.values)
            config, problems = load_config(self.root, text=text)
            if config is None:
                return reply({"saved": False, "problems": _plain(settings.located(problems, text), "settings"),
                              "message": "设置有错误，没有保存：文件保持原样。"}, HTTPStatus.UNPROCESSABLE_ENTITY)
            changed = text.encode("utf-8") != current
            if changed:
                self.store.remember(path, current, _note(body.author, "修改项目设置"))
                atomic_write(path, text)
        return saved({"saved": True, "changed": changed, "digest": digest(text.encode("utf-8")),
                      "problems": _plain(settings.located(problems, text), "settings"),
                      "message": "项目设置已保存，正在重新生成……" if changed else "设置没有改动。"})

    def upload_logo(self, data: bytes) -> Reply:
        return reply({"logo": settings.save_logo(self.root, data)})

    def import_bank(self, data: bytes, query) -> Reply:
        from outreach.scaffold.quizbank import import_bank

        name = Path(query.filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in BANK_SUFFIXES:
            raise EditorError("题库请用 .xlsx 或 .csv 文件。")
        if suffix == ".xlsx" and not data.startswith(b"PK\x03\x04"):
            raise EditorError("这个 .xlsx 文件不是 Excel 工作簿（内容不对），请在 Excel/WPS 里另存为 .xlsx 后再上传。")
        quiz_id = query.id
        replacing = self.store.path_of(QUIZZES.folder, quiz_id)
        with self.write_lock, tempfile.TemporaryDirectory(prefix="outreach-bank-") as folder:
            sheet = Path(folder) / (Path(name).stem[:60] + suffix)
            sheet.write_bytes(data)
            if replacing is not None and query.force:
                self.store.remember(replacing, replacing.read_bytes())
            path, problems = import_bank(self.root, sheet, quiz_id, query.title or None, force=query.force)
        shown = [{"severity": d.severity.value, "code": d.code, "message": d.message, "row": d.line,
                  "column": d.column, "where": d.format()} for d in problems]
        if path is None:
            errors = sum(d.is_error for d in problems)
            return reply({"imported": False, "problems": shown,
                          "message": f"没有导入：题库里有 {errors} 处错误，请在表格里改好后再上传。"},
                         HTTPStatus.UNPROCESSABLE_ENTITY)
        return reply({"imported": True, "kind": QUIZZES.folder, "id": quiz_id, "file": self.store.relpath(path), "problems": shown})

    def _checked(self, kind: str, path: Path, values: Any) -> Checked:
        if path.suffix.lower() == ".md":
            raise EditorError("这个脚本是 Markdown 文件，请用文本编辑器修改。")
        if not isinstance(values, dict):
            raise EditorError("请求里没有表单内容。")
        original = path.read_bytes().decode("utf-8", errors="replace")   # not read_text: CRLF stays CRLF
        try:
            return check_values(self.root, self.store.relpath(path), original, kind, values)
        except YAMLError as problem:   # YAML 1.2 rules (ruamel) refusing what the 1.1 loader took
            raise EditorError(f"编辑器无法安全地改写这个文件（{type(problem).__name__}）：请用文本编辑器修改。") from None


def _cell(diagnostic) -> dict:
    """A station sheet problem, at its row (line) and column as the table shows them."""
    return {"row": diagnostic.line, "column": diagnostic.column, "severity": diagnostic.severity.value,
            "code": diagnostic.code, "message": plain(diagnostic.message), "line": diagnostic.line}


def _plain(problems: list[dict], kind: str) -> list[dict]:
    """Problems as the editor shows them: in the form's words (see plain.py)."""
    return [problem | {"message": plain(problem["message"], kind)} for problem in problems]


def _note(author: str, action: str) -> dict:
    return {"author": author.strip(), "action": action}
