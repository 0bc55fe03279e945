"""Ledger import (问题台账): read a work team's .xlsx or .csv ledger, map its columns to case
fields, check every row, and record the good rows as cases through ``actions.submit_case``.

The same functions serve the staff pages and the ``minsheng import`` command:

    with open_ledger(path) as ledger:
        mapping = guess_mapping(ledger.headers)
        report = run_import(ledger, user=user, mapping=mapping, dry_run=True)

A dry run checks every row exactly as a commit would and writes nothing. A commit is
idempotent: each row carries a key computed from its normalised content, so importing the
same ledger again — even re-saved, renamed or with its columns reordered — creates nothing
new.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import Role, User
from minsheng.cases import actions
from minsheng.cases.errors import CaseError, InvalidInput
from minsheng.cases.models import Case, Channel
from minsheng.cases.redaction import public_text
from minsheng.cases.validation import DESCRIPTION_MAX, TITLE_MAX, clean_phone, clean_text
from minsheng.directory.models import Area, Category


class LedgerError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, a required column
    missing). ``message`` is translated and fit to show the user."""

    def __init__(self, message: object) -> None:
        self.message = message
        super().__init__(str(message))


# --- the case fields a ledger column can fill -----------------------------------------


@dataclass(frozen=True)
class LedgerField:
    name: str
    label: Promise
    # Usual headings in Chinese ledgers (and a few English ones), space-separated; compared
    # without spaces or punctuation, an exact match beating a heading that contains one.
    aliases: str
    help: Promise | str = ""


FIELDS: tuple[LedgerField, ...] = (
    LedgerField(
        "serial",
        gettext_lazy("Row number in the ledger"),
        "序号 编号 台账编号 登记编号 no number",
        gettext_lazy("Shown next to problems so the row is easy to find; not stored."),
    ),
    LedgerField(
        "date",
        gettext_lazy("Date raised"),
        "日期 登记日期 登记时间 反映时间 反映日期 受理时间 受理日期 来访时间 来访日期 接报时间 "
        "时间 date",
        gettext_lazy("Kept as the case's original date. Empty: the time of import."),
    ),
    LedgerField(
        "township",
        gettext_lazy("Township or street"),
        "乡镇 乡镇街道 所属乡镇 乡镇名称 街道 镇 乡 township",
        gettext_lazy("Optional; tells apart villages of the same name."),
    ),
    LedgerField(
        "area",
        gettext_lazy("Village or community"),
        "村 村社区 社区 村组 村居 村名 所属村 所在村 所属村社区 村委会 village community area",
    ),
    LedgerField(
        "category",
        gettext_lazy("Category"),
        "问题类型 问题类别 类别 类型 诉求类型 诉求类别 分类 category",
        gettext_lazy("Unknown categories are recorded as “Other”, with a warning."),
    ),
    LedgerField("title", gettext_lazy("Title"), "标题 问题标题 诉求标题 事项 title"),
    LedgerField(
        "description",
        gettext_lazy("Description"),
        "问题描述 反映内容 诉求内容 反映问题 问题内容 主要问题 具体问题 存在问题 群众诉求 内容 "
        "诉求 问题 description",
        gettext_lazy("Required: what the problem is."),
    ),
    LedgerField(
        "address",
        gettext_lazy("Address or place"),
        "地址 地点 详细地址 问题地址 发生地点 位置 address",
    ),
    LedgerField(
        "contact_name",
        gettext_lazy("Resident's name (protected)"),
        "反映人 姓名 联系人 来访人 诉求人 群众姓名 反映人姓名 name",
        gettext_lazy("Stored encrypted, apart from the case; never exported."),
    ),
    LedgerField(
        "contact_phone",
        gettext_lazy("Resident's phone (protected)"),
        "联系电话 电话 手机 手机号 手机号码 电话号码 联系方式 phone",
        gettext_lazy("Stored encrypted, apart from the case; never exported."),
    ),
    LedgerField(
        "handling",
        gettext_lazy("Handling so far"),
        "办理情况 处理情况 办理结果 处理结果 进展情况 办理进度",
        gettext_lazy("Added to the end of the description."),
    ),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}

# Everything in the row except these makes its identity: the serial number changes when a
# row is inserted above, and the township only helps find the village, which is in the key.
NOT_IN_KEY = {"serial", "township"}
KEY_PREFIX = "ledger:"
MAX_HEADER_SCAN = 30
WARNINGS_KEPT = 1000


