"""A county-sized ledger: 100,000 rows checked in one dry run, in bounded time."""

from __future__ import annotations

import time

from django.utils import translation

from minsheng.cases.models import Case
from minsheng.intake.ledger import guess_mapping, open_ledger, run_import
from tests.intake.ledger_files import HEADERS, days_ago

ROWS = 100_000


def test_a_100k_row_csv_dry_run_checks_every_row(county, tmp_path):
    path = tmp_path / "big.csv"
    villages = ("柳树村", "石门村")
    categories = ("供水", "道路交通", "环境卫生", "其他")
    with open(path, "w", encoding="gb18030", newline="") as out:
        out.write(",".join(HEADERS) + "\r\n")
        for n in range(1, ROWS + 1):
            # Every 1,000th row has no description; the rest are distinct requests.
            text = "" if n % 1000 == 0 else f"第{n}号反映：路灯不亮，已有{n % 30}天"
            day = days_ago(n % 300).isoformat()
            phone = f"139{n:08d}" if n % 3 == 0 else ""
            out.write(f"{n},{day},{villages[n % 2]},{categories[n % 4]},{text},,{phone}\r\n")

    started = time.monotonic()
    with translation.override("en"), open_ledger(path) as ledger:
        report = run_import(
            ledger, user=county.operator, mapping=guess_mapping(ledger.headers), dry_run=True
        )
    elapsed = time.monotonic() - started

    assert report.rows == ROWS
    assert report.created == ROWS - 100
    assert len(report.failed) == 100
    assert report.failed[0].number == 1001  # row 1,000 of data, below the heading row
    assert Case.objects.count() == 0
    print(f"100k-row dry run: {elapsed:.1f} s")
    assert elapsed < 60
