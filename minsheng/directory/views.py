"""The administrator's page for setting up a county from one workbook (see
`minsheng.directory.importer`), and the blank workbook to fill in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from minsheng.accounts.models import User
from minsheng.cases.views import staff_required
from minsheng.directory.importer import SHEETS, import_directory, template_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 20 * 1024 * 1024


class DirectoryImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Only check it; write nothing"), required=False, initial=True
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def _administrator(request: HttpRequest) -> None:
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only administrators set up areas, units and accounts."))


@never_cache  # the page after an import shows new accounts' first passwords
@staff_required
def import_directory_page(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    result = None
    status = 200
    if request.method == "POST":
        form = DirectoryImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = import_directory(
                form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            status = 200 if result.ok else 400
        else:
            status = 400
    else:
        form = DirectoryImportForm()
    rows, accounts = [], []
    if result is not None and result.ok:
        rows = [
            (label, result.created[kind], result.updated[kind], result.unchanged[kind])
            for kind, (label, _names) in SHEETS.items()
        ]
        if not result.dry_run:
            # Written: the next upload starts as a check again.
            form = DirectoryImportForm()
            people = {u.username: u for u in User.objects.filter(username__in=result.passwords)}
            accounts = [
                (people[name], password)
                for name, password in result.passwords.items()
                if name in people
            ]
    return render(
        request,
        "staff/directory_import.html",
        {"nav": "", "form": form, "result": result, "rows": rows, "accounts": accounts},
        status=status,
    )


@staff_required
def template_download(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    response = HttpResponse(template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="minsheng-county-setup.xlsx"'
    return response
