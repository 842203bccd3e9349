"""Templates: override precedence, `!theme/` extension, sandboxing, safe resources, located errors."""

from __future__ import annotations

import os

import pytest
from conftest import build_posters, pdf_text, write

from outreach.rendering import filters
from outreach.rendering.templating import TemplateProblem, make_environment, render_template
from outreach.rendering.theme import Theme

MINIMAL_POSTER = """\
<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm; }} body {{ font-family: "Noto Sans CJK SC"; }}
</style></head><body>
<h1>{{{{ scenario.title }}}}</h1>{body}
<div id="poster-end"></div></body></html>
"""


def test_project_template_overrides_builtin(mini_project):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body="<p>本站自定义模板</p>"))
    assert build_posters(mini_project).ok
    text = pdf_text(mini_project / "build/posters/fake-loan.pdf")
    assert "本站自定义模板" in text and "识别要点" not in text


def test_override_can_extend_the_builtin_with_theme_prefix(mini_project):
    write(mini_project, "templates/poster.html",
          '{% extends "!theme/poster.html" %}\n{% block title %}定制{% endblock %}\n'
          '{% block body %}{{ super() }}<p class="laws">本页由示例派出所定制</p>{% endblock %}\n')
    assert build_posters(mini_project).ok
    text = pdf_text(mini_project / "build/posters/fake-loan.pdf")
    assert "识别要点" in text and "本页由示例派出所定制" in text


def test_override_of_an_included_partial_only(mini_project):
    write(mini_project, "templates/partials/hotlines.html", "<p class=\"app-line\">本所值班电话请见背面</p>\n")
    assert build_posters(mini_project).ok
    text = pdf_text(mini_project / "build/posters/fake-loan.pdf")
    assert "本所值班电话请见背面" in text and "识别要点" in text


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ scenario.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'].system('true') }}",
    "{% set x = scenario.signs.append('hacked') %}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ ''.format.__self__.__class__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ config.__class__ }}",
])
def test_sandbox_escape_attempts_are_refused(mini_project, payload):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body=payload))
    result = build_posters(mini_project)
    assert len(result.failures) == 2 and not result.built
    failure = result.failures[0]
    assert failure.file == "templates/poster.html" and failure.line == 4
    assert any(word in failure.message for word in ("不安全", "不允许", "未定义", "没有属性")), failure.message
    assert not (mini_project / "build/posters/fake-loan.pdf").exists()


def test_template_syntax_error_is_located(mini_project):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body="{% if scenario.title %}\n<p>x</p>\n"))
    [first, _] = build_posters(mini_project).failures
    assert first.file == "templates/poster.html" and first.line >= 4
    assert "模板语法错误" in first.message and "endif" in first.message and "没有结束" in first.message


def test_undefined_variable_is_located_and_named(mini_project):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body="\n<p>{{ scenario.titel }}</p>"))
    failure = build_posters(mini_project).failures[0]
    assert (failure.file, failure.line) == ("templates/poster.html", 5)
    assert "titel" in failure.message and "海报" in failure.message


def test_error_in_a_builtin_included_template_names_it(mini_project):
    write(mini_project, "templates/partials/hotlines.html", "{{ hotlines[0].numbr }}\n")
    failure = build_posters(mini_project).failures[0]
    assert (failure.file, failure.line) == ("templates/partials/hotlines.html", 1)


def fetch_case(mini_project, tag: str):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body=tag))
    result = build_posters(mini_project)
    assert result.ok, result.failures  # the build continues without the resource
    return [message for _, message in result.warnings]


def test_http_resources_are_refused(mini_project):
    warnings = fetch_case(mini_project, '<img src="https://example.com/logo.png">')
    assert any("https://example.com/logo.png" in w and "templates/poster.html" in w and "网络" in w for w in warnings)


def test_files_outside_the_project_are_refused(mini_project):
    warnings = fetch_case(mini_project, '<img src="file:///etc/passwd">')
    assert any("/etc/passwd" in w and "之外" in w for w in warnings)


def test_dotdot_traversal_is_refused(mini_project, tmp_path):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    warnings = fetch_case(mini_project, '<img src="../../secret.png">')
    assert any("secret.png" in w and "之外" in w for w in warnings)


def test_symlink_leaving_the_project_is_refused(mini_project, tmp_path):
    (tmp_path / "outside.css").write_text("h1 { color: red }", encoding="utf-8")
    os.symlink(tmp_path / "outside.css", mini_project / "templates" / "linked.css")
    warnings = fetch_case(mini_project, f'<link rel="stylesheet" href="{(mini_project / "templates/linked.css").as_uri()}">')
    assert any("linked.css" in w and "之外" in w for w in warnings)


