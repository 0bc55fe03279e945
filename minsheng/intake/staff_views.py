"""Staff pages for ledger import (upload → map columns → dry run → commit → result) and
for exporting the cases within the user's scope.

The uploaded ledger waits between the steps in MINSHENG_DATA_DIR/uploads/imports/<id>/,
encrypted with the contact key (ledgers carry residents' phone numbers), readable only by
the user who uploaded it, and removed after a day.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.cases.forms import grouped_area_choices, intake_areas
from minsheng.cases.models import Status
from minsheng.cases.views import staff_required
from minsheng.contacts.crypto import cipher
from minsheng.directory.models import Area, Category
from minsheng.intake import exports, ledger

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
UPLOAD_LIFETIME = dt.timedelta(days=1)
PROBLEMS_PER_PAGE = 50
PREVIEW_ROWS = 5
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


# --- the uploaded ledger between steps ----------------------------------------------------


def imports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def clean_old_uploads(now: float | None = None) -> int:
    """Remove uploads older than a day; returns how many went."""
    root = imports_root()
    if not root.is_dir():
        return 0
    limit = (now or time.time()) - UPLOAD_LIFETIME.total_seconds()
    removed = 0
    for entry in root.iterdir():
        try:
            if entry.is_dir() and entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@dataclass
class Upload:
    """One uploaded ledger: the encrypted file and what the user chose for it."""

    id: str
    path: Path
    meta: dict[str, Any]

    @classmethod
    def create(cls, *, user: User, name: str, data: bytes) -> Upload:
        upload_id = secrets.token_urlsafe(18)
        path = imports_root() / upload_id
        path.mkdir(parents=True, mode=0o700)
        (path / "ledger.bin").write_bytes(cipher().encrypt(data))
        upload = cls(
            id=upload_id,
            path=path,
            meta={"user": user.pk, "name": name[:120], "size": len(data), "created": time.time()},
        )
        upload.save()
        return upload

    @classmethod
    def load(cls, request: HttpRequest, upload_id: str) -> Upload:
        """The upload if it exists and belongs to this user; 404 otherwise."""
        if not _UPLOAD_ID.match(upload_id):
            raise Http404
        path = imports_root() / upload_id
        try:
            meta = json.loads((path / "meta.json").read_text())
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        if meta.get("user") != request.user.pk:
            raise Http404
        return cls(id=upload_id, path=path, meta=meta)

    def file(self) -> io.BytesIO:
        return io.BytesIO(cipher().decrypt((self.path / "ledger.bin").read_bytes()))

    def save(self) -> None:
        (self.path / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False))

    def write_report(self, name: str, report: ledger.ImportReport) -> None:
        (self.path / f"{name}.json").write_text(json.dumps(report.to_json(), ensure_ascii=False))

    def report(self, name: str) -> ledger.ImportReport | None:
        try:
            return ledger.ImportReport.from_json(
                json.loads((self.path / f"{name}.json").read_text())
            )
        except (FileNotFoundError, ValueError, TypeError):
            return None

    @property
    def default_area(self) -> Area | None:
        area_id = self.meta.get("default_area")
        return Area.objects.filter(pk=area_id).first() if area_id else None


# --- forms ---------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is too large: at most %(mb)d MB. Split the ledger, or use the "
                    "minsheng import command."
                )
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class MappingForm(forms.Form):
    """One select per case field, offering the ledger's columns; plus a village for rows
    that name none (ledgers kept by one village often have no village column)."""

    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    default_area = forms.TypedChoiceField(
        label=gettext_lazy("Village for rows that name none"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("For a ledger kept by one village, which has no village column."),
    )

    def __init__(self, *args, headers: list[str], user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        options = [("", _("— not in this ledger —"))] + [(h, h) for h in headers]
        for item in ledger.FIELDS:
            self.fields[item.name] = forms.ChoiceField(
                label=item.label,
                choices=options,
                required=False,
                help_text=item.help,
            )
        # Keep the village choice after the columns, where it is read.
        self.order_fields([*ledger.FIELD_NAMES, "default_area", "sheet"])
        self.fields["default_area"].choices = [("", _("— none —"))] + grouped_area_choices(
            intake_areas(user)
        )

    def mapping(self) -> dict[str, str | None]:
        return {name: self.cleaned_data.get(name) or None for name in ledger.FIELD_NAMES}


class ExportForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=gettext_lazy("Raised from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Raised until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses"))] + list(Status.choices)
        category = self.fields["category"]
        category.queryset = Category.objects.filter(is_active=True)
        category.label_from_instance = lambda c: c.label  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", _("All of my area"))] + grouped_area_choices(
            intake_areas(user)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def filters(self) -> exports.ExportFilters:
        data = self.cleaned_data
        return exports.ExportFilters(
            status=data.get("status") or "",
            category=data.get("category"),
            area=Area.objects.filter(pk=data["area"]).first() if data.get("area") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


# --- import pages --------------------------------------------------------------------------


def _page_of(request: HttpRequest, items: list, **query: str) -> Page:
    page = Paginator(items, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    base = "&".join(f"{k}={v}" for k, v in query.items() if v)
    prefix = f"?{base}&" if base else "?"
    if page.has_previous():
        page.previous_url = f"{prefix}page={page.previous_page_number()}"  # type: ignore[attr-defined]
    if page.has_next():
        page.next_url = f"{prefix}page={page.next_page_number()}"  # type: ignore[attr-defined]
    return page


@never_cache
@staff_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the ledger file."""
    has_areas = bool(intake_areas(request.user))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if has_areas and form.is_valid():
            uploaded = form.cleaned_data["file"]
            data = uploaded.read()
            try:
                with ledger.open_ledger(io.BytesIO(data)) as opened:
                    opened.headers  # noqa: B018 (opening reads the headings, or fails)
            except ledger.LedgerError as exc:
                form.add_error("file", str(exc.message))
            else:
                clean_old_uploads()
                upload = Upload.create(user=request.user, name=uploaded.name, data=data)
                return redirect("ledger:import_map", upload_id=upload.id)
    return render(
        request,
        "staff/import_upload.html",
        {"nav": "import", "form": form, "has_areas": has_areas, "fields": ledger.FIELDS},
        status=status,
    )


