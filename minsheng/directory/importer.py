"""A county's reference data from one workbook: areas, units, routing rules and staff
accounts, each on its own sheet.

A county has hundreds of villages; entering them one form at a time is what stops it from
starting. The workbook (``template_workbook`` writes an empty one with an example row per
sheet) is read whole and checked whole: every problem is reported with its sheet and row,
and if there is any, nothing is written. Rows name each other by code, in the same file or
already in the database, in any order.

Re-importing is safe: an area or unit with a known code is updated, a routing rule for a
known (category, area) gets the new unit, an account with a known username gets the new
role, units and area. An empty cell leaves what is stored as it was, so a file never
erases data. New accounts get a random password, returned once to show the administrator.
"""

from __future__ import annotations

import io
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from minsheng.accounts.models import Role, User
from minsheng.directory.models import Area, AreaKind, Category, Level, RoutingRule, Unit

AREAS, UNITS, RULES, ACCOUNTS = "areas", "units", "rules", "accounts"

# Sheet names and column headings are recognised in Chinese and English; the template
# writes them in the reader's language.
SHEETS = {
    AREAS: (gettext_lazy("Areas"), ("区域", "areas")),
    UNITS: (gettext_lazy("Units"), ("承办单位", "单位", "units")),
    RULES: (gettext_lazy("Routing rules"), ("分派规则", "routing rules", "rules")),
    ACCOUNTS: (gettext_lazy("Accounts"), ("账号", "人员", "accounts", "staff")),
}
COLUMNS: dict[str, list[tuple[str, Any, tuple[str, ...]]]] = {
    AREAS: [
        ("code", gettext_lazy("Code"), ("编码", "代码")),
        ("name", gettext_lazy("Name (Chinese)"), ("名称", "中文名称", "name")),
        ("name_en", gettext_lazy("Name (English)"), ("英文名称", "name (english)")),
        ("name_ug", gettext_lazy("Name (Uyghur)"), ("维吾尔文名称", "name (uyghur)")),
        ("kind", gettext_lazy("Kind"), ("类型", "种类")),
        ("parent", gettext_lazy("Parent code"), ("上级编码", "上级区域编码", "parent")),
    ],
    UNITS: [
        ("code", gettext_lazy("Code"), ("编码", "代码")),
        ("name", gettext_lazy("Name (Chinese)"), ("名称", "中文名称", "name")),
        ("name_en", gettext_lazy("Name (English)"), ("英文名称", "name (english)")),
        ("name_ug", gettext_lazy("Name (Uyghur)"), ("维吾尔文名称", "name (uyghur)")),
        ("level", gettext_lazy("Level"), ("层级", "级别")),
        ("parent", gettext_lazy("Escalates to (unit code)"), ("上级单位编码", "上报单位编码")),
        ("areas", gettext_lazy("Areas covered (codes)"), ("负责区域编码", "负责区域")),
        ("phone", gettext_lazy("Office phone"), ("电话", "办公电话", "phone")),
        ("active", gettext_lazy("Active"), ("启用", "active")),
    ],
    RULES: [
        ("category", gettext_lazy("Category (code or name; empty: any)"), ("类别",)),
        ("area", gettext_lazy("Area code (empty: anywhere)"), ("区域编码", "区域")),
        ("unit", gettext_lazy("Unit code"), ("承办单位编码", "单位编码")),
    ],
    ACCOUNTS: [
        ("username", gettext_lazy("Username"), ("用户名", "账号")),
        ("display_name", gettext_lazy("Display name"), ("显示名称", "姓名")),
        ("role", gettext_lazy("Role"), ("角色",)),
        ("units", gettext_lazy("Units (codes)"), ("承办单位编码", "所属单位编码")),
        ("scope", gettext_lazy("Area of work (code)"), ("管辖区域编码", "管辖范围")),
        ("active", gettext_lazy("Active"), ("启用", "active")),
    ],
}
EXAMPLES = {
    AREAS: ["TJ01", "东风乡", "Dongfeng Township", "دۇڭفېڭ يېزىسى", "township", "TJ"],
    UNITS: [
        "TJ-SLJ",
        "团结县水利局",
        "Water Bureau",
        "سۇ ئىشلىرى ئىدارىسى",
        "county",
        "TJ-ZF",
        "TJ",
        "0991-1234567",
        "yes",
    ],  # fmt: skip
    RULES: ["water", "TJ01", "TJ-SLJ"],
    ACCOUNTS: ["shuili", "水利局 王工", "handler", "TJ-SLJ", "", "yes"],
}

