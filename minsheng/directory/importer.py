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
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
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
# Sheets of the blank workbook that are there to read, not to import.
NOTES_SHEET = gettext_lazy("Notes")
CATEGORIES_SHEET = gettext_lazy("Categories")
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
_YES = {"yes", "y", "true", "1", "是", "启用", "✓", "√", "ھەئە"}
_NO = {"no", "n", "false", "0", "否", "停用", "×", "ياق"}
_LIST = re.compile(r"[\s,，、;；]+")
# Codes are typed, pasted from documents (full-width digits) and stored by Excel as numbers.
CODE_COLUMNS = {
    "code", "parent", "areas", "units", "scope", "unit", "area", "username", "role", "kind",
    "level", "active",
}  # fmt: skip


def _code(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _yes_no() -> tuple[set[str], set[str]]:
    """Yes and no as the notes sheet writes them, in every interface language."""
    return _YES | _in_every_language(gettext_lazy("yes")), _NO | _in_every_language(
        gettext_lazy("no")
    )


def _choices(fixed: dict, choices) -> dict:  # type: ignore[no-untyped-def]
    """The fixed aliases, and every choice's label in every interface language (a label
    such as "乡镇/街道级" also by each of its parts): the notes sheet names them so."""
    words = {_norm(k): v for k, v in fixed.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for choice in choices:
                label = str(choice.label)
                for part in {label, *re.split(r"\s*/\s*", label)}:
                    words.setdefault(_norm(part), choice.value)
    return words


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
    unchanged: Counter = field(default_factory=Counter)
    # After a real import: active units nobody works in yet (their cases wait in no queue).
    unstaffed: list = field(default_factory=list)
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


def read_workbook(
    source: IO[bytes],
) -> tuple[dict[str, list[_Row]], dict[str, str], list[Problem]]:
    """The recognised sheets' rows and titles, by kind, and the problems with the layout."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise ImportError_(
            _("This file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": exc}
        ) from exc
    sheets: dict[str, list[_Row]] = {}
    titles: dict[str, str] = {}
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
            if _norm(sheet.title) not in _in_every_language(NOTES_SHEET) | _in_every_language(
                CATEGORIES_SHEET
            ):
                problems.append(
                    Problem(
                        sheet.title,
                        0,
                        _(
                            "This sheet is not read: name it %(names)s, or delete it if it "
                            "holds nothing to import."
                        )
                        % {"names": "、".join(str(label) for label, _n in SHEETS.values())},
                    )
                )
            continue
        titles[kind] = sheet.title
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
            cells = {k: _code(v) if k in CODE_COLUMNS else v for k, v in cells.items()}
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
    return sheets, titles, problems


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
        sheets, titles, result.problems = read_workbook(source)
    except ImportError_ as exc:
        result.problems.append(Problem("", 0, str(exc)))
        return result
    if result.problems:
        return result
    with transaction.atomic():
        writer = _Writer(sheets, titles, result, password_length)
        writer.run()
        if dry_run or result.problems:
            # Everything was checked by writing it; none of it stays.
            transaction.set_rollback(True)
            result.passwords = {}
        else:
            result.unstaffed = list(
                Unit.objects.filter(is_active=True)
                .annotate(staff=Count("members", filter=Q(members__is_active=True)))
                .filter(staff=0)
                .order_by("-level", "code")
            )
    order = {title: i for i, title in enumerate(titles.values())}
    result.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row))
    return result


class _Writer:
    def __init__(
        self,
        sheets: dict[str, list[_Row]],
        titles: dict[str, str],
        result: ImportResult,
        length: int,
    ):
        self.sheets = sheets
        self.result = result
        self.length = length
        # Problems name the sheets as the file does.
        self.names = {kind: titles.get(kind, str(label)) for kind, (label, _n) in SHEETS.items()}
        # Rows that failed, by code: a later row naming one is told why it is missing.
        self.failed: dict[tuple[str, str], int] = {}
        self.kinds = _choices(_KINDS, AreaKind)
        self.levels = _choices(_LEVELS, Level)
        self.roles = _choices(_ROLES, Role)
        self.yes_no = _yes_no()

    def problem(self, kind: str, row: _Row, message: str) -> None:
        self.result.problems.append(Problem(self.names[kind], row.number, message))
        code = row.get("code") or row.get("username")
        if code:
            self.failed.setdefault((kind, code), row.number)

    def missing(self, kind: str, code: str, message: str) -> str:
        """The message for a code that names nothing, or why the row that defines it failed."""
        number = self.failed.get((kind, code))
        if number is not None:
            return _("%(code)s is in this file, but its own row (%(row)s) has a problem.") % {
                "code": code,
                "row": number,
            }
        return message

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
            kind = self.kinds.get(_norm(row.get("kind")))
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
                        self.missing(
                            AREAS,
                            row.get("parent"),
                            _("No area has the parent code %(code)s.")
                            % {"code": row.get("parent")},
                        ),
                    )
                    continue
            if area is None:
                if kind is None:
                    self.problem(AREAS, row, _("A new area needs its kind."))
                    continue
                area = Area(code=code, kind=kind)
                before = None
            else:
                before = _snapshot(area, AREA_FIELDS)
                if kind:
                    area.kind = kind
            for name in ("name", "name_en", "name_ug"):
                if row.get(name):
                    setattr(area, name, row.get(name))
            if parent is not None:
                area.parent = parent
            if self.save(AREAS, row, area):
                self.count(AREAS, before, _snapshot(area, AREA_FIELDS))

    # --- units ------------------------------------------------------------------------

    def units(self) -> None:
        rows = self.sheets.get(UNITS, [])
        seen: set[str] = set()
        saved: list[tuple[_Row, Unit, tuple | None]] = []
        for row in rows:
            code = row.get("code")
            if code in seen:
                self.problem(UNITS, row, _("The code %(code)s appears twice.") % {"code": code})
                continue
            seen.add(code)
            unit = Unit.objects.filter(code=code).first()
            level = self.levels.get(_norm(row.get("level")))
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
                before = None
            else:
                before = _unit_snapshot(unit)
                if level is not None:
                    unit.level = level
            for name in ("name", "name_en", "name_ug", "phone"):
                if row.get(name):
                    setattr(unit, name, row.get(name))
            active = self.flag(UNITS, row, "active")
            if active is not None:
                unit.is_active = active
            if self.save(UNITS, row, unit):
                saved.append((row, unit, before))
        # Escalation targets and areas may name units and areas from anywhere in the file.
        for row, unit, before in saved:
            ok = True
            if row.get("parent"):
                parent = Unit.objects.filter(code=row.get("parent")).first()
                if parent is None or parent.pk == unit.pk:
                    ok = False
                    self.problem(
                        UNITS,
                        row,
                        self.missing(
                            UNITS,
                            row.get("parent"),
                            _("No other unit has the code %(code)s.") % {"code": row.get("parent")},
                        ),
                    )
                elif _escalates_to(parent, unit):
                    ok = False
                    self.problem(
                        UNITS,
                        row,
                        _(
                            "%(unit)s would escalate to %(parent)s, which escalates back to it: "
                            "a case could never climb out."
                        )
                        % {"unit": unit.code, "parent": parent.code},
                    )
                else:
                    unit.parent = parent
                    unit.save(update_fields=["parent"])
            if row.get("areas"):
                areas = self.named(Area, UNITS, row, row.get("areas"))
                if areas is None:
                    ok = False
                else:
                    unit.areas.set(areas)
            if ok:
                self.count(UNITS, before, _unit_snapshot(unit))

    # --- routing rules ----------------------------------------------------------------

    def rules(self) -> None:
        seen: dict[tuple[int | None, int | None], int] = {}
        for row in self.sheets.get(RULES, []):
            category = None
            if row.get("category"):
                text = row.get("category")
                category = (
                    Category.objects.filter(code=_code(text)).first()
                    or Category.objects.filter(name=text).first()
                    or Category.objects.filter(name_en__iexact=text).first()
                    or Category.objects.filter(name_ug=text).first()
                )
                if category is None:
                    self.problem(
                        RULES,
                        row,
                        _("No category is named %(name)s. The categories: %(all)s.")
                        % {
                            "name": text,
                            "all": "、".join(
                                f"{c.label} ({c.code})"
                                for c in Category.objects.filter(is_active=True)
                            ),
                        },
                    )
                    continue
            area = None
            if row.get("area"):
                area = Area.objects.filter(code=row.get("area")).first()
                if area is None:
                    self.problem(
                        RULES,
                        row,
                        self.missing(
                            AREAS,
                            row.get("area"),
                            _("No area has the code %(code)s.") % {"code": row.get("area")},
                        ),
                    )
                    continue
            unit = Unit.objects.filter(code=row.get("unit")).first()
            if unit is None:
                self.problem(
                    RULES,
                    row,
                    self.missing(
                        UNITS,
                        row.get("unit"),
                        _("No unit has the code %(code)s.") % {"code": row.get("unit")},
                    ),
                )
                continue
            key = (category.pk if category else None, area.pk if area else None)
            if key in seen:
                self.problem(
                    RULES,
                    row,
                    _("Row %(row)s already routes this category in this area.")
                    % {"row": seen[key]},
                )
                continue
            seen[key] = row.number
            rule = RoutingRule.objects.filter(category=category, area=area).first()
            if rule is None:
                RoutingRule.objects.create(category=category, area=area, unit=unit)
                self.count(RULES, None, (unit.pk,))
            else:
                before = (rule.unit_id,)
                if rule.unit_id != unit.pk:
                    rule.unit = unit
                    rule.save(update_fields=["unit"])
                self.count(RULES, before, (unit.pk,))

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
            role = self.roles.get(_norm(row.get("role")))
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
            password = ""
            if user is None:
                if role is None:
                    self.problem(ACCOUNTS, row, _("A new account needs its role."))
                    continue
                user = User(username=username, role=role, must_change_password=True)
                password = first_password(self.length)
                user.set_password(password)
                before = None
            else:
                before = _user_snapshot(user)
                if role is not None:
                    user.role = role
            if row.get("display_name"):
                user.display_name = row.get("display_name")
            if row.get("scope"):
                scope = Area.objects.filter(code=row.get("scope")).first()
                if scope is None:
                    self.problem(
                        ACCOUNTS,
                        row,
                        self.missing(
                            AREAS,
                            row.get("scope"),
                            _("No area has the code %(code)s.") % {"code": row.get("scope")},
                        ),
                    )
                    continue
                user.scope_area = scope
            active = self.flag(ACCOUNTS, row, "active")
            if active is not None:
                user.is_active = active
            units = None
            if row.get("units"):
                units = self.named(Unit, ACCOUNTS, row, row.get("units"))
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
            self.count(ACCOUNTS, before, _user_snapshot(user))
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

    def count(self, kind: str, before: tuple | None, after: tuple) -> None:
        """New, changed, or named again with nothing to change."""
        if before is None:
            self.result.created[kind] += 1
        elif before != after:
            self.result.updated[kind] += 1
        else:
            self.result.unchanged[kind] += 1

    def flag(self, kind: str, row: _Row, name: str) -> bool | None:
        text = _norm(row.get(name))
        if not text:
            return None
        yes, no = self.yes_no
        if text in yes:
            return True
        if text in no:
            return False
        self.problem(kind, row, _("Write yes or no, not “%(value)s”.") % {"value": row.get(name)})
        return None

    def named(self, model, kind: str, row: _Row, text: str) -> list | None:  # type: ignore[no-untyped-def]
        """The areas or units a cell names by code, in its order; a problem if one is unknown."""
        codes = [c for c in _LIST.split(text) if c]
        found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            defined_in, message = (
                (AREAS, _("No area has the code %(code)s."))
                if model is Area
                else (UNITS, _("No unit has the code %(code)s."))
            )
            text = message % {"code": "、".join(missing)}
            self.problem(kind, row, self.missing(defined_in, missing[0], text))
            return None
        return [found[c] for c in codes]


AREA_FIELDS = ("kind", "name", "name_en", "name_ug", "parent_id")


def _snapshot(obj, fields: tuple[str, ...]) -> tuple:  # type: ignore[no-untyped-def]
    return tuple(getattr(obj, name) for name in fields)


def _unit_snapshot(unit: Unit) -> tuple:
    fields = ("level", "name", "name_en", "name_ug", "phone", "is_active", "parent_id")
    areas = tuple(sorted(unit.areas.values_list("pk", flat=True))) if unit.pk else ()
    return (*_snapshot(unit, fields), areas)


def _user_snapshot(user: User) -> tuple:
    fields = ("role", "display_name", "scope_area_id", "is_active")
    units = tuple(sorted(user.units.values_list("pk", flat=True))) if user.pk else ()
    return (*_snapshot(user, fields), units)


def _escalates_to(start: Unit, target: Unit) -> bool:
    """Whether escalating from ``start`` ever reaches ``target``."""
    seen: set[int] = set()
    node: Unit | None = start
    while node is not None and node.pk not in seen:
        if node.pk == target.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


# Written on paper and typed on a phone: no letters or digits that look alike (0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789"


def first_password(length: int = 12) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


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
    notes = book.create_sheet(str(NOTES_SHEET))
    notes.append([str(_("Sheet")), str(_("Column")), str(_("Example"))])
    for cell in notes[1]:
        cell.font = bold
    # The examples' choices in the reader's words (all languages' words are read back).
    words = {
        "township": str(AreaKind.TOWNSHIP.label),
        "county": str(Level.COUNTY.label),
        "handler": str(Role.HANDLER.label),
        "yes": str(_("yes")),
    }
    for kind, (label, _names) in SHEETS.items():
        for (_name, heading, _aliases), example in zip(COLUMNS[kind], EXAMPLES[kind], strict=True):
            notes.append([str(label), str(heading), words.get(example, example)])
    for line in NOTES:
        notes.append([str(line)])
    for column, width in zip("ABC", (16, 34, 30), strict=True):
        notes.column_dimensions[column].width = width
    # The routing rules name categories: here are the installation's, code and name.
    categories = book.create_sheet(str(CATEGORIES_SHEET))
    categories.append(
        [
            str(_("Code")),
            str(_("Name (Chinese)")),
            str(_("Name (English)")),
            str(_("Name (Uyghur)")),
        ]
    )
    for cell in categories[1]:
        cell.font = bold
    for category in Category.objects.filter(is_active=True):
        categories.append([category.code, category.name, category.name_en, category.name_ug])
    for column in "ABCD":
        categories.column_dimensions[column].width = 22
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
