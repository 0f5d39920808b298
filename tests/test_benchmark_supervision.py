"""benchmarks/supervision.py at a tiny size, so the script cannot rot: it builds its data
on a fresh database of the test PostgreSQL server, checks its roll-ups against the
production recomputation and a raw scan, measures every case and writes its JSON."""
import json
import os
import subprocess
import sys

import pgserver
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WANTED = os.environ.get("SHOUWEN_TEST_DATABASES", "sqlite,postgresql").split(",")

pytestmark = pytest.mark.skipif(
    "postgresql" not in WANTED or not pgserver.available(),
    reason="the benchmark runs on PostgreSQL only")


def test_benchmark_runs_at_a_tiny_size_and_its_checks_hold(pg_server, tmp_path):
    url = pg_server.create_database("bench_supervision_smoke")
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "supervision.py"),
         "--database-url", url, "--contacts", "2000", "--big-tenant", "1000",
         "--tenants", "2", "--repeat", "2", "--warmup", "1", "--raw-repeat", "1",
         "--assessment-repeat", "1", "--case-budget", "2", "--output", str(out)],
        capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    # 0: targets met, 1: not met (a loaded machine); 2 is a failed check, anything else a crash.
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["checks"]["rollup_vs_recompute"]["equal"] is True
    raw_checks = result["checks"]["figures_vs_raw"]          # month, quarter, year
    assert len(raw_checks) == 3 and all(c["equal"] for c in raw_checks)
    assert result["rows"]["demo-hotel"]["contacts"] == 1000
    assert result["rows"]["all"]["contacts"] == 2000
    assert result["rows"]["demo-hotel"]["escalations"] > 0
    assert result["rows"]["demo-hotel"]["violations"] > 0
    cases = {c["case"]: c for c in result["cases"]}
    assert any(name.startswith("dashboard year") for name in cases)
    assert all(c["n"] >= 1 for c in cases.values())
    assert result["assessment"]["departments"] > 0
    assert len(result["ratios"]) == 6
