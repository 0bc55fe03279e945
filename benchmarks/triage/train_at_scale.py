"""Training time of the category model on 100,000 cases, and predict latency with that model.

    .venv/bin/python benchmarks/triage/train_at_scale.py [--cases 100000]
        [--data ../shared/data/citizen_messages_dev.csv]

The labelled sample has 5,523 messages, so the other cases are made from them in memory:
each copy drops every character with probability 0.1 (seeded), so no two texts are equal
and the vocabulary grows as it would with new texts. Nothing is written to disk.

Prints `name: value unit` lines. Training uses every core the process may run on (the
feature blocks, and the SVM fits of the held-out folds beside the final fit, run in
threads); `--threads 1` measures one core. `train_wall_s` is what a user waits;
`train_cpu_s` is the CPU time of all threads together.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from minsheng.triage.evaluate import read_labelled_csv, score  # noqa: E402
from minsheng.triage.model import Settings, train  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=0, help="0: every usable core")
    options = parser.parse_args()

    data = read_labelled_csv(options.data, text_columns=["title", "body"], label_column="label")
    rng = random.Random(2020)
    texts, labels = list(data.texts), list(data.labels)
    while len(texts) < options.cases:
        for text, label in zip(data.texts, data.labels, strict=True):
            if len(texts) >= options.cases:
                break
            texts.append("".join(ch for ch in text if rng.random() >= 0.1))
            labels.append(label)
    texts, labels = texts[: options.cases], labels[: options.cases]
    print(f"cases: {len(texts)} cases")
    print(f"characters: {sum(map(len, texts))} chars")

    wall, cpu = time.perf_counter(), time.process_time()
    model = train(texts, labels, settings=Settings(threads=options.threads))
    print(f"train_wall_s: {time.perf_counter() - wall:.1f} s")
    print(f"train_cpu_s: {time.process_time() - cpu:.1f} s")
    print(f"train_threads: {model.info['threads']} threads")
    for step, seconds in model.info["cpu_seconds"].items():
        print(f"train_cpu_{step}: {seconds:.1f} s")
    for step, seconds in model.info["wall_seconds"].items():
        print(f"train_wall_{step}: {seconds:.1f} s")
    print(f"features: {model.info['features']} columns")
    print(f"held_out_folds: {model.info['held_out']['folds']} folds")

    sample = np.random.default_rng(0).choice(len(data.texts), size=1000, replace=False)
    figures, _ = score(model, [data.texts[i] for i in sample], [data.labels[i] for i in sample])
    print(f"p50_ms: {figures['p50_ms']:.2f} ms")
    print(f"p99_ms: {figures['p99_ms']:.2f} ms")
    # On a machine shared with other work the wall clock above also counts time spent waiting
    # for a core; the CPU time of the predicting thread is what one free core would take.
    cpu_ms = []
    with threadpool_limits(limits=1):
        for i in sample:
            started = time.thread_time()
            model.suggest(data.texts[i])
            cpu_ms.append((time.thread_time() - started) * 1000.0)
    print(f"p50_cpu_ms: {np.percentile(cpu_ms, 50):.2f} ms")
    print(f"p99_cpu_ms: {np.percentile(cpu_ms, 99):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
