"""Scale-out: shards that together equal the full build, merged manifests, and a Dask cluster."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pikepdf
import pytest
from conftest import FIXTURE_PROJECT, build_project, write

pytestmark = pytest.mark.slow   # builds or servers in most tests (README, 测试)


HEADER = "id,name,address,phone,officer,officer_title,officer_phone,wechat_qr_url\n"


def project_with_stations(tmp_path, name: str, count: int = 3):
    """The small fixture project (every output kind, one pack) with `count` fictional stations."""
    root = tmp_path / name
    shutil.copytree(FIXTURE_PROJECT, root, ignore=shutil.ignore_patterns("build", ".outreach"))
    rows = "".join(f"s{n},示例第{n}派出所（虚构）,,0000-{1000000 + n},,,,\n" for n in range(1, count + 1))
    write(root, "content/stations.csv", HEADER + rows)
    return root


def outputs(root) -> dict[str, str]:
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}


def pages(path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def compare_trees(full, other, paths) -> None:
    """Texts byte for byte; PDFs by page count (workers batch font subsetting differently,
    so PDF bytes may differ while what they show does not); zips by their members."""
    import zipfile

    for path in paths:
        a, b = full / "build" / path, other / "build" / path
        if path.endswith(".pdf"):
            assert pages(a) == pages(b), path
        elif path.endswith(".zip"):
            with zipfile.ZipFile(a) as first, zipfile.ZipFile(b) as second:
                assert first.namelist() == second.namelist(), path
                for name in first.namelist():
                    if name.endswith((".txt", ".md", ".html")):
                        assert first.read(name) == second.read(name), (path, name)
        elif not path.endswith(".png"):
            assert a.read_bytes() == b.read_bytes(), path


def test_three_shards_equal_the_full_build(tmp_path):
    # In-process builds: sharding does not depend on the executor (the Dask test covers pools).
    full = project_with_stations(tmp_path, "full")
    assert build_project(full, stations=True, jobs=1).ok
    sharded = project_with_stations(tmp_path, "sharded")
    owned = []
    for index in (1, 2, 3):
        result = build_project(sharded, stations=True, shard=(index, 3), jobs=1)
        assert result.ok, result.failures
        owned.append(set(result.built))
    assert not (owned[0] & owned[1]) and not (owned[1] & owned[2]) and not (owned[0] & owned[2])
    assert all(owned), "every shard should own some targets"
    merged = subprocess.run([sys.executable, "-m", "outreach", "manifest", "merge"], cwd=sharded,
                            capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    full_outputs, shard_outputs = outputs(full), outputs(sharded)
    assert sorted(full_outputs) == sorted(shard_outputs)
    compare_trees(full, sharded, full_outputs)
    # After the merge, a plain build finds nothing to do.
    assert build_project(sharded, stations=True).built == []


def test_shard_slices_are_stable(tmp_path):
    from outreach.engine.planner import in_shard

    ids = [f"stations/s{n}" for n in range(200)]
    first = [i for i in ids if in_shard(i, (1, 4))]
    # Stable across processes and machines: crc32 of the id, not Python's salted hash().
    import subprocess
    import sys

    script = ("from outreach.engine.planner import in_shard; "
              f"print(','.join(i for i in {ids!r} if in_shard(i, (1, 4))))")
    elsewhere = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                               env={**__import__("os").environ, "PYTHONHASHSEED": "123"})
    assert elsewhere.stdout.strip().split(",") == first
    assert first[:4] == ["stations/s1", "stations/s3", "stations/s8", "stations/s15"]   # crc32 % 4 == 0
    assert sum(in_shard(i, (k, 4)) for i in ids for k in range(1, 5)) == 200
    assert 25 < len(first) < 75


def test_merge_refuses_conflicting_manifests(tmp_path):
    from outreach.engine.manifest import Manifest, MergeConflict, merge_manifests

    for name, sha in (("a.json", "1" * 64), ("b.json", "2" * 64)):
        manifest = Manifest()
        manifest.record("posters/x", "posters", "f" * 64, ["content/x.yaml"], {"posters/x.pdf": {"sha256": sha, "size": 1}})
        manifest.save(tmp_path, name)
    with pytest.raises(MergeConflict, match="posters/x.pdf"):
        merge_manifests([tmp_path / "a.json", tmp_path / "b.json"])


def test_shard_option_is_validated(tmp_path):
    root = project_with_stations(tmp_path, "cli")
    result = subprocess.run([sys.executable, "-m", "outreach", "build", "--shard", "4/3"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "I/N" in result.stderr


def test_dask_local_cluster_matches_the_process_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = project_with_stations(tmp_path, "local", count=3)
    assert build_project(local, stations=True, jobs=2).ok
    remote = project_with_stations(tmp_path, "dask", count=3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = build_project(remote, stations=True, executor="dask", scheduler=cluster.scheduler_address)
    assert result.ok, result.failures
    local_outputs = outputs(local)
    assert sorted(local_outputs) == sorted(outputs(remote))
    compare_trees(local, remote, local_outputs)
    texts = [p for p in local_outputs if p.endswith((".txt", ".md", ".json", ".html", ".zip")) and not p.endswith(".zip")]
    assert texts and all(local_outputs[p] == outputs(remote)[p] for p in texts)
