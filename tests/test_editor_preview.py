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


def poster_as_built(root: Path) -> bytes:
    """The poster's PDF as a build writes it, in a process that never drew a preview."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from outreach.buildspec.options import BuildOptions\n"
        "from outreach.outputs.base import RenderContext\n"
        "from outreach.outputs.posters import PosterRenderer\n"
        "from outreach.project.loader import load_library\n"
        "from outreach.project.outputdir import output_dir\n"
        "from outreach.rendering.theme import Theme\n"
        "root = Path(sys.argv[1])\n"
        "library, _ = load_library(root)\n"
        "ctx = RenderContext(root=root, library=library, options=BuildOptions(), theme=Theme(root), out_dir=output_dir(root))\n"
        "renderer = PosterRenderer()\n"
        "[target] = [t for t in renderer.plan(library, BuildOptions()) if t.id == 'posters/fake-loan']\n"
        "[result] = renderer.render_batch([target], ctx)\n"
        "sys.stdout.buffer.write(result.outputs['posters/fake-loan.pdf'])\n")
    return subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, check=True).stdout


def poster_in_this_process(root: Path) -> tuple[bytes, bytes]:
    """The poster's PDF as a build writes it, and its page as WeasyPrint itself writes it (the
    build's file before its fonts are finished: what the preview drew before it had its own writer)."""
    from outreach.buildspec.options import BuildOptions
    from outreach.outputs.base import RenderContext
    from outreach.outputs.posters import PosterRenderer
    from outreach.project.loader import load_library
    from outreach.project.outputdir import output_dir
    from outreach.rendering.theme import Theme

    library, _ = load_library(root)
    ctx = RenderContext(root=root, library=library, options=BuildOptions(), theme=Theme(root), out_dir=output_dir(root))
    renderer = PosterRenderer()
    [target] = [t for t in renderer.plan(library, BuildOptions()) if t.id == "posters/fake-loan"]
    [result] = renderer.render_batch([target], ctx)
    return result.outputs["posters/fake-loan.pdf"], renderer.laid_out(target, ctx, []).write_pdf()


def test_each_font_is_subset_once_while_the_page_needs_no_new_glyph(api, monkeypatch):
    """Subsetting a CJK font was most of the time spent writing the preview's page: the
    preview keeps each face's subset and grows it only for a glyph it has not drawn yet."""
    from weasyprint.pdf.fonts import Font

    subsets: list[str] = []
    original = Font._harfbuzz_subset

    def counted(font, to_unicode, hinting):
        subsets.append(font.family)
        return original(font, to_unicode, hinting)

    monkeypatch.setattr(Font, "_harfbuzz_subset", counted)
    values = values_of(api)
    for title in ("当心虚假网贷", "网贷先交钱，必是诈骗"):
        assert ask(api, dict(values, title=title), "first")["preview"][0]["type"] == "image"
    subsets.clear()
    answer = ask(api, dict(values, title="当心虚假网贷"), "first")   # typed back: every glyph drawn before
    assert answer["preview"][0]["type"] == "image" and subsets == []
    answer = ask(api, dict(values, title="当心虚假网贷：鳕鳟鳙"), "first")   # new glyphs: their face grows
    assert answer["preview"][0]["type"] == "image" and subsets


def test_common_characters_are_in_the_kept_subsets_from_the_start(api, monkeypatch):
    """The editor's warm-up subsets each face to the common characters (GB 2312 level 1): typing
    new text then rarely costs a subset."""
    from weasyprint.pdf.fonts import Font

    api.items()   # what the page asks first: it starts the warm-up
    api.warmed.join()
    subsets: list[str] = []
    original = Font._harfbuzz_subset
    monkeypatch.setattr(Font, "_harfbuzz_subset", lambda font, *args: subsets.append(font.family) or original(font, *args))
    values = values_of(api)
    for title in ("甲乙网贷诈骗", "丙丁网贷诈骗"):   # characters no page here has shown
        assert ask(api, dict(values, title=title), "first")["preview"][0]["type"] == "image"
    assert subsets == []


@pytest.mark.slow
def test_the_preview_draws_the_page_the_build_prints(api):
    """The preview's page is written its own (faster) way: drawn, it is the page WeasyPrint writes
    for the build, pixel for pixel; and a build in the same process afterwards writes the same
    bytes as one in a process that never previewed."""
    from outreach.rendering.pdf import pdf_to_png

    values = values_of(api)
    ask(api, dict(values, title="网贷先交钱，必是诈骗"), "first")   # the kept subsets hold more glyphs than the page's
    [poster] = ask(api, values, "first")["preview"]
    built, page = poster_in_this_process(api.root)
    assert built == poster_as_built(api.root)
    # Drawn in full colour (the picture's 256-colour palette is fitted to each image anew).
    shown = Image.open(io.BytesIO(pdf_to_png(scratch_file(api, poster["pdf"]).read_bytes(), PREVIEW_WIDTH, colors=0)))
    written = Image.open(io.BytesIO(pdf_to_png(page, PREVIEW_WIDTH, colors=0)))
    assert shown.size == written.size and shown.width == PREVIEW_WIDTH
    assert shown.convert("RGB").tobytes() == written.convert("RGB").tobytes()
