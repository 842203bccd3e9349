"""The preview index lists every output of the last build, as each renderer describes its roles:
tips, scripts, newsletters, station packs and a plugin's kind as well as posters; every link and
picture on the page (and in the editor's previews) answers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from conftest import build_project
from editorserver import Server
from test_plugins import install_plugin


@pytest.fixture
def served_fixture(fixture_project):
    from outreach.preview.server import PreviewServer

    assert build_project(fixture_project, stations=True).ok
    server = PreviewServer(fixture_project, 0)
    server.state.publish([], "已更新。", True)
    thread = server.serve_in_thread()
    yield server
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.slow
def test_every_output_is_listed_and_every_link_answers(served_fixture):
    root = served_fixture.root
    url = f"http://127.0.0.1:{served_fixture.port}/"
    page = urllib.request.urlopen(url).read().decode("utf-8")
    for label in ("海报", "文字", "问答", "小贴士", "脚本", "资料包", "派出所"):
        assert f"<h2>{label}</h2>" in page, label
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        assert f'"/{entry["path"]}' in page or f'"/{urllib.parse.quote(entry["path"])}' in page, entry["path"]
    # Titles, not file names, head each item; station outputs are there without a flag in the page.
    assert "虚假网络贷款诈骗" in page and 'data-kind="stations"' in page
    links = set(re.findall(r'(?:href|src)="(/[^"#]*)"', page))
    assert len(links) > 30
    for link in sorted(links):
        with urllib.request.urlopen(url + link.lstrip("/")) as response:
            assert response.status == 200, link
            if link.startswith("/__thumb/"):
                assert response.headers["Content-Type"] == "image/png"


@pytest.mark.slow
def test_the_editor_previews_every_part_of_a_script(served_fixture):
    server = Server(f"http://127.0.0.1:{served_fixture.port}/", served_fixture.root)
    values = server.item("scripts", "xiaopin-fake-police")["values"]
    status, answer = server.post("edit/api/check", {"kind": "scripts", "id": "xiaopin-fake-police", "values": values,
                                                     "preview": True})
    assert status == 200 and answer["errors"] == 0, answer
    images = [part["url"] for part in answer["preview"] if part["type"] == "image"]
    assert len(images) >= 2   # the script and its role sheets
    for image in images:
        with urllib.request.urlopen(server.url + urllib.parse.quote(image.lstrip("/"))) as response:
            assert response.status == 200 and response.headers["Content-Type"] == "image/png", image


def test_a_plugin_kind_is_listed_by_its_label(fixture_project, tmp_path):
    site = tmp_path / "site"
    install_plugin(site)
    script = ("from pathlib import Path\nfrom outreach.preview.server import PreviewServer\n"
              "from outreach.engine.build import build\nfrom outreach.buildspec.options import BuildOptions\n"
              "root = Path('.')\nassert build(root, BuildOptions(jobs=1, only=('bookmarks', 'texts'))).ok\n"
              "server = PreviewServer(root, 0)\nprint(server.index_page())\nserver.shutdown()\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(site)}
    page = subprocess.run([sys.executable, "-c", script], cwd=fixture_project, env=env, capture_output=True,
                          text=True, timeout=300)
    assert page.returncode == 0, page.stderr
    assert "<h2>书签</h2>" in page.stdout and '"/bookmarks/fake-loan.txt"' in page.stdout



@pytest.mark.slow
def test_the_index_in_a_browser_shows_every_picture(served_fixture, browser):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"http://127.0.0.1:{served_fixture.port}/")
    page.wait_for_load_state("networkidle")
    for section in ("posters", "quiz", "tips", "scripts", "packs", "stations"):
        assert page.locator(f'section[data-kind="{section}"] .item').count() >= 1, section
    images = page.locator("img")
    assert images.count() > 10
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        loaded = image.evaluate("""i => i.complete && i.naturalWidth ? i.naturalWidth : new Promise(done => {
            i.addEventListener("load", () => done(i.naturalWidth)); i.addEventListener("error", () => done(0));
            setTimeout(() => done(i.naturalWidth), 20000); })""")
        assert loaded > 0, image.get_attribute("src")
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