@never_cache
@staff_required
def import_map(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Step 2: map the ledger's columns to case fields, with a preview; posting runs the
    dry run."""
    upload = Upload.load(request, upload_id)
    sheet = request.POST.get("sheet") or request.GET.get("sheet") or upload.meta.get("sheet")
    try:
        with ledger.open_ledger(upload.file(), sheet=sheet or None) as opened:
            headers, preview = opened.headers, opened.preview(PREVIEW_ROWS)
            described, sheets, current_sheet = opened.describe(), opened.sheets, opened.sheet
    except ledger.LedgerError as exc:
        return render(
            request,
            "staff/import_map.html",
            {"nav": "import", "upload": upload, "file_error": exc.message},
            status=400,
        )
    saved = upload.meta.get("mapping") if upload.meta.get("sheet", "") == current_sheet else None
    initial = {
        **(saved or ledger.guess_mapping(headers)),
        "sheet": current_sheet,
        "default_area": upload.meta.get("default_area"),
    }
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=headers,
        user=request.user,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            area_id = form.cleaned_data.get("default_area")
            default_area = Area.objects.filter(pk=area_id).first() if area_id else None
            try:
                mapping = ledger.check_mapping(headers, form.mapping(), default_area=default_area)
                with ledger.open_ledger(upload.file(), sheet=current_sheet or None) as opened:
                    report = ledger.run_import(
                        opened,
                        user=request.user,
                        mapping=mapping,
                        default_area=default_area,
                        dry_run=True,
                    )
            except ledger.LedgerError as exc:
                form.add_error(None, str(exc.message))
            else:
                upload.meta.update(
                    {"mapping": mapping, "sheet": current_sheet, "default_area": area_id}
                )
                upload.save()
                upload.write_report("dry_run", report)
                return redirect("ledger:import_check", upload_id=upload.id)
    labels = {f.name: f.label for f in ledger.FIELDS}
    shown = {n: form.data.get(n) for n in ledger.FIELD_NAMES} if form.is_bound else form.initial
    return render(
        request,
        "staff/import_map.html",
        {
            "nav": "import",
            "upload": upload,
            "form": form,
            "field_rows": [form[name] for name in ledger.FIELD_NAMES],
            "headers": headers,
            "header_fields": [labels.get(_field_for(shown, h), "") for h in headers],
            "preview": preview,
            "described": described,
            "sheets": sheets if len(sheets) > 1 else [],
            "current_sheet": current_sheet,
        },
        status=status,
    )


def _field_for(mapping: dict[str, Any], header: str) -> str:
    return next((name for name in ledger.FIELD_NAMES if mapping.get(name) == header), "")


@never_cache
@staff_required
def import_check(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Step 3: the dry run's findings — every failing row and why — and the commit button."""
    upload = Upload.load(request, upload_id)
    report = upload.report("dry_run")
    if report is None:
        return redirect("ledger:import_map", upload_id=upload.id)
    return render(
        request,
        "staff/import_check.html",
        {
            "nav": "import",
            "upload": upload,
            "report": report,
            "page": _page_of(request, report.failed),
            "mapped": _mapped_labels(upload.meta.get("mapping") or {}),
            "default_area": upload.default_area,
        },
    )


def _mapped_labels(mapping: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.label, mapping[f.name]) for f in ledger.FIELDS if mapping.get(f.name)]