def _squash(text: str) -> str:
    """Compare headings and names loosely: NFKC, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_ALIAS_INDEX = [(_squash(alias), f.name) for f in FIELDS for alias in f.aliases.split()]


def _header_match(header: str) -> tuple[str, int] | None:
    """(field, score) for a heading: an exact alias scores highest, then the longest
    alias the heading contains."""
    squashed = _squash(header)
    if not squashed:
        return None
    best: tuple[str, int] | None = None
    for alias, name in _ALIAS_INDEX:
        if squashed == alias:
            score = 1000 + len(alias)
        elif len(alias) >= 2 and alias in squashed and len(squashed) <= 16:
            score = len(alias)
        else:
            continue
        if best is None or score > best[1]:
            best = (name, score)
    return best


def guess_mapping(headers: list[str]) -> dict[str, str | None]:
    """field → heading, by the usual Chinese ledger headings; each heading used once."""
    candidates = []
    for position, header in enumerate(headers):
        match = _header_match(header)
        if match:
            candidates.append((match[1], -position, match[0], header))
    mapping: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    used: set[str] = set()
    for _score, _pos, name, header in sorted(candidates, reverse=True):
        if mapping[name] is None and header not in used:
            mapping[name] = header
            used.add(header)
    return mapping


def apply_overrides(
    headers: list[str], mapping: dict[str, str | None], overrides: Iterable[str]
) -> dict[str, str | None]:
    """Apply ``field=Heading`` overrides (the CLI's --map). A heading may also be given as
    its column letter (``description=D``); an empty heading (``title=``) unmaps the field."""
    mapping = dict(mapping)
    letters = {get_column_letter(i + 1): h for i, h in enumerate(headers)}
    for item in overrides:
        name, sep, header = item.partition("=")
        name, header = name.strip(), header.strip()
        if not sep or name not in FIELDS_BY_NAME:
            raise LedgerError(
                _("“%(item)s” is not field=column; the fields are: %(fields)s.")
                % {"item": item, "fields": ", ".join(FIELD_NAMES)}
            )
        if not header:
            mapping[name] = None
            continue
        if header not in headers and header.upper() in letters:
            header = letters[header.upper()]
        if header not in headers:
            raise LedgerError(
                _("The ledger has no column “%(column)s”. Its columns are: %(columns)s.")
                % {"column": header, "columns": ", ".join(headers)}
            )
        for other, used in mapping.items():
            if used == header and other != name:
                mapping[other] = None
        mapping[name] = header
    return mapping


def check_mapping(
    headers: list[str], mapping: dict[str, str | None], *, default_area: Area | None = None
) -> dict[str, str | None]:
    """The mapping, cleaned; LedgerError when a column the import needs is missing."""
    clean: dict[str, str | None] = {}
    used: dict[str, str] = {}
    for name in FIELD_NAMES:
        header = mapping.get(name) or None
        if header is not None and header not in headers:
            raise LedgerError(
                _("The ledger has no column “%(column)s”. Its columns are: %(columns)s.")
                % {"column": header, "columns": ", ".join(headers)}
            )
        if header is not None and header in used:
            raise LedgerError(
                _("The column “%(column)s” is mapped twice (to %(a)s and %(b)s).")
                % {
                    "column": header,
                    "a": FIELDS_BY_NAME[used[header]].label,
                    "b": FIELDS_BY_NAME[name].label,
                }
            )
        if header is not None:
            used[header] = name
        clean[name] = header
    if clean["description"] is None:
        raise LedgerError(
            _(
                "No column is mapped to the description, which every case needs. "
                "The columns found are: %(columns)s."
            )
            % {"columns": ", ".join(headers) or "—"}
        )
    if clean["area"] is None and default_area is None:
        raise LedgerError(
            _(
                "No column is mapped to the village or community, and no village was chosen "
                "for all rows. The columns found are: %(columns)s."
            )
            % {"columns": ", ".join(headers) or "—"}
        )
    return clean


# --- reading files ----------------------------------------------------------------------


@dataclass
class Ledger:
    """An opened ledger: its headings and a one-pass stream of its data rows."""

    kind: str  # "xlsx" or "csv"
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]
    # Rows below the header, counted cheaply and roughly (for progress bars).
    estimated_rows: int | None = None
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    merged_ranges: int = 0

    def preview(self, count: int = 5) -> list[tuple[int, list[str]]]:
        """The first data rows as text. Consumes them: open the ledger again to import."""
        out = []
        for number, values in self.rows:
            out.append((number, [cell_text(v) for v in values]))
            if len(out) >= count:
                break
        return out

    def describe(self) -> str:
        if self.kind == "xlsx":
            return _("Excel workbook, sheet “%(sheet)s”") % {"sheet": self.sheet}
        names = {",": _("comma"), "\t": _("tab"), ";": _("semicolon"), "|": _("vertical bar")}
        return _("CSV text, %(encoding)s, separated by %(delimiter)s") % {
            "encoding": self.encoding,
            "delimiter": names.get(self.delimiter, self.delimiter),
        }


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


@contextmanager
def open_ledger(source: str | Path | IO[bytes], *, sheet: str | None = None) -> Iterator[Ledger]:
    """Open a ledger file (path or binary file object), recognising .xlsx by its content.

    Raises LedgerError for files that cannot be read: old binary .xls, a damaged
    workbook, text in an encoding none of UTF-8, GB18030/GBK or UTF-16 decodes, no rows.
    """
    owned = None
    if isinstance(source, str | Path):
        owned = fileobj = open(source, "rb")  # noqa: SIM115 (closed in finally)
    else:
        fileobj = source
    try:
        fileobj.seek(0)
        magic = fileobj.read(8)
        fileobj.seek(0)
        if magic.startswith(b"PK\x03\x04"):
            with _open_xlsx(fileobj, sheet) as ledger:
                yield ledger
        elif magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise LedgerError(
                _("Old Excel .xls files cannot be read. Save the ledger as .xlsx or CSV.")
            )
        else:
            if sheet:
                raise LedgerError(_("A CSV file has no sheets."))
            yield _open_csv(fileobj)
    finally:
        if owned is not None:
            owned.close()


@contextmanager
def _open_xlsx(fileobj: IO[bytes], sheet: str | None) -> Iterator[Ledger]:
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise LedgerError(
            _("The Excel file could not be read (%(error)s). Is it really an .xlsx file?")
            % {"error": exc}
        ) from exc
    try:
        names = [ws.title for ws in workbook.worksheets]
        if not names:
            raise LedgerError(_("The workbook has no worksheet."))
        if sheet is not None and sheet not in names:
            raise LedgerError(
                _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(names)}
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        merges = _merged_ranges(fileobj, worksheet.title)
        estimated = worksheet.max_row  # from the sheet's own dimension record, if any
        # The recorded dimension is often wrong in files written by other programs.
        worksheet.reset_dimensions()
        raw = enumerate(worksheet.iter_rows(values_only=True), start=1)
        rows = _fill_merged(raw, merges)
        headers, header_row, data = _split_header(rows)
        yield Ledger(
            kind="xlsx",
            headers=headers,
            header_row=header_row,
            rows=data,
            estimated_rows=max(0, estimated - header_row) if estimated else None,
            sheet=worksheet.title,
            sheets=names,
            merged_ranges=len(merges),
        )
    finally:
        workbook.close()


_MERGE_RE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"'
)


def _merged_ranges(fileobj: IO[bytes], title: str) -> list[tuple[int, ...]]:
    """The merged ranges (min_row, min_col, max_row, max_col) of one sheet, read straight
    from its XML.

    openpyxl's read-only mode (which streams 100,000-row ledgers in little memory) does not
    see merged cells, and a full load would hold the whole sheet in memory. The merge list
    sits at the end of each sheet's XML, so scanning the decompressed stream for it costs
    little and works at any size. A workbook laid out in a way this does not follow is
    read without merges; the rows that needed them then fail with a hint, not silently.
    """
    ranges: set[tuple[int, ...]] = set()
    try:
        # A second reader on the same file: zipfile seeks before every read, so this does
        # not disturb openpyxl's own.
        with zipfile.ZipFile(fileobj) as archive:
            path = _sheet_parts(archive).get(title)
            if path is None or path not in archive.namelist():
                return []
            tail = b""
            with archive.open(path) as stream:
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    if b"mergeCell" in data:
                        for match in _MERGE_RE.finditer(data):
                            ref = match.group(1).decode()
                            if ":" in ref:
                                min_col, min_row, max_col, max_row = range_boundaries(ref)
                                ranges.add((min_row, min_col, max_row, max_col))
                    tail = data[-256:]
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, ValueError):
        return []
    return sorted(ranges)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → path of its XML part inside the workbook archive, in workbook order."""

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def rel_id(element: ElementTree.Element) -> str | None:
        return next((v for k, v in element.attrib.items() if local(k) == "id"), None)

    root_rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    workbook_path = next(
        (
            r.get("Target", "").lstrip("/")
            for r in root_rels
            if r.get("Type", "").endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    base = posixpath.dirname(workbook_path)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels")
    targets = {}
    for rel in ElementTree.fromstring(archive.read(rels_path)):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(base, target))
        )
    parts = {}
    for element in ElementTree.fromstring(archive.read(workbook_path)).iter():
        if local(element.tag) == "sheet":
            target = targets.get(rel_id(element))
            if target:
                parts[element.get("name", "")] = target
    return parts


def _fill_merged(
    rows: Iterable[tuple[int, Iterable[Any]]], ranges: list[tuple[int, ...]]
) -> Iterator[tuple[int, list[Any]]]:
    """Give every cell of a merged range the value of its top-left cell, as the reader of
    the printed ledger sees it (a village name merged down over its rows)."""
    starting: dict[int, list[tuple[int, ...]]] = {}
    for merged in ranges:
        starting.setdefault(merged[0], []).append(merged)
    active: list[tuple[tuple[int, ...], Any]] = []
    for number, values in rows:
        values = list(values)
        for merged in starting.pop(number, []):
            col = merged[1]
            active.append((merged, values[col - 1] if len(values) >= col else None))
        if active:
            active = [(m, v) for m, v in active if m[2] >= number]
            for (_r0, c0, _r1, c1), value in active:
                if len(values) < c1:
                    values.extend([None] * (c1 - len(values)))
                for col in range(c0 - 1, c1):
                    values[col] = value
        yield number, values


def _is_blank(values: Iterable[Any]) -> bool:
    return all(cell_text(v) == "" for v in values)


def _split_header(
    rows: Iterator[tuple[int, list[Any]]],
) -> tuple[list[str], int, Iterator[tuple[int, list[Any]]]]:
    """Find the heading row — ledgers often start with a title row or two — and return the
    headings and a stream of the non-blank rows below it, each as long as the headings."""
    scanned: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if not _is_blank(values):
            scanned.append((number, values))
        if len(scanned) >= MAX_HEADER_SCAN:
            break
    if not scanned:
        raise LedgerError(_("The file has no rows."))

    def score(values: list[Any]) -> int:
        matched = {m[0] for m in (_header_match(cell_text(v)) for v in values) if m}
        return len(matched)

    best = max(range(len(scanned)), key=lambda i: (score(scanned[i][1]), -i))
    if score(scanned[best][1]) == 0:
        best = 0
    header_row, raw_headers = scanned[best]
    headers = _clean_headers(raw_headers)
    if not headers:
        raise LedgerError(_("The file has no column headings."))
    width = len(headers)

    def data() -> Iterator[tuple[int, list[Any]]]:
        for number, values in itertools.chain(scanned[best + 1 :], rows):
            if _is_blank(values):
                continue
            if len(values) < width:
                values = [*values, *([None] * (width - len(values)))]
            yield number, values

    return headers, header_row, data()


def _clean_headers(values: list[Any]) -> list[str]:
    texts = [re.sub(r"\s+", " ", cell_text(v)).strip() for v in values]
    while texts and not texts[-1]:
        texts.pop()
    headers: list[str] = []
    for position, text in enumerate(texts):
        text = text or get_column_letter(position + 1)
        unique, n = text, 2
        while unique in headers:
            unique, n = f"{text} ({n})", n + 1
        headers.append(unique)
    return headers


# CSV ------------------------------------------------------------------------------------


def _decodes(fileobj: IO[bytes], encoding: str) -> bool:
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := fileobj.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeError:
        return False
    return True


def detect_encoding(fileobj: IO[bytes]) -> tuple[str, str]:
    """(codec, name to show) of a CSV file: a byte-order mark decides first, then UTF-8,
    GB18030 (a superset of GBK and GB2312, what Chinese Excel saves as "CSV") and UTF-16."""
    fileobj.seek(0)
    head = fileobj.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 (BOM)"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: the zero high bytes of ASCII give it away.
        even = head[0::2].count(0)
        odd = head[1::2].count(0)
        codec = "utf-16-le" if odd >= even else "utf-16-be"
        if _decodes(fileobj, codec):
            return codec, "UTF-16"
    for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK"), ("utf-16-le", "UTF-16")):
        if _decodes(fileobj, codec):
            return codec, name
    raise LedgerError(
        _("The file's text encoding was not recognised. Save it as .xlsx or as UTF-8 CSV.")
    )


DELIMITERS = (",", "\t", ";", "|")


def _sniff_delimiter(sample: str) -> str:
    """The separator that occurs most often outside quotes in the first lines."""
    counts = dict.fromkeys(DELIMITERS, 0)
    for line in sample.splitlines()[:20]:
        quoted = False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            elif not quoted and ch in counts:
                counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _open_csv(fileobj: IO[bytes]) -> Ledger:
    codec, name = detect_encoding(fileobj)
    fileobj.seek(0)
    newlines = 0
    while chunk := fileobj.read(1 << 20):
        newlines += chunk.count(b"\n")
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=codec, newline="")
    sample = text.read(65536)
    text.seek(0)
    delimiter = _sniff_delimiter(sample)

    def records() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(text, delimiter=delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):  # noqa: B007 (used in except)
                yield number, row
        except csv.Error as exc:
            raise LedgerError(
                _("Row %(row)d of the CSV file cannot be read: %(error)s")
                % {"row": number + 1, "error": exc}
            ) from exc

    headers, header_row, data = _split_header(records())
    return Ledger(
        kind="csv",
        headers=headers,
        header_row=header_row,
        rows=data,
        estimated_rows=max(0, newlines - header_row + 1),
        encoding=name,
        delimiter=delimiter,
    )


