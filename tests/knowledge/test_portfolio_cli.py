"""python -m knowledge.portfolio over the sample list and a refused file (knowledge/portfolio/__main__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from knowledge.paths import PACKAGE_DIR, REPO_ROOT

SAMPLE = PACKAGE_DIR / "portfolio" / "sample.csv"


def run(kb_path, *args):
    env = {**os.environ, "KB_DB_PATH": str(kb_path)}
    return subprocess.run(
        [sys.executable, "-m", "knowledge.portfolio", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )


def test_the_cli_prints_the_analysis_and_writes_the_exports(kb_path, tmp_path):
    done = run(kb_path, SAMPLE, "--json", "--xlsx", tmp_path / "out.xlsx", "--csv", tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["pareto"]["share_for_80"] == 50.0
    assert result["customers"][0]["classes"]["value_matrix"] == "白金客户"
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "out.xlsx").read_bytes().startswith(b"PK")


def test_the_cli_says_why_it_refuses_a_file(kb_path, tmp_path):
    path = tmp_path / "名单.pdf"
    path.write_bytes(b"%PDF")
    done = run(kb_path, path)
    assert done.returncode == 1
    assert "“名单.pdf”不是 .xlsx 或 .csv 表格" in done.stderr
