"""The duplicates benchmark runs end to end on a small file and prints its figures."""

from __future__ import annotations

import csv
import os
import random
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "duplicates" / "benchmark.py"
LINE = re.compile(r"^(?P<name>[a-z0-9_]+): (?P<value>\S+)(?: (?P<unit>\S+))?$")
WORDS = {
    "water": "自来水 停水 水管 爆裂 水压 供水 水质 浑浊 水表 漏水".split(),
    "roads": "道路 坑洼 路灯 积水 修路 公交 桥梁 塌陷 护栏 井盖".split(),
}
PLACES = "东湖 西山 柳树 石门 青松 桃园 白杨 大湾 沙河 永丰".split()


def _write(path: Path) -> None:
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "time", "label", "text_source"])
        for i in range(120):
            label = "water" if i % 2 else "roads"
            place = rng.choice(PLACES) + rng.choice(["小区", "村", "街"])
            words = rng.sample(WORDS[label], 6)
            title = place + "".join(words[:2])
            sentences = [place + "".join(rng.sample(words, 3)) + "，请尽快处理。" for _ in range(4)]
            if i % 3:
                writer.writerow([i, "", "".join(sentences).replace("，", "").replace("。", ""),
                                 "", label, "segmented"])  # fmt: skip
            else:
                writer.writerow([i, title, "".join(sentences), "2020-01-01", label, "original"])


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINSHENG_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # the benchmark touches no database
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_benchmark_prints_recall_mrr_and_latency(tmp_path):
    data = tmp_path / "messages.csv"
    _write(data)

    result = _run("--data", str(data), "--pool-sizes", "30", "--sources", "20",
                  "--methods", "char1-2+subject40", tmp_path=tmp_path)  # fmt: skip

    assert result.returncode == 0, result.stderr
    figures = {
        m["name"]: float(m["value"])
        for m in map(LINE.match, result.stdout.splitlines())
        if m and m["value"].replace(".", "", 1).isdigit()
    }
    assert figures["queries"] >= 20
    assert 0.0 <= figures["pool30_char1_2_subject40_floor25_recall_at_5"] <= 1.0
    assert (
        figures["pool30_char1_2_subject40_floor25_mrr"]
        <= (figures["pool30_char1_2_subject40_floor25_recall_at_5"])
    )
    assert figures["pool30_char1_2_subject40_p50_ms"] > 0
    assert "| 30 | char1-2+subject40 |" in result.stdout


def test_benchmark_skips_without_the_data(tmp_path):
    result = _run("--data", str(tmp_path / "absent.csv"), tmp_path=tmp_path)

    assert result.returncode == 0
    assert result.stdout.startswith("skipped:")
