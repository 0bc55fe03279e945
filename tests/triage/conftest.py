"""Small synthetic labelled messages for the triage tests (the real sample is never copied)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

# Each category has its own vocabulary; filler words are shared so the texts are not trivial.
VOCABULARY = {
    "water": ["自来水", "停水", "水管", "爆裂", "水压", "供水", "水质", "浑浊"],
    "roads": ["道路", "坑洼", "路灯", "积水", "修路", "公交", "桥梁", "塌陷"],
    "schools": ["学校", "校车", "老师", "学生", "教室", "上学", "幼儿园", "学费"],
}
FILLER = ["小区", "村里", "居民", "反映", "请求", "尽快", "解决", "已经", "多天", "领导", "问题"]


def message(category: str, rng: random.Random, *, segmented: bool) -> tuple[str, str]:
    """(title, body) of one synthetic message; segmented ones have no title and no punctuation."""
    words = rng.sample(VOCABULARY[category], 3) + rng.sample(FILLER, 4)
    rng.shuffle(words)
    title = "".join(words[:3])
    body = "，".join(["".join(words[3:5]), "".join(words[5:]), "".join(words[:2])]) + "。"
    if segmented:
        return "", " ".join(words + words[:2])
    return title, body


def labelled(n_per_category: int, *, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n_per_category):
        for category in VOCABULARY:
            title, body = message(category, rng, segmented=i % 2 == 0)
            texts.append(f"{title}\n{body}".strip())
            labels.append(category)
    return texts, labels


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(rows)
    return path


def labelled_rows(n_per_category: int, *, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows = [["id", "title", "body", "label"]]
    for i in range(n_per_category):
        for category in VOCABULARY:
            title, body = message(category, rng, segmented=i % 2 == 0)
            rows.append([str(len(rows)), title, body, category])
    return rows


@pytest.fixture
def train_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "train.csv", labelled_rows(60, seed=1))


@pytest.fixture
def test_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "test.csv", labelled_rows(10, seed=2))
