"""Does splitting hot spots by wording help? Measured on a loaded demo county.

The demo writes every case from a problem template (minsheng/demo/texts.py), so two cases
of one category "are about the same thing" when the same template wrote them. This draws
random groups of 3–15 same-category cases within a township, splits each with
``hotspots.split_by_text`` at several thresholds, and prints the pairwise precision and
recall of "kept together" against "same template", beside no splitting at all.

    MINSHENG_DATA_DIR=<a data dir with `minsheng demo` loaded> .venv/bin/python \\
        benchmarks/hotspots_text.py [--groups-per-key 6] [--seed 1]

Prints `name: value unit` lines. Reads only.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from minsheng.cases.models import Case  # noqa: E402
from minsheng.demo import texts  # noqa: E402
from minsheng.insight import hotspots as hs  # noqa: E402

THRESHOLDS = (0.08, 0.10, 0.12, 0.15, 0.20, 0.25)


def template_matchers() -> list[tuple[re.Pattern, int]]:
    out = []
    for index, template in enumerate(texts.TEMPLATES):
        for title in template.titles:
            pattern = re.sub(r"\\\{[a-z0-9_]+\\\}", ".+?", re.escape(title))
            out.append((re.compile(f"^{pattern}$"), index))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups-per-key", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    matchers = template_matchers()
    cases = list(Case.objects.only("id", "title", "description", "category_id", "area_path"))
    by_key: dict[tuple[str, int], list[Case]] = defaultdict(list)
    template_of: dict[int, int] = {}
    for case in cases:
        hits = {index for pattern, index in matchers if pattern.match(case.title)}
        if len(hits) != 1:
            continue  # a title two templates share, or one written by hand
        template_of[case.pk] = hits.pop()
        township = "/".join(case.area_path.strip("/").split("/")[:2])
        by_key[(township, case.category_id)].append(case)
    rng = random.Random(args.seed)
    groups = [
        rng.sample(members, min(len(members), rng.randint(3, 15)))
        for members in by_key.values()
        if len(members) >= 6
        for _ in range(args.groups_per_key)
    ]
    background = hs.Background.of(
        f"{c.title}\n{c.description[:1000]}" for c in rng.sample(cases, min(400, len(cases)))
    )
    print(f"# {len(template_of)} of {len(cases)} cases traced to one template; "
          f"{len(groups)} groups", file=sys.stderr)  # fmt: skip

    def score(split) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        tp = fp = fn = 0
        for group in groups:
            label = {c.pk: i for i, part in enumerate(split(group)) for c in part}
            for a, b in itertools.combinations(group, 2):
                same = template_of[a.pk] == template_of[b.pk]
                together = label[a.pk] == label[b.pk]
                tp += same and together
                fp += together and not same
                fn += same and not together
        return tp / max(1, tp + fp), tp / max(1, tp + fn)

    precision, recall = score(lambda g: [g])
    print(f"no_split_precision: {precision:.3f}\nno_split_recall: {recall:.3f}")
    for threshold in THRESHOLDS:
        for name, bg in (("background", background), ("own", None)):
            precision, recall = score(
                lambda g, t=threshold, b=bg: hs.split_by_text(g, threshold=t, background=b)
            )
            print(f"split_{name}_{threshold:.2f}_precision: {precision:.3f}")
            print(f"split_{name}_{threshold:.2f}_recall: {recall:.3f}")


if __name__ == "__main__":
    main()
