"""Benchmark: how soon the editor shows a poster after the user stops typing, on the starter library.

Baseline, in the same process: `outreach check`'s own work (check_project) on the project.
Measured, per edit of a scenario's title (median of N after warm-up):

- the editor's check of the edited scenario (the same check with the edited text standing in
  for the file);
- the first part of the preview the page asks for: the check plus the poster (its page drawn
  at the preview's width) — what the user waits for;
- the same first part when the edit brings a character no preview has drawn yet (the preview
  keeps each font's subset and grows it then: see preview/editor/quickpdf.py);
- the rest of the preview (the long image for 公众号, SMS, group text), asked for right after.

"Typing stops → poster shown" is the page's wait after the last keystroke (PREVIEW_DELAY, read
from static/editor.js) plus the first part. Each figure is printed as wall time and as CPU
time of this process, with the load average: on a shared, busy machine the wall time includes
waiting for a core and even the CPU time is inflated by the contention, so the ratios to the
baseline are what carries over to another machine (an idle one: the wait plus the first part's
ratio times `outreach check` there).

Run: .venv/bin/python bench/editor.py [N]   (prints figures; it asserts nothing)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EDITOR_JS = REPO / "src/outreach/preview/static/editor.js"


def preview_delay_ms() -> int:
    """The page's wait after the last keystroke, as editor.js declares it."""
    match = re.search(r"const PREVIEW_DELAY = (\d+);", EDITOR_JS.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit("static/editor.js declares no PREVIEW_DELAY")
    return int(match.group(1))


def timed(action, repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(repeat: int = 7) -> None:
    from outreach.engine.precheck import check_project
    from outreach.preview.editor.api import EditorApi
    from outreach.preview.editor.params import CheckBody, ItemQuery

    delay = preview_delay_ms() / 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        root.mkdir()
        shutil.copy(REPO / "outreach.toml", root / "outreach.toml")
        shutil.copytree(REPO / "content", root / "content")
        (Path(tmp) / "scratch").mkdir()
        api = EditorApi(root, Path(tmp) / "scratch")
        values = json.loads(api.item(ItemQuery(kind="scenarios", id="fake-loan")).body)["values"]
        state = {}

        unseen = iter("甲乙丙丁戊己庚辛壬癸寅卯辰巳午未申酉戌亥")   # characters no preview has drawn yet

        def ask(preview: bool, part: str = "all", retype: bool = True, new_glyph: bool = False) -> None:
            if new_glyph:   # typing a character the page has not shown: its font's kept subset grows
                values["title"] = "当心虚假网贷" + next(unseen)
            elif retype:
                values["title"] = "虚假网络贷款诈骗" if values["title"] != "虚假网络贷款诈骗" else "当心虚假网贷"
            answer = api.check(CheckBody(kind="scenarios", id="fake-loan", values=values, preview=preview,
                                         part=part, ticket=state.get("ticket")))
            assert answer.status == 200
            data = json.loads(answer.body)
            assert not data.get("stale") and data["errors"] == 0, data
            if part == "first":
                assert data["preview"][0]["label"].startswith("posters/"), data["preview"]
            state["ticket"] = data["ticket"]

        started = time.perf_counter(), time.process_time()
        api.items()            # what the page asks first: it starts the layout engine in the background
        api.warmed.join()      # (and keeps the fonts' subsets with the common characters: quickpdf.seed)
        warm = time.perf_counter() - started[0], time.process_time() - started[1]
        first = timed(lambda: ask(True, "first"), 1)   # the first poster still lays out once more (no gap count yet)
        ask(True)
        baseline = timed(lambda: check_project(root), repeat)
        checked = timed(lambda: ask(False), repeat)
        poster_times, rest_times = [], []
        for _ in range(repeat):
            poster_times.append(timed(lambda: ask(True, "first"), 1))
            rest_times.append(timed(lambda: ask(True, "rest", retype=False), 1))
        everything = timed(lambda: ask(True), repeat)
        new_glyph = timed(lambda: ask(True, "first", new_glyph=True), repeat)
    poster = tuple(statistics.median(t[i] for t in poster_times) for i in (0, 1))
    rest = tuple(statistics.median(t[i] for t in rest_times) for i in (0, 1))
    base_cpu = baseline[1]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"本机负载（1/5/15 分钟）：{load}；{os.cpu_count()} 核")
    print(f"{'':34}{'墙钟':>9}{'CPU':>9}   倍数（CPU/基线 CPU）")
    rows = (("outreach check（基线）", baseline), ("编辑器检查一条", checked),
            ("第一部分：检查 + 海报", poster), ("第一部分，打了一个新字", new_glyph),
            ("其余预览（长图、短信、群消息）", rest),
            ("一次做完：检查 + 全部预览", everything))
    for label, (wall, cpu) in rows:
        print(f"{label:<30}{wall * 1000:9.0f}{cpu * 1000:9.0f} ms   {cpu / base_cpu:5.1f} ×")
    print(f"{'列表打开到后台预热完成':<30}{warm[0] * 1000:9.0f}{warm[1] * 1000:9.0f} ms")
    print(f"{'打开后的第一次海报预览（已预热）':<30}{first[0] * 1000:9.0f}{first[1] * 1000:9.0f} ms")
    print(f"停止输入 → 海报预览：等待 {delay * 1000:.0f} ms + 第一部分 = {(delay + poster[0]) * 1000:.0f} ms（本次墙钟），"
          f"{(delay + poster[1]) * 1000:.0f} ms（本次 CPU 时间）；"
          f"换算：{delay * 1000:.0f} ms + {poster[1] / baseline[1]:.1f} × 那台机器上 outreach check 的时间")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