# --- reading values ---------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
        r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
    ),
    re.compile(
        r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"
        r"(?:\s*(\d{1,2})[:时点](?:(\d{1,2})分?)?(?::?(\d{1,2})秒?)?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# Excel counts days from 1899-12-30 (the 1900 date system, leap-year bug included).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EARLIEST_YEAR = 1990


class BadDate(Exception):
    pass


def parse_ledger_date(value: Any) -> dt.datetime | None:
    """A ledger date as a naive local datetime, or None for an empty cell; BadDate if the
    value is not a date. Understands real Excel dates, Excel serial numbers, 2026-11-03,
    2026/11/3, 2026.11.3, 20261103 and 2026年11月3日 (each optionally with a time)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"\s+", " ", text)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (6 - len(parts))
            try:
                return dt.datetime(*parts)  # type: ignore[arg-type]
            except ValueError as exc:
                raise BadDate from exc
    raise BadDate


def _from_serial(days: float) -> dt.datetime:
    if not 1 <= days < 2958466:
        raise BadDate
    return (EXCEL_EPOCH + dt.timedelta(days=days)).replace(microsecond=0)


_SPACES = re.compile(r"\s+")


def _norm_text(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip() if value else ""


AREA_SUFFIXES = (
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "街道办事处",
    "办事处",
    "社区",
    "街道",
    "村",
    "镇",
    "乡",
    "县",
    "区",
)
_SEPARATORS = re.compile(r"[/／\\>＞\-－—·、,，;；|]+|\s+")


def _stem(name: str) -> str:
    """A place name without its administrative suffix: 柳树村 → 柳树, 东湖镇 → 东湖."""
    name = _squash(name)
    for suffix in AREA_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class AreaIndex:
    """Finds the area a ledger names: 柳树村, 柳树, V1 (its code), 东湖镇柳树村, 东湖镇/柳树村,
    or 柳树村 with 东湖镇 in a township column. Ambiguous names are refused, not guessed."""

    def __init__(self) -> None:
        self.areas = {a.pk: a for a in Area.objects.only("id", "name", "name_en", "code", "path")}
        self.by_key: dict[str, list[Area]] = {}
        for area in self.areas.values():
            for key in {_squash(area.name), _squash(area.name_en), _stem(area.name)} - {""}:
                self.by_key.setdefault(key, []).append(area)
            self.by_key.setdefault("#" + _squash(area.code), []).append(area)

    def ancestors(self, area: Area) -> list[Area]:
        ids = [int(p) for p in area.path.strip("/").split("/") if p][:-1]
        return [self.areas[i] for i in ids if i in self.areas]

    def _named(self, name: str) -> list[Area]:
        return self.by_key.get(_squash(name)) or self.by_key.get(_stem(name)) or []

    def _within(self, area: Area, names: list[str]) -> bool:
        keys = {k for a in self.ancestors(area) for k in (_squash(a.name), _stem(a.name))}
        return all(_squash(n) in keys or _stem(n) in keys for n in names)

    def _prefixed(self, text: str) -> list[Area]:
        """东湖镇柳树村: a known name at the end, its ancestors' names before it."""
        squashed = _squash(text)
        found = []
        for cut in range(1, len(squashed) - 1):
            head, tail = squashed[:cut], squashed[cut:]
            for area in self.by_key.get(tail, []):
                chain = self.ancestors(area)
                for start in range(len(chain)):
                    names = chain[start:]
                    if head in (
                        "".join(_squash(a.name) for a in names),
                        "".join(_stem(a.name) for a in names),
                    ):
                        found.append(area)
                        break
        return found

    def find(self, text: str, township: str = "") -> list[Area]:
        """Every area the text may name (empty list: unknown)."""
        text = text.strip()
        if not text:
            return []
        candidates = self._named(text) or self.by_key.get("#" + _squash(text), [])
        if not candidates:
            parts = [p for p in _SEPARATORS.split(text) if p]
            if len(parts) > 1:
                candidates = [a for a in self._named(parts[-1]) if self._within(a, parts[:-1])]
            else:
                candidates = self._prefixed(text)
        if township.strip() and len(candidates) > 1:
            candidates = [a for a in candidates if self._within(a, [township])] or candidates
        return list({a.pk: a for a in candidates}.values())

    def full_name(self, area: Area) -> str:
        return " / ".join(a.name for a in [*self.ancestors(area), area])


class CategoryIndex:
    """Finds a category by code, name (any language), a name the text contains or is part
    of, or a keyword; None when nothing or more than one matches."""

    def __init__(self) -> None:
        self.categories = list(Category.objects.filter(is_active=True))
        self.other = next((c for c in self.categories if c.code == "other"), None)
        self.exact: dict[str, Category] = {}
        for cat in self.categories:
            for key in (cat.code, cat.name, cat.name_en, cat.name_ug):
                if _squash(key):
                    self.exact.setdefault(_squash(key), cat)

    def find(self, text: str) -> Category | None:
        key = _squash(text)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        by_name = [
            c
            for c in self.categories
            if len(key) >= 2 and (_squash(c.name) in key or key in _squash(c.name))
        ]
        if len(by_name) == 1:
            return by_name[0]
        by_keyword = [
            c
            for c in self.categories
            if any(_squash(k) and _squash(k) in key for k in c.keywords.splitlines())
        ]
        if len(by_keyword) == 1:
            return by_keyword[0]
        return None


# --- checking rows ----------------------------------------------------------------------


@dataclass
class CheckedRow:
    """One data row after checking: what submit_case would get, or why it cannot."""

    number: int
    serial: str = ""
    excerpt: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key: str = ""
    submit: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def row_key(parts: dict[str, str]) -> str:
    """The row's idempotency key: a keyed hash of its normalised content.

    Keyed with the installation's secret because the content includes the resident's
    phone number, which an unkeyed hash of a few known fields would give away to anyone
    who can read the key beside the case. Keep SECRET_KEY when moving an installation
    (it lives in the data directory with the contact key), or re-imports duplicate.
    """
    payload = json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()
    digest = hmac.new(_row_key_secret(settings.SECRET_KEY), payload, hashlib.sha256).hexdigest()
    return KEY_PREFIX + digest[:56]


@lru_cache(maxsize=4)
def _row_key_secret(secret: str) -> bytes:
    # As django.utils.crypto.salted_hmac derives its key, once rather than for every row.
    return hashlib.sha256(("minsheng.intake.ledger.row" + secret).encode()).digest()


class RowChecker:
    """Checks ledger rows for one user and mapping, exactly as ``submit_case`` will."""

    def __init__(
        self,
        *,
        user: User,
        headers: list[str],
        mapping: dict[str, str | None],
        default_area: Area | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        self.user = user
        self.mapping = mapping
        self.index = {name: headers.index(h) for name, h in mapping.items() if h is not None}
        self.width = len(headers)
        self.text_checks = (
            ("title", _("title"), TITLE_MAX),
            ("description", _("description"), DESCRIPTION_MAX),
            ("address", _("address"), 200),
            ("contact_name", _("name"), 60),
        )
        self.default_area = default_area
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.areas = AreaIndex()
        self.categories = CategoryIndex()
        self._area_memo: dict[tuple[str, str], tuple[Area | None, str]] = {}
        self._date_memo: dict[tuple[type, Any], tuple[dt.datetime | None, str, str]] = {}
        self._category_memo: dict[str, Category | None] = {}
        self._allowed = self._allowed_paths(user)

    @staticmethod
    def _allowed_paths(user: User) -> list[str] | None:
        """Area path prefixes the user records cases for (None: everywhere), mirroring the
        check in submit_case: scope for operators and supervisors, units' areas for all."""
        if not perms.is_staff_user(user):
            return []
        if user.is_administrator:
            return None
        paths = []
        if user.role in (Role.OPERATOR, Role.SUPERVISOR) and user.scope_area_id:
            paths.append(user.scope_area.path)
        for unit in user.units.prefetch_related("areas"):
            paths.extend(a.path for a in unit.areas.all())
        return paths

    def may_record(self, area: Area) -> bool:
        return self._allowed is None or any(area.path.startswith(p) for p in self._allowed)

    def _get(self, values: list[Any], name: str) -> Any:
        position = self.index.get(name)
        return values[position] if position is not None and position < len(values) else None

    def _text(self, values: list[Any], name: str) -> str:
        return cell_text(self._get(values, name))

    def _area(self, text: str, township: str) -> tuple[Area | None, str]:
        memo = self._area_memo.get((text, township))
        if memo is not None:
            return memo
        candidates = self.areas.find(text, township)
        if len(candidates) > 1:
            mine = [a for a in candidates if self.may_record(a)]
            candidates = mine if len(mine) == 1 else candidates
        if not candidates:
            result: tuple[Area | None, str] = (
                None,
                _("Unknown village or community “%(name)s”.") % {"name": text},
            )
        elif len(candidates) > 1:
            names = "; ".join(self.areas.full_name(a) for a in candidates[:3])
            result = (
                None,
                _(
                    "“%(name)s” could be several places (%(places)s). "
                    "Write the township too, or map a township column."
                )
                % {"name": text, "places": names},
            )
        else:
            result = (candidates[0], "")
        self._area_memo[(text, township)] = result
        return result

    def _date(self, raw: Any) -> tuple[dt.datetime | None, str, str]:
        """(aware datetime, ISO text for the key, problem) for a date cell; memoised, since
        a ledger repeats the same few hundred dates."""
        memo_key = (type(raw), raw)
        memo = self._date_memo.get(memo_key)
        if memo is not None:
            return memo
        try:
            naive = parse_ledger_date(raw)
        except BadDate:
            naive, problem = (
                None,
                _(
                    "“%(value)s” is not a date this import understands "
                    "(write 2026-11-03 or 2026年11月3日)."
                )
                % {"value": cell_text(raw)},
            )
        else:
            problem = ""
            if naive is None:
                pass
            elif naive.date() > self.today or (
                naive.time() != dt.time(0) and timezone.make_aware(naive) > self.now
            ):
                problem = _("The date %(date)s lies in the future.") % {
                    "date": naive.date().isoformat()
                }
            elif naive.year < EARLIEST_YEAR:
                problem = _("The date %(date)s is too early to be right.") % {
                    "date": naive.date().isoformat()
                }
        if naive is None or problem:
            result: tuple[dt.datetime | None, str, str] = (None, "", problem)
        else:
            result = (timezone.make_aware(naive), naive.isoformat(), "")
        self._date_memo[memo_key] = result
        return result

    def check(self, number: int, values: list[Any]) -> CheckedRow | None:
        """The checked row, or None when it holds nothing but (perhaps) its serial number —
        ledger templates come with numbered empty rows."""
        texts = {name: self._text(values, name) for name in self.index}
        if not any(v for k, v in texts.items() if k != "serial"):
            return None
        row = CheckedRow(number=number, serial=texts.get("serial", ""))
        description = texts.get("description", "")
        # Shown in reports and kept beside the upload for a day: no phone, ID or name in it.
        excerpt = _SPACES.sub(" ", description or texts.get("title", "")).strip()[:80]
        private = (texts.get("contact_name", ""), texts.get("contact_phone", ""))
        row.excerpt = public_text(excerpt, tuple(t for t in private if t and t in excerpt))[:40]
        key_parts = {k: _norm_text(texts.get(k, "")) for k in FIELD_NAMES if k not in NOT_IN_KEY}

        raised_at = None
        if "date" in self.index:
            raised_at, iso, problem = self._date(self._get(values, "date"))
            if problem:
                row.errors.append(problem)
            key_parts["date"] = iso

        area_text = texts.get("area", "")
        area: Area | None = None
        if area_text:
            area, problem = self._area(area_text, texts.get("township", ""))
            if problem:
                row.errors.append(problem)
        elif self.default_area is not None:
            area = self.default_area
        else:
            row.errors.append(
                _(
                    "The village cell is empty. (Merged cells lose their value when a sheet "
                    "is saved as CSV: import the .xlsx, or fill the column.)"
                )
            )
        if area is not None:
            key_parts["area"] = str(area.pk)
            if not self.may_record(area):
                row.errors.append(
                    _("You may not record cases for %(area)s: it is outside your area.")
                    % {"area": self.areas.full_name(area)}
                )

        category_text = texts.get("category", "")
        category = None
        if category_text:
            if category_text not in self._category_memo:
                self._category_memo[category_text] = self.categories.find(category_text)
            category = self._category_memo[category_text]
        if category is None:
            category = self.categories.other
            if category_text:
                row.warnings.append(
                    _("Unknown category “%(name)s”: recorded as “Other”.") % {"name": category_text}
                )
        if category is not None:
            key_parts["category"] = category.code

        handling = texts.get("handling", "")
        if not description:
            row.errors.append(
                _("The description is empty: every row must say what the problem is.")
            )
        elif handling:
            description = (
                description
                + "\n\n"
                + _("Handling recorded in the ledger: %(text)s") % {"text": handling}
            )
        submit: dict[str, Any] = {}
        for name, label, limit in self.text_checks:
            value = description if name == "description" else texts.get(name, "")
            if not value:
                submit[name] = ""
                continue
            try:
                submit[name] = clean_text(
                    value, field=name, label=label, max_length=limit, required=False
                )
            except InvalidInput as exc:
                row.errors.append(str(exc.message))
        phone = unicodedata.normalize("NFKC", texts.get("contact_phone", ""))
        try:
            submit["contact_phone"] = clean_phone(phone) if phone else ""
        except InvalidInput:
            row.errors.append(_("The phone number is not valid."))
        key_parts["contact_phone"] = "".join(ch for ch in phone if ch.isdigit())

        if any(cell_text(v) for v in values[self.width :]):
            row.errors.append(
                _(
                    "The row has more cells than the ledger has columns; a separator inside "
                    "a cell may have split it."
                )
            )
        if row.errors:
            return row
        row.key = row_key(key_parts)
        row.submit = {
            **submit,
            "area": area,
            "category": category,
            "raised_at": raised_at,
            "submission_key": row.key,
        }
        return row


# --- the import itself -------------------------------------------------------------------


@dataclass
class RowProblem:
    number: int
    serial: str
    excerpt: str
    messages: list[str]


@dataclass
class ImportReport:
    """What a dry run found or a commit did. ``created`` counts the cases a dry run would
    create; ``present`` the rows already imported before (or repeated in the file)."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    present: int = 0
    failed: list[RowProblem] = field(default_factory=list)
    warned: list[RowProblem] = field(default_factory=list)
    warning_count: int = 0

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["failed"] = [RowProblem(**p) for p in data.get("failed", [])]
        data["warned"] = [RowProblem(**p) for p in data.get("warned", [])]
        return cls(**data)


def _batches(
    rows: Iterator[tuple[int, list[Any]]], size: int
) -> Iterator[list[tuple[int, list[Any]]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_import(
    ledger: Ledger,
    *,
    user: User,
    mapping: dict[str, str | None],
    default_area: Area | None = None,
    dry_run: bool = True,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row of the ledger and, unless ``dry_run``, record the good ones.

    Each new row becomes a case through ``actions.submit_case`` (channel "import", the
    ledger's date kept, the key making a repeat return the first case). A batch of rows
    commits together; a row the action refuses is reported and the others go on.
    """
    mapping = check_mapping(ledger.headers, mapping, default_area=default_area)
    checker = RowChecker(
        user=user, headers=ledger.headers, mapping=mapping, default_area=default_area
    )
    report = ImportReport(dry_run=dry_run)
    first_row: dict[str, int] = {}
    done = 0

    def note_warnings(row: CheckedRow, messages: list[str]) -> None:
        report.warning_count += 1
        if len(report.warned) < WARNINGS_KEPT:
            report.warned.append(RowProblem(row.number, row.serial, row.excerpt, messages))

    for batch in _batches(ledger.rows, batch_size):
        checked = [c for c in (checker.check(n, v) for n, v in batch) if c is not None]
        report.rows += len(checked)
        keys = [c.key for c in checked if c.ok]
        existing = set(
            Case.objects.filter(submission_key__in=keys).values_list("submission_key", flat=True)
        )
        # One transaction per batch of a commit: far fewer disk syncs than one per row.
        with nullcontext() if dry_run else transaction.atomic():
            for row in checked:
                if not row.ok:
                    report.failed.append(
                        RowProblem(row.number, row.serial, row.excerpt, row.errors)
                    )
                    continue
                if row.key in first_row:
                    report.present += 1
                    note_warnings(
                        row,
                        [
                            *row.warnings,
                            _("Same as row %(row)d; imported once.") % {"row": first_row[row.key]},
                        ],
                    )
                    continue
                first_row[row.key] = row.number
                if row.key in existing:
                    report.present += 1
                    continue
                if not dry_run:
                    try:
                        actions.submit_case(
                            actor=user,
                            channel=Channel.IMPORT,
                            language=settings.LANGUAGE_CODE,
                            **row.submit,
                        )
                    except CaseError as exc:
                        report.failed.append(
                            RowProblem(row.number, row.serial, row.excerpt, [str(exc.message)])
                        )
                        continue
                report.created += 1
                if row.warnings:
                    note_warnings(row, row.warnings)
        done += len(batch)
        if progress is not None:
            progress(done)
    report.failed.sort(key=lambda p: p.number)
    return report