_KINDS = {
    **{k.value: k.value for k in AreaKind},
    "县": "county", "区": "county", "县区": "county", "乡": "township", "镇": "township",
    "乡镇": "township", "街道": "township", "村": "village", "社区": "community",
    "网格": "grid",
}  # fmt: skip
_LEVELS = {
    "1": Level.VILLAGE, "village": Level.VILLAGE, "村": Level.VILLAGE, "村级": Level.VILLAGE,
    "社区": Level.VILLAGE, "2": Level.TOWNSHIP, "township": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP, "乡镇级": Level.TOWNSHIP, "街道": Level.TOWNSHIP,
    "3": Level.COUNTY, "county": Level.COUNTY, "县": Level.COUNTY, "县级": Level.COUNTY,
    "区县": Level.COUNTY,
}  # fmt: skip
_ROLES = {
    **{r.value: r.value for r in Role},
    "受理员": Role.OPERATOR, "话务员": Role.OPERATOR, "承办人": Role.HANDLER,
    "督办员": Role.SUPERVISOR, "督办": Role.SUPERVISOR, "管理员": Role.ADMINISTRATOR,
}  # fmt: skip
_YES = {"yes", "y", "true", "1", "是", "启用", "✓"}
_NO = {"no", "n", "false", "0", "否", "停用"}
_LIST = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the row number as the spreadsheet shows it; 0 for the whole file
    message: str


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    # New accounts' usernames and their first passwords, to show once.
    passwords: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportError_(Exception):
    """The file cannot be read as a workbook at all."""


@dataclass
class _Row:
    number: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _in_every_language(label: object) -> set[str]:
    """A heading as the template writes it in any interface language: a workbook downloaded
    in Uyghur is imported by an administrator reading Chinese."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(_norm(label))
    return found


def _norm(text: object) -> str:
    return re.sub(r"[\s（）()：:*]+", "", str(text or "")).lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(source: IO[bytes]) -> tuple[dict[str, list[_Row]], list[Problem]]:
    """The recognised sheets' rows, by kind, and the problems with the file's layout."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise ImportError_(
            _("This file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": exc}
        ) from exc
    sheets: dict[str, list[_Row]] = {}
    problems: list[Problem] = []
    for sheet in book.worksheets:
        kind = next(
            (
                k
                for k, (label, names) in SHEETS.items()
                if _norm(sheet.title) in {*_in_every_language(label), *map(_norm, names)}
            ),
            None,
        )
        if kind is None:
            continue
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = _columns(kind, header)
        missing = [
            str(label)
            for name, label, _aliases in COLUMNS[kind]
            if name in _required(kind) and name not in columns.values()
        ]
        if missing:
            problems.append(
                Problem(
                    sheet.title,
                    1,
                    _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)},
                )
            )
            continue
        found = []
        for number, values in enumerate(rows, start=2):
            cells = {name: _cell(values[i]) for i, name in columns.items() if i < len(values)}
            if any(cells.values()):
                found.append(_Row(number, cells))
        sheets[kind] = found
    book.close()
    if not sheets and not problems:
        problems.append(
            Problem(
                "",
                0,
                _("No sheet is named for areas, units, routing rules or accounts (%(names)s).")
                % {"names": "、".join(str(label) for label, _n in SHEETS.values())},
            )
        )
    return sheets, problems


def _required(kind: str) -> set[str]:
    return {
        AREAS: {"code", "name"},
        UNITS: {"code", "name"},
        RULES: {"unit"},
        ACCOUNTS: {"username"},
    }[kind]


