"""Duplicate detection on real residents' messages: recall@5, MRR and latency per query.

    .venv/bin/python benchmarks/duplicates/benchmark.py [--data PATH] [--sources 400]
        [--distractors 400] [--seed 5] [--methods NAME,NAME] [--pool-sizes 400,2000]

Reads `../shared/data/citizen_messages_dev.csv` in place (never copies it) and exits with
status 0 and a `skipped: …` line when it is absent. How the queries, true duplicates and
distractors are built is described in README.md next to this file. Each query goes through
the product's own ranking (`minsheng.triage.duplicates.rank`, text similarity plus
category, area and time), with every candidate in the same simulated village and 30-day
window, so the text must do the work.

Prints `name: value unit` lines for every method and pool size, then a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"

# Openings a second resident might use instead of the first one's greeting.
OPENINGS = (
    "我也要反映这个问题：",
    "再次反映，",
    "邻居已经反映过了，我家也是这样：",
    "你好，",
    "请领导关注一下，",
    "",
)
_GREETING = re.compile(
    r"^(尊敬的[^：:，,。]{0,12}[：:，,]|[^：:，,。]{0,8}(你好|您好)[！!，,。：:]?)"
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


@dataclass
class Message:
    row: int
    title: str
    body: str
    label: str
    original: bool


@dataclass
class Query:
    text: str
    target: int  # row of the true duplicate
    kind: str


def load(path: Path) -> list[Message]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Message(
            i, r["title"].strip(), r["body"].strip(), r["label"], r["text_source"] == "original"
        )
        for i, r in enumerate(rows)
        if (r["title"] or r["body"]).strip()
    ]


def sentences(body: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(body) if s.strip()]


def chunks(body: str, n: int) -> list[str]:
    """A text without punctuation (the segmented rows) cut into n nearly equal pieces."""
    size = max(1, len(body) // n)
    return [body[i : i + size] for i in range(0, len(body), size)][:n] or [body]


def re_report(message: Message, kind: str, rng: random.Random) -> str:
    """A second resident's shorter report of the same matter, built from the first's text."""
    parts = sentences(message.body) if message.original else chunks(message.body, 5)
    if len(parts) < 2:
        parts = chunks(message.body, 3)
    if kind == "title":
        return message.title
    if kind == "sentences":
        keep = sorted(rng.sample(range(len(parts)), k=max(1, len(parts) // 3)))
        return "".join(parts[i] for i in keep)
    if kind == "truncated":
        whole = f"{message.title}。{message.body}" if message.title else message.body
        return whole[: max(15, int(len(whole) * rng.uniform(0.2, 0.4)))]
    if kind == "reordered":
        picked = rng.sample(parts, k=max(1, min(len(parts), 3)))
        return "".join(picked)
    if kind in ("subject-words", "random-words"):
        from minsheng.triage import text as textlib

        # subject-words: a terse report naming the place and the problem — 3 to 5 words
        # from the first 60 characters, where the subject is. random-words: 4 to 7 words
        # from anywhere, fillers included — a stress test, not a realistic report.
        whole = textlib.normalise(_full(message))
        if kind == "subject-words":
            whole = whole[:60]
        words = [w for w in textlib.words(whole) if len(w) >= 2]
        distinct = list(dict.fromkeys(words))
        low, high = (3, 5) if kind == "subject-words" else (4, 7)
        picked = sorted(
            rng.sample(range(len(distinct)), k=min(len(distinct), rng.randint(low, high)))
        )
        if kind == "random-words":
            rng.shuffle(picked)
        return " ".join(distinct[i] for i in picked)
    if kind == "opening":
        first = _GREETING.sub("", parts[0]) if parts else ""
        middle = parts[1 : 1 + max(1, len(parts) // 3)]
        return rng.choice(OPENINGS) + first + "".join(middle)
    raise ValueError(kind)


def near_identical_pairs(messages: list[Message], threshold: float) -> list[tuple[int, int]]:
    """Pairs of different messages whose character 4-shingle sets overlap ≥ threshold
    (Jaccard): the same matter posted twice. The shingles are not a method under test."""
    import numpy as np
    import scipy.sparse as sp

    from minsheng.triage import similarity

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, m in enumerate(messages):
        text = similarity.prepare(m.title, m.body)
        for shingle in {text[j : j + 4] for j in range(max(1, len(text) - 3))}:
            rows.append(i)
            cols.append(vocab.setdefault(shingle, len(vocab)))
    x = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(messages), len(vocab))
    )
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).tocoo()
    pairs = []
    for a, b, shared in zip(inter.row, inter.col, inter.data, strict=True):
        if a < b and shared / (sizes[a] + sizes[b] - shared) >= threshold:
            pairs.append((int(a), int(b)))
    return pairs


KINDS_ORIGINAL = ("title", "sentences", "truncated", "reordered", "opening", "subject-words")
KINDS_SEGMENTED = ("sentences", "truncated", "reordered", "subject-words")
# Left out of the headline figures (reported on their own): not a realistic re-report.
STRESS_KINDS = ("random-words",)


def build_queries(
    messages: list[Message], pairs: list[tuple[int, int]], n_sources: int, rng: random.Random
) -> list[Query]:
    queries = [Query(text=_full(messages[b]), target=a, kind="near-identical") for a, b in pairs]
    originals = [m for m in messages if m.original and m.title and len(m.body) >= 40]
    segmented = [m for m in messages if not m.original and len(m.body) >= 60]
    n_orig = min(len(originals), n_sources // 2)
    sources = rng.sample(originals, n_orig) + rng.sample(segmented, n_sources - n_orig)
    for i, m in enumerate(sources):
        kinds = KINDS_ORIGINAL if m.original else KINDS_SEGMENTED
        kind = kinds[i % len(kinds)]
        queries.append(Query(text=re_report(m, kind, rng), target=m.row, kind=kind))
    for m in sources[::2]:
        queries.append(
            Query(text=re_report(m, "random-words", rng), target=m.row, kind="random-words")
        )
    return queries


FLOORS = (0.0, 0.2, 0.25, 0.3)  # must include duplicates.MIN_TEXT_SIMILARITY


def _rank(ranking: list[tuple[int, float]], target: int, floor: float) -> int:
    """1-based rank of ``target`` among the top five that reach the text floor, else 0."""
    shown = [key for key, sim in ranking if sim >= floor][:5]
    return shown.index(target) + 1 if target in shown else 0


def _full(m: Message) -> str:
    return f"{m.title}\n{m.body}" if m.title else m.body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--methods", default="")
    parser.add_argument("--pool-sizes", default="400,2000")
    parser.add_argument("--near-identical", type=float, default=0.6)
    parser.add_argument(
        "--near-identical-sample", type=int, default=0, help="use only n of those pairs (0: all)"
    )
    parser.add_argument("--time-every", type=int, default=4, help="time every n-th query")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found")
        return 0

    os.environ.setdefault("MINSHENG_DATA_DIR", tempfile.mkdtemp(prefix="ms-dup-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from minsheng.triage import duplicates, similarity

    rng = random.Random(args.seed)
    messages = load(args.data)
    pairs = near_identical_pairs(messages, args.near_identical)
    # Messages that are the same matter as another must not serve as distractors for it.
    twins: dict[int, set[int]] = {}
    for a, b in pairs:
        twins.setdefault(a, set()).add(b)
        twins.setdefault(b, set()).add(a)
    used_pairs = pairs
    if args.near_identical_sample and args.near_identical_sample < len(pairs):
        used_pairs = random.Random(args.seed).sample(pairs, args.near_identical_sample)
    queries = build_queries(messages, used_pairs, args.sources, rng)
    by_label: dict[str, list[Message]] = {}
    for m in messages:
        by_label.setdefault(m.label, []).append(m)
    print(f"messages: {len(messages)}")
    print(f"near_identical_pairs: {len(pairs)}")
    print(f"queries: {len(queries)}")
    for kind in sorted({q.kind for q in queries}):
        print(f"queries_{kind.replace('-', '_')}: {sum(q.kind == kind for q in queries)}")

    names = [n for n in args.methods.split(",") if n] or list(similarity.METHODS)
    pool_sizes = [int(p) for p in args.pool_sizes.split(",") if p]
    window = dt.timedelta(days=30)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    label_id = {label: i for i, label in enumerate(sorted(by_label))}
    table = []
    for pool_size in pool_sizes:
        # One pool per query, fixed across methods: the target, then distractors — 3/4 from
        # the target's own category, 1/4 from the others — all in one village, raised at
        # random times within the window.
        pools = []
        for q in queries:
            target = messages[q.target]
            banned = {q.target} | twins.get(q.target, set())
            same = [m for m in by_label[target.label] if m.row not in banned]
            other = [m for m in messages if m.label != target.label]
            n_same = min(len(same), pool_size * 3 // 4)
            chosen = rng.sample(same, n_same) + rng.sample(other, pool_size - 1 - n_same)
            chosen.insert(rng.randrange(len(chosen) + 1), target)
            offsets = [rng.uniform(-30, 0) for _ in chosen]
            pools.append((chosen, offsets))
        for name in names:
            method = similarity.METHODS[name]
            rankings, latencies = [], []
            for number, (q, (chosen, offsets)) in enumerate(zip(queries, pools, strict=True)):
                # Cold cache: every candidate text is normalised again, as in a fresh process.
                similarity.prepare.cache_clear()
                started = time.perf_counter()
                candidates = [
                    duplicates.Candidate(
                        key=m.row,
                        text=similarity.prepare(m.title, m.body[: duplicates.DESCRIPTION_CHARS]),
                        category_id=label_id[m.label],
                        area_path="/1/2/3/",
                        created_at=now + dt.timedelta(days=off),
                    )
                    for m, off in zip(chosen, offsets, strict=True)
                ]
                query = duplicates.Candidate(
                    key=-1,
                    text=similarity.prepare("", q.text),
                    category_id=label_id[messages[q.target].label],
                    area_path="/1/2/3/",
                    created_at=now,
                )
                if number % args.time_every == 0:
                    # Timed: exactly what the case page does with its candidates.
                    duplicates.rank(query, candidates, window=window, method=method)
                    latencies.append((time.perf_counter() - started) * 1000)
                # Untimed: the whole ranking without a text floor, to measure every floor.
                full = duplicates.rank(
                    query,
                    candidates,
                    window=window,
                    method=method,
                    limit=len(candidates),
                    min_text_similarity=0.0,
                    explain=False,
                )
                rankings.append([(m.key, m.text_similarity) for m in full])
            p50 = statistics.median(latencies)
            p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))]
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            prefix = f"pool{pool_size}_{slug}"
            print(f"{prefix}_p50_ms: {p50:.1f} ms")
            print(f"{prefix}_p99_ms: {p99:.1f} ms")
            headline = [i for i, q in enumerate(queries) if q.kind not in STRESS_KINDS]
            results = {}
            for floor in FLOORS:
                ranks = [
                    _rank(ranking, q.target, floor)
                    for q, ranking in zip(queries, rankings, strict=True)
                ]
                # Would anything be suggested if the duplicate were not among the cases?
                alarms = [
                    any(key != q.target and sim >= floor for key, sim in ranking[:6])
                    for q, ranking in zip(queries, rankings, strict=True)
                ]
                picked = [ranks[i] for i in headline]
                r5 = sum(1 for r in picked if r) / len(picked)
                r1 = sum(1 for r in picked if r == 1) / len(picked)
                mrr = sum(1 / r for r in picked if r) / len(picked)
                alarm = sum(alarms[i] for i in headline) / len(headline)
                by_kind = {}
                for kind in sorted({q.kind for q in queries}):
                    hits = [bool(r) for q, r in zip(queries, ranks, strict=True) if q.kind == kind]
                    by_kind[kind] = sum(hits) / len(hits)
                results[floor] = (r5, r1, mrr, alarm, by_kind)
                tag = f"{prefix}_floor{int(round(floor * 100)):02d}"
                print(f"{tag}_recall_at_5: {r5:.3f}")
                print(f"{tag}_recall_at_1: {r1:.3f}")
                print(f"{tag}_mrr: {mrr:.3f}")
                print(f"{tag}_suggests_without_duplicate: {alarm:.3f}")
                for kind, value in by_kind.items():
                    print(f"{tag}_recall_at_5_{kind.replace('-', '_')}: {value:.3f}")
            r5, r1, mrr, alarm, by_kind = results[duplicates.MIN_TEXT_SIMILARITY]
            table.append((pool_size, name, r5, r1, mrr, p50, p99, alarm, by_kind))
            sys.stdout.flush()
    kinds = sorted({q.kind for q in queries})
    print()
    head = "| pool | method | recall@5 | recall@1 | MRR | p50 ms | p99 ms | false alarm | "
    print(head + " | ".join(kinds) + " |")
    print("|---" * (8 + len(kinds)) + "|")
    for pool_size, name, r5, r1, mrr, p50, p99, alarm, by_kind in table:
        cells = " | ".join(f"{by_kind[k]:.3f}" for k in kinds)
        print(
            f"| {pool_size} | {name} | {r5:.3f} | {r1:.3f} | {mrr:.3f} | {p50:.1f} | {p99:.1f} "
            f"| {alarm:.3f} | {cells} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
