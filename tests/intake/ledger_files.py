"""Ledger files as work teams make them, written into a test's tmp_path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

HEADERS = ["序号", "登记日期", "村（社区）", "问题类型", "反映内容", "反映人", "联系电话"]


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def good_rows() -> list[list[Any]]:
    """Three rows that import cleanly in the test county (柳树村 is in 东湖镇)."""
    return [
        [
            1,
            days_ago(30).isoformat(),
            "柳树村",
            "供水",
            "村东头水管漏水，已停水两天。",
            "王大山",
            "13800138000",
        ],
        [
            2,
            days_ago(20).strftime("%Y年%-m月%-d日"),
            "柳树村",
            "道路交通",
            "村口路灯不亮。",
            "",
            "",
        ],
        [
            3,
            days_ago(10).strftime("%Y/%m/%d"),
            "石门村",
            "环境卫生",
            "垃圾箱满了没人清运。",
            "",
            "",
        ],
    ]


def write_csv(
    path: Path,
    rows: list[list[Any]],
    *,
    headers: list[str] = HEADERS,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    *,
    headers: list[str] = HEADERS,
    title: str | None = None,
    merges: list[str] = (),  # type: ignore[assignment]
    sheet: str = "台账",
) -> Path:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    workbook.save(path)
    return path