@require_POST
@staff_required
def import_commit(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Step 4: record the good rows. Posting twice creates nothing the second time."""
    upload = Upload.load(request, upload_id)
    mapping = upload.meta.get("mapping")
    if not mapping:
        return redirect("ledger:import_map", upload_id=upload.id)
    try:
        with ledger.open_ledger(upload.file(), sheet=upload.meta.get("sheet") or None) as opened:
            report = ledger.run_import(
                opened,
                user=request.user,
                mapping=mapping,
                default_area=upload.default_area,
                dry_run=False,
            )
    except ledger.LedgerError as exc:
        return render(
            request,
            "staff/import_map.html",
            {"nav": "import", "upload": upload, "file_error": exc.message},
            status=400,
        )
    upload.write_report("result", report)
    return redirect("ledger:import_done", upload_id=upload.id)


@never_cache
@staff_required
def import_done(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Step 5: what the commit did."""
    upload = Upload.load(request, upload_id)
    report = upload.report("result")
    if report is None:
        return redirect("ledger:import_check", upload_id=upload.id)
    return render(
        request,
        "staff/import_done.html",
        {
            "nav": "import",
            "upload": upload,
            "report": report,
            "page": _page_of(request, report.failed),
        },
    )


# --- export ------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(request: HttpRequest, cases, fmt: str, stem: str = "minsheng-cases"):  # type: ignore[no-untyped-def]
    """The cases as a CSV or Excel download (the export page's and the dashboard lists')."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    exports.log_export(user=request.user, fmt=fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(exports.export_rows(cases)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
        return response
    # Write-only mode streams rows into a temporary file, which is gone once sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    exports.write_xlsx(cases, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{stem}-{stamp}.xlsx", content_type=XLSX_TYPE
    )


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    """The export page; with ``format=csv`` or ``format=xlsx`` the file itself."""
    fmt = request.GET.get("format", "")
    form = ExportForm(request.GET if fmt else None, user=request.user)
    if fmt in ("csv", "xlsx") and form.is_valid():
        cases = exports.export_cases(user=request.user, filters=form.filters())
        return export_response(request, cases, fmt)
    return render(
        request,
        "staff/export.html",
        {"nav": "export", "form": form, "action": reverse("ledger:export")},
        status=400 if fmt else 200,
    )
