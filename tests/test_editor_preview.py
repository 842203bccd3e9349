"""Issue 29 item 8: the editor's poster preview soon after typing stops.

The page asks for the preview in two parts (the check with the poster, then the item's other
outputs), a request the user has typed past renders nothing, and the poster's picture is drawn
at the preview's width only. Function-level: the editor's API called as the server calls it,
on a copy of the small fixture project (the browser side is in test_editor.py).
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import MINI_PROJECT
from PIL import Image

from outreach.preview.editor.api import EditorApi
from outreach.preview.editor.params import CheckBody, ItemQuery
from outreach.preview.editor.workbench import PREVIEW_WIDTH


@pytest.fixture
def api(tmp_path) -> EditorApi:
    root = tmp_path / "mini"
    shutil.copytree(MINI_PROJECT, root)
    (tmp_path / "scratch").mkdir()
    return EditorApi(root, tmp_path / "scratch")


def values_of(api: EditorApi) -> dict:
    return json.loads(api.item(ItemQuery(kind="scenarios", id="fake-loan")).body)["values"]


def ask(api: EditorApi, values: dict, part: str = "all", ticket: int | None = None) -> dict:
    answer = api.check(CheckBody(kind="scenarios", id="fake-loan", values=values, preview=True, part=part, ticket=ticket))
    assert answer.status == 200
    return json.loads(answer.body)


def scratch_file(api: EditorApi, url: str) -> Path:
    return api.scratch / url.removeprefix("/edit/scratch/")


@pytest.mark.slow
def test_the_poster_comes_first_and_the_rest_after(api):
    values = values_of(api)
    values["title"] = "网贷先交钱，必是诈骗"
    whole = ask(api, values)
    first = ask(api, values, "first")
    # The first part is the check and the poster alone: what the user waits for.
    assert first["errors"] == 0 and first["more"] is True
    assert [(p["type"], p["label"]) for p in first["preview"]] == [("image", "posters/fake-loan.png")]
    rest = ask(api, values, "rest", first["ticket"])
    assert rest["more"] is False and not any(p["label"].startswith("posters/") for p in rest["preview"])
    # Together they show what one request for everything shows, the poster first.
    assert [p["label"] for p in first["preview"] + rest["preview"]] == \
        [p["label"] for p in sorted(whole["preview"], key=lambda p: not p["label"].startswith("posters/"))]
    assert any(p["type"] == "text" and "网贷先交钱，必是诈骗" in p["text"] for p in rest["preview"])


def test_the_poster_picture_is_drawn_at_the_preview_width(api):
    first = ask(api, values_of(api), "first")
    [poster] = first["preview"]
    picture = Image.open(io.BytesIO(scratch_file(api, poster["url"]).read_bytes()))
    # Not the build's picture for WeChat (posters.png_width): the page shows it at this width.
    assert picture.width == PREVIEW_WIDTH < 1080 and picture.height > picture.width
    assert scratch_file(api, poster["pdf"]).read_bytes().startswith(b"%PDF")


def test_a_preview_the_user_has_typed_past_renders_nothing(api):
    values = values_of(api)
    older, newer = dict(values, title="当心虚假网贷"), dict(values, title="网贷先交钱，必是诈骗")
    answers: dict[str, dict] = {}

    def request(name: str, typed: dict) -> None:
        answers[name] = ask(api, typed, "first")

    # An older preview is still being drawn (the lock is held) when two checks arrive, one
    # after the other: the first of them has been typed past by the time it could render.
    with api.previewer.lock:
        first = threading.Thread(target=request, args=("older", older))
        first.start()
        deadline = time.monotonic() + 60
        while api._tickets.get(("scenarios", "fake-loan")) != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        second = threading.Thread(target=request, args=("newer", newer))
        second.start()
        while api._tickets.get(("scenarios", "fake-loan")) != 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        serial = api.previewer.serial
    first.join(120)
    second.join(120)
    assert answers["older"] == {"stale": True, "ticket": 1}
    assert answers["newer"]["ticket"] == 2 and answers["newer"]["preview"][0]["label"] == "posters/fake-loan.png"
    assert api.previewer.serial == serial + 1, "only the newer text was rendered"
    # The rest of the older preview is not drawn either.
    assert ask(api, older, "rest", 1) == {"stale": True, "ticket": 1}
    assert ask(api, newer, "rest", 2)["preview"]


@pytest.mark.slow
def test_the_article_is_offered_as_a_link_not_drawn_in_the_editor(api):
    """The 公众号 article is build HTML: the editor links to it (served sandboxed), it does not
    put it into its own page."""
    values = values_of(api)
    rest = ask(api, values, "rest", ask(api, values, "first")["ticket"])
    [article] = [p for p in rest["preview"] if p.get("url", "").endswith("articles/fake-loan.html")]
    assert article["type"] == "link" and "html" not in article
    assert "<section" in scratch_file(api, article["url"]).read_text(encoding="utf-8")