def test_project_images_are_allowed(mini_project):
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(mini_project / "templates" / "logo.png")
    warnings = fetch_case(mini_project, f'<img src="{(mini_project / "templates/logo.png").as_uri()}">')
    assert not [w for w in warnings if "logo.png" in w]


@pytest.mark.slow
def test_logo_from_config(mini_project):
    from PIL import Image

    (mini_project / "assets").mkdir()
    Image.new("RGB", (40, 40), "blue").save(mini_project / "assets" / "logo.png")
    config = mini_project / "outreach.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[theme]\n", '[theme]\nlogo = "assets/logo.png"\n'),
                      encoding="utf-8")
    result = build_posters(mini_project)
    assert result.ok and not result.warnings
    Image.new("RGB", (40, 40), "green").save(mini_project / "assets" / "logo.png")
    assert len(build_posters(mini_project).built) == 2  # the logo is part of the fingerprint


def test_markdown_filter_escapes_raw_html():
    html = filters.markdown("**注意**<script>alert(1)</script>")
    assert "<strong>注意</strong>" in html and "<script>" not in html and "&lt;script&gt;" in html


def test_qr_filter_is_inline_svg():
    svg = filters.qr("https://example.org/x")
    assert svg.startswith("<svg") and "http" not in svg.split(">", 1)[1].replace("http://www.w3.org", "")


def test_qr_image_filter_is_an_8_bit_grey_png_of_the_code():
    """WeasyPrint keeps an 8-bit grey PNG as it is (segno's 1-bit one it converts to RGB and
    encodes again for every page): the same modules, `scale` pixels each, inside a quiet zone."""
    import base64
    import io

    import segno
    from PIL import Image

    uri = filters.qr_image("https://example.org/outreach/station-00001", scale=4, border=1)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    code = segno.make("https://example.org/outreach/station-00001", error="m", micro=False)
    side = code.symbol_size(scale=1, border=1)[0]
    assert (image.format, image.mode, image.size) == ("PNG", "L", (side * 4, side * 4))
    for y, row in enumerate(code.matrix_iter(scale=1, border=1)):
        for x, dark in enumerate(row):
            block = {image.getpixel((x * 4 + dx, y * 4 + dy)) for dx in range(4) for dy in range(4)}
            assert block == ({0} if dark else {255}), (x, y)


def test_cjk_filter():
    assert filters.cjk('他说"不要转账",对吗?') == "他说“不要转账”，对吗？"
    assert filters.cjk("Version 1.2, ok?") == "Version 1.2, ok?"


def test_theme_search_path_order(mini_project):
    theme = Theme(mini_project)
    assert theme.find("poster.html") == theme.builtin_dir / "poster.html"
    write(mini_project, "templates/poster.html", "x")
    assert theme.find("poster.html") == mini_project / "templates/poster.html"
    assert theme.find("!theme/poster.html") == theme.builtin_dir / "poster.html"


def test_render_template_reports_security_error_in_chinese(mini_project):
    env = make_environment(Theme(mini_project))
    write(mini_project, "templates/t.html", "{{ ''.__class__ }}")
    with pytest.raises(TemplateProblem) as info:
        render_template(env, "t.html", {}, "测试")
    assert info.value.file == "templates/t.html" and info.value.line == 1


def test_filter_errors_are_located(mini_project):
    write(mini_project, "templates/poster.html", MINIMAL_POSTER.format(body="\n\n{{ ('x' * 5000) | qr }}"))
    failure = build_posters(mini_project).failures[0]
    assert (failure.file, failure.line) == ("templates/poster.html", 6)
    assert "过滤器" in failure.message and "二维码" in failure.message


def test_quiz_cards_without_the_measuring_markers_warn_instead_of_passing_silently(fixture_project):
    from conftest import build_project, write

    from outreach.rendering.theme import Theme

    original = (Theme(fixture_project).builtin_dir / "quiz/cards.html").read_text(encoding="utf-8")
    stripped = original.replace(' id="end-front-{{ slot.card.number }}"', "").replace(' id="end-back-{{ slot.card.number }}"', "")
    assert stripped != original
    write(fixture_project, "templates/quiz/cards.html", stripped)
    result = build_project(fixture_project, only=("quiz",))
    assert result.ok
    messages = [message for _label, message in result.warnings]
    assert any("无法检查卡片文字是否超出" in m and "end-front-1" in m for m in messages), messages
