"""Write a stratified train/test split of the labelled sample for `minsheng triage evaluate`.

    .venv/bin/python benchmarks/triage/split.py --out /tmp/triage-split [--seed 0] [--test 0.2]

The files go to a folder outside the repository (the sample must never be committed); the
script refuses a folder inside it. Rows are copied unchanged, header included.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test", type=float, default=0.2, help="share of rows to test on")
    parser.add_argument("--label", default="label")
    options = parser.parse_args()

    out = Path(options.out).resolve()
    if out == REPO or REPO in out.parents:
        parser.error("write the split outside the repository: the sample must not be committed")
    from sklearn.model_selection import train_test_split

    with open(options.data, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    labels = [row[header.index(options.label)] for row in body]
    train, test = train_test_split(
        body, test_size=options.test, stratify=labels, random_state=options.seed
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("train.csv", train), ("test.csv", test)):
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(part)
        print(f"{name}: {len(part)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
