"""The baseline: what a volunteer would write without outreach.

Reads every scenario with PyYAML, renders the same poster template with plain Jinja and
writes one PDF per poster with WeasyPrint, one after another in one process. No PNG,
no checks, no caching. Run: python bench/naive_posters.py PROJECT_DIR OUT_DIR
"""

import functools
import sys
from pathlib import Path

import jinja2
import weasyprint
import yaml

from outreach.project.config import Hotline, ThemeSection
from outreach.rendering import filters
from outreach.rendering.hotlinefit import fit_hotlines
from outreach.rendering.theme import BUILTIN_DIR


def main(project: Path, out: Path) -> int:
    config = {"hotlines": [Hotline(number="110", label="报警电话"), Hotline(number="96110", label="全国反诈预警劝阻专线")]}
    laws = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (project / "content/laws").glob("*.yaml")}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(BUILTIN_DIR)), autoescape=True)
    env.filters.update(filters.FILTERS)
    # The theme's settings with their defaults: the templates read its colours as CSS variables.
    theme = ThemeSection(qr_caption="扫码访问公安部网站")
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted((project / "content/scenarios").glob("*.yaml")):
        scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
        scenario.setdefault("quote", None)
        scenario.setdefault("story", None)
        cited = []
        for ref in scenario.get("laws", []):
            law = laws[ref["law"]]
            article = next(a for a in law["articles"] if str(a["key"]) == str(ref["article"]))
            cited.append({"citation": f"《{law['short']}》{article['number']}"})
        html = env.get_template("poster.html").render(
            scenario=scenario, laws=cited, project={"name": "反诈宣传"}, theme=theme, organisation="示例市公安局示例分局",
            hotlines=config["hotlines"], app="国家反诈中心", qr_url="https://www.mps.gov.cn/", logo_url=None,
            print_ready=False, html_lang="zh-Hans", font_family=theme.font_family, cjk_space="",
            fit_hotlines=functools.partial(fit_hotlines, config["hotlines"]))
        weasyprint.HTML(string=html, base_url=str(BUILTIN_DIR)).write_pdf(out / f"{path.stem}.pdf")
        count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
