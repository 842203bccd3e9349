"""Issue 29, item 2b: an output's bytes depend on its inputs only, never on how the build cut
its targets into batches, how many workers it ran or which shard made it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import build_project, write

# Two more tip sheets beside the fixture's one: three tips are one batch with -j 1, and a
# batch of two and a batch of one with -j 2 (a batch writes its PDFs together).
EXTRA_TIPS = {
    "no-safe-account": ("没有所谓的“安全账户”",
                        "公安机关、检察院、法院**不会**通过电话要求转账到“安全账户”。\n\n"
                        "- 要你转账到“安全账户”的，都是诈骗；\n- 挂断电话，拨打110核实。"),
    "loan-no-upfront-fee": ("正规贷款不会先收费",
                            "正规贷款放款前**不会**收取“保证金”“解冻费”“刷流水”费用。\n\n"
                            "- 放款前要你先交钱的，都是诈骗；\n- 通过银行官方渠道办理贷款。"),
}


def tip_yaml(title: str, body: str) -> str:
    indented = "\n".join(f"  {line}" if line else "" for line in body.splitlines())
    return (f"title: {title}\nbody: |-\n{indented}\nlaws:\n  - law: anti-telecom-fraud\n    article: \"34\"\n"
            "audiences: [public]\nreview_by: 2099-12-31\n")


def digests(build: Path) -> dict[str, str]:
    return {path.relative_to(build).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(build.rglob("*")) if path.is_file() and not path.name.startswith(".")
            and not path.name.startswith("manifest")}


def built_ok(root: Path, **options) -> None:
    result = build_project(root, **options)
    assert result.ok, [(f.target, f.message) for f in result.failures] + [str(d) for d in result.diagnostics.errors]


@pytest.mark.slow   # five builds of the fixture project
def test_bytes_do_not_depend_on_batches_workers_or_shards(fixture_project, tmp_path):
    for tip_id, (title, body) in EXTRA_TIPS.items():
        write(fixture_project, f"content/tips/{tip_id}.yaml", tip_yaml(title, body))
    copies = {name: tmp_path / name for name in ("j2", "shards")}
    for copy in copies.values():
        shutil.copytree(fixture_project, copy)

    # The pack pulls in every kind it holds (posters, the quiz, the scripts), then makes its zip.
    built_ok(fixture_project, only=("packs", "tips"), jobs=1)
    built_ok(copies["j2"], only=("packs", "tips"), jobs=2)
    for index in (1, 2):   # two shards, each with one worker, the tips cut between them
        built_ok(copies["shards"], only=("packs", "tips"), jobs=1, shard=(index, 2))

    reference = digests(fixture_project / "build")
    assert {"tips/answer-96110.pdf", "tips/no-safe-account.pdf", "packs/fixture.zip"} <= set(reference)
    for name, copy in copies.items():
        built = digests(copy / "build")
        assert built.keys() == reference.keys() if name == "j2" else built.keys() <= reference.keys(), name
        differ = sorted(path for path, digest in built.items() if reference.get(path) != digest)
        assert not differ, f"{name}: {differ}"


# Three fictional stations beside the fixture's: one batch with -j 1, a batch of two and one of
# one with -j 2, and two shards. A station batch lays out and writes its covers, back covers and
# cards together (outputs/stations.py) and font finishing shares its reading of the pack's pages
# between the stations a worker makes (rendering/fontfinish.py).
STATION_ROWS = "".join(
    f"extra-{n},测试市公安局第{n}派出所（虚构）,测试市测试区第{n}路{n}号（虚构地址）,0000-100000{n},"
    f"王警官{n}（虚构）,社区民警,0000-200000{n},https://example.org/outreach/extra-{n}\n" for n in (1, 2, 3))


@pytest.mark.slow   # four builds of the fixture project's station packs
def test_station_bytes_do_not_depend_on_batches_workers_or_shards(fixture_project, tmp_path):
    sheet = fixture_project / "content/stations.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8") + STATION_ROWS, encoding="utf-8")
    copies = {name: tmp_path / name for name in ("j2", "shards")}
    for copy in copies.values():
        shutil.copytree(fixture_project, copy)

    built_ok(fixture_project, only=("stations",), stations=True, jobs=1)
    built_ok(copies["j2"], only=("stations",), stations=True, jobs=2)
    for index in (1, 2):
        built_ok(copies["shards"], only=("stations",), stations=True, jobs=1, shard=(index, 2))

    reference = {path: digest for path, digest in digests(fixture_project / "build").items()
                 if path.startswith("stations/")}
    assert {"stations/extra-3/fixture.pdf", "stations/extra-3/contact-cards.pdf", "stations/extra-3/extra-3.zip",
            "stations/test-east/fixture.pdf"} <= set(reference)
    for name, copy in copies.items():
        built = {path: digest for path, digest in digests(copy / "build").items() if path.startswith("stations/")}
        assert built.keys() == reference.keys(), name
        differ = sorted(path for path, digest in built.items() if reference[path] != digest)
        assert not differ, f"{name}: {differ}"