def _columns(kind: str, header: Iterable[object]) -> dict[int, str]:
    known = {
        key: name
        for name, label, aliases in COLUMNS[kind]
        for key in {*_in_every_language(label), _norm(name), *map(_norm, aliases)}
    }
    found: dict[int, str] = {}
    for index, heading in enumerate(header):
        name = known.get(_norm(heading))
        if name is not None and name not in found.values():
            found[index] = name
    return found


def import_directory(
    source: IO[bytes], *, dry_run: bool = False, password_length: int = 12
) -> ImportResult:
    """Read, check and (unless a dry run, and only if nothing is wrong) write the file."""
    result = ImportResult(dry_run=dry_run)
    try:
        sheets, result.problems = read_workbook(source)
    except ImportError_ as exc:
        result.problems.append(Problem("", 0, str(exc)))
        return result
    if result.problems:
        return result
    with transaction.atomic():
        writer = _Writer(sheets, result, password_length)
        writer.run()
        if dry_run or result.problems:
            # Everything was checked by writing it; none of it stays.
            transaction.set_rollback(True)
            result.passwords = {}
    return result


class _Writer:
    def __init__(self, sheets: dict[str, list[_Row]], result: ImportResult, length: int):
        self.sheets = sheets
        self.result = result
        self.length = length
        self.names = {kind: str(label) for kind, (label, _n) in SHEETS.items()}

    def problem(self, kind: str, row: _Row, message: str) -> None:
        self.result.problems.append(Problem(self.names[kind], row.number, message))

    def run(self) -> None:
        self.areas()
        self.units()
        self.rules()
        self.accounts()

    # --- areas ------------------------------------------------------------------------

    def areas(self) -> None:
        rows = self.sheets.get(AREAS, [])
        by_code: dict[str, _Row] = {}
        for row in rows:
            code = row.get("code")
            if code in by_code:
                self.problem(AREAS, row, _("The code %(code)s appears twice.") % {"code": code})
            by_code[code] = row
        existing = {a.code: a for a in Area.objects.filter(code__in=by_code)}
        # Parents first, whether they are in the file or already stored.

        def depth(code: str, seen: tuple[str, ...] = ()) -> int:
            row = by_code.get(code)
            parent = row.get("parent") if row else ""
            if not parent or parent not in by_code:
                return 0
            if parent in seen:
                return -1
            below = depth(parent, (*seen, code))
            return -1 if below < 0 else below + 1

        order = []
        for code, row in by_code.items():
            d = depth(code)
            if d < 0:
                self.problem(
                    AREAS, row, _("The area %(code)s is its own ancestor.") % {"code": code}
                )
            else:
                order.append((d, row.number, code))
        for _d, _n, code in sorted(order):
            row = by_code[code]
            area = existing.get(code)
            kind = _KINDS.get(_norm(row.get("kind")))
            if row.get("kind") and kind is None:
                self.problem(
                    AREAS,
                    row,
                    _("Unknown kind “%(kind)s”: use county, township, village, community or grid.")
                    % {"kind": row.get("kind")},
                )
                continue
            parent = None
            if row.get("parent"):
                parent = Area.objects.filter(code=row.get("parent")).first()
                if parent is None:
                    self.problem(
                        AREAS,
                        row,
                        _("No area has the parent code %(code)s.") % {"code": row.get("parent")},
                    )
                    continue
            if area is None:
                if kind is None:
                    self.problem(AREAS, row, _("A new area needs its kind."))
                    continue
                area = Area(code=code, kind=kind)
                created = True
            else:
                created = False
                if kind:
                    area.kind = kind
            for name in ("name", "name_en", "name_ug"):
                if row.get(name):
                    setattr(area, name, row.get(name))
            if parent is not None:
                area.parent = parent
            if self.save(AREAS, row, area):
                self.count(AREAS, created)

    # --- units ------------------------------------------------------------------------

    def units(self) -> None:
        rows = self.sheets.get(UNITS, [])
        seen: set[str] = set()
        saved: list[tuple[_Row, Unit]] = []
        for row in rows:
            code = row.get("code")
            if code in seen:
                self.problem(UNITS, row, _("The code %(code)s appears twice.") % {"code": code})
                continue
            seen.add(code)
            unit = Unit.objects.filter(code=code).first()
            created = unit is None
            level = _LEVELS.get(_norm(row.get("level")))
            if row.get("level") and level is None:
                self.problem(
                    UNITS,
                    row,
                    _("Unknown level “%(level)s”: use village, township or county.")
                    % {"level": row.get("level")},
                )
                continue
            if unit is None:
                if level is None:
                    self.problem(UNITS, row, _("A new unit needs its level."))
                    continue
                unit = Unit(code=code, level=level)
            elif level is not None:
                unit.level = level
            for name in ("name", "name_en", "name_ug", "phone"):
                if row.get(name):
                    setattr(unit, name, row.get(name))
            active = self.flag(UNITS, row, "active")
            if active is not None:
                unit.is_active = active
            if self.save(UNITS, row, unit):
                self.count(UNITS, created)
                saved.append((row, unit))
        # Escalation targets and areas may name units and areas from anywhere in the file.
        for row, unit in saved:
            if row.get("parent"):
                parent = Unit.objects.filter(code=row.get("parent")).first()
                if parent is None or parent.pk == unit.pk:
                    self.problem(
                        UNITS,
                        row,
                        _("No other unit has the code %(code)s.") % {"code": row.get("parent")},
                    )
                else:
                    unit.parent = parent
                    unit.save(update_fields=["parent"])
            if row.get("areas"):
                areas = self.areas_named(UNITS, row, row.get("areas"))
                if areas is not None:
                    unit.areas.set(areas)

    # --- routing rules ----------------------------------------------------------------

    def rules(self) -> None:
        for row in self.sheets.get(RULES, []):
            category = None
            if row.get("category"):
                text = row.get("category")
                category = (
                    Category.objects.filter(code=text).first()
                    or Category.objects.filter(name=text).first()
                    or Category.objects.filter(name_en__iexact=text).first()
                )
                if category is None:
                    self.problem(RULES, row, _("No category is named %(name)s.") % {"name": text})
                    continue
            area = None
            if row.get("area"):
                area = Area.objects.filter(code=row.get("area")).first()
                if area is None:
                    self.problem(
                        RULES, row, _("No area has the code %(code)s.") % {"code": row.get("area")}
                    )
                    continue
            unit = Unit.objects.filter(code=row.get("unit")).first()
            if unit is None:
                self.problem(
                    RULES, row, _("No unit has the code %(code)s.") % {"code": row.get("unit")}
                )
                continue
            rule = RoutingRule.objects.filter(category=category, area=area).first()
            if rule is None:
                RoutingRule.objects.create(category=category, area=area, unit=unit)
                self.count(RULES, True)
            elif rule.unit_id != unit.pk:
                rule.unit = unit
                rule.save(update_fields=["unit"])
                self.count(RULES, False)

    # --- accounts ---------------------------------------------------------------------

    def accounts(self) -> None:
        seen: set[str] = set()
        for row in self.sheets.get(ACCOUNTS, []):
            username = row.get("username")
            if username in seen:
                self.problem(
                    ACCOUNTS, row, _("The username %(name)s appears twice.") % {"name": username}
                )
                continue
            seen.add(username)
            role = _ROLES.get(_norm(row.get("role")))
            if row.get("role") and role is None:
                self.problem(
                    ACCOUNTS,
                    row,
                    _(
                        "Unknown role “%(role)s”: use operator, handler, supervisor or "
                        "administrator."
                    )
                    % {"role": row.get("role")},
                )
                continue
            user = User.objects.filter(username=username).first()
            created = user is None
            password = ""
            if user is None:
                if role is None:
                    self.problem(ACCOUNTS, row, _("A new account needs its role."))
                    continue
                user = User(username=username, role=role)
                password = secrets.token_urlsafe(self.length)[: self.length]
                user.set_password(password)
            elif role is not None:
                user.role = role
            if row.get("display_name"):
                user.display_name = row.get("display_name")
            if row.get("scope"):
                scope = Area.objects.filter(code=row.get("scope")).first()
                if scope is None:
                    self.problem(
                        ACCOUNTS,
                        row,
                        _("No area has the code %(code)s.") % {"code": row.get("scope")},
                    )
                    continue
                user.scope_area = scope
            active = self.flag(ACCOUNTS, row, "active")
            if active is not None:
                user.is_active = active
            units = None
            if row.get("units"):
                units = self.units_named(row, row.get("units"))
                if units is None:
                    continue
            if user.role in (Role.OPERATOR, Role.SUPERVISOR) and user.scope_area_id is None:
                self.problem(ACCOUNTS, row, _("Operators and supervisors need their area of work."))
                continue
            if not self.save(ACCOUNTS, row, user, exclude=["password"]):
                continue
            if units is not None:
                user.units.set(units)
            if user.role == Role.HANDLER and not user.units.exists():
                self.problem(ACCOUNTS, row, _("A handler needs the unit they work in."))
                continue
            self.count(ACCOUNTS, created)
            if password:
                self.result.passwords[username] = password

    # --- helpers ----------------------------------------------------------------------

    def save(self, kind: str, row: _Row, obj, exclude: list[str] | None = None) -> bool:  # type: ignore[no-untyped-def]
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = obj._meta.get_field(name).verbose_name if name != "__all__" else ""
                for message in messages:
                    self.problem(kind, row, f"{label}: {message}" if label else message)
            return False
        obj.save()
        return True

    def count(self, kind: str, created: bool) -> None:
        (self.result.created if created else self.result.updated)[kind] += 1

    def flag(self, kind: str, row: _Row, name: str) -> bool | None:
        text = _norm(row.get(name))
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.problem(kind, row, _("Write yes or no, not “%(value)s”.") % {"value": row.get(name)})
        return None

    def areas_named(self, kind: str, row: _Row, text: str) -> list[Area] | None:
        codes = [c for c in _LIST.split(text) if c]
        found = {a.code: a for a in Area.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            self.problem(
                kind, row, _("No area has the code %(code)s.") % {"code": "、".join(missing)}
            )
            return None
        return [found[c] for c in codes]

    def units_named(self, row: _Row, text: str) -> list[Unit] | None:
        codes = [c for c in _LIST.split(text) if c]
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            self.problem(
                ACCOUNTS, row, _("No unit has the code %(code)s.") % {"code": "、".join(missing)}
            )
            return None
        return [found[c] for c in codes]


def template_workbook() -> bytes:
    """An empty workbook with the four sheets and their headings, in the active language,
    and a last sheet of notes with an example for every column (it is not imported)."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for kind, (label, _names) in SHEETS.items():
        sheet = book.create_sheet(str(label))
        sheet.append([str(heading) for _n, heading, _a in COLUMNS[kind]])
        for cell in sheet[1]:
            cell.font = bold
        for index in range(len(COLUMNS[kind])):
            sheet.column_dimensions[chr(ord("A") + index)].width = 24
        sheet.freeze_panes = "A2"
    notes = book.create_sheet(str(_("Notes")))
    notes.append([str(_("Sheet")), str(_("Column")), str(_("Example"))])
    for cell in notes[1]:
        cell.font = bold
    for kind, (label, _names) in SHEETS.items():
        for (_name, heading, _aliases), example in zip(COLUMNS[kind], EXAMPLES[kind], strict=True):
            notes.append([str(label), str(heading), example])
    for line in NOTES:
        notes.append([str(line)])
    for column, width in zip("ABC", (16, 34, 30), strict=True):
        notes.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NOTES = [
    "",
    gettext_lazy("Rows name each other by code, in this file or already set up, in any order."),
    gettext_lazy("An empty cell keeps what is stored; importing again updates, never erases."),
    gettext_lazy(
        "Kinds: county, township, village, community, grid (or 县, 乡镇, 村, 社区, 网格)."
    ),
    gettext_lazy("Levels: village, township, county (or 村级, 乡镇级, 县级)."),
    gettext_lazy(
        "Roles: operator, handler, supervisor, administrator (or 受理员, 承办人, 督办员, 管理员)."
    ),
    gettext_lazy("Several codes in one cell: separate them with commas or spaces."),
    gettext_lazy(
        "New accounts get a password shown once after the import; ask each person to change it."
    ),
]
