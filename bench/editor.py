"""Benchmark: how fast the editor answers a keystroke, on the starter library.

Baseline, in the same process: `outreach check`'s own work (check_project) on the project.
Measured: the editor's check of one edited scenario (the same check with the edited text
standing in for the file), and the check plus the preview (poster PNG, SMS, texts) the
browser shows beside the form. The browser waits 600 ms after the last keystroke first.

Run: .venv/bin/python bench/editor.py   (prints figures; it asserts nothing)
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main(repeat: int = 5) -> None:
    from outreach.engine.precheck import check_project
    from outreach.preview.editor.api import EditorApi
    from outreach.preview.editor.params import CheckBody, ItemQuery

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        root.mkdir()
        shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
        shutil.copytree(REPO / "content", root / "content")
        api = EditorApi(root, Path(tmp) / "scratch")
        (Path(tmp) / "scratch").mkdir()
        values = json.loads(api.item(ItemQuery(kind="scenarios", id="fake-loan")).body)["values"]

        def edit(preview: bool):
            values["title"] = "虚假网络贷款诈骗" if values["title"] != "虚假网络贷款诈骗" else "当心虚假网贷"
            answer = api.check(CheckBody(kind="scenarios", id="fake-loan", values=values, preview=preview))
            assert answer.status == 200

        first = timed(lambda: edit(True), 1)[0]   # pays WeasyPrint's and the fonts' start-up
        baseline = timed(lambda: check_project(root), repeat)
        checked = timed(lambda: edit(False), repeat)
        previewed = timed(lambda: edit(True), repeat)
    base = statistics.median(baseline)
    print(f"outreach check（基线）          {base * 1000:7.0f} ms")
    for label, times in (("编辑器检查一条", checked), ("检查 + 预览（海报、短信）", previewed)):
        median = statistics.median(times)
        print(f"{label:<22}{median * 1000:7.0f} ms   {median / base:5.1f} × 基线")
    print(f"第一次预览（含启动排版引擎）    {first * 1000:7.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
