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


class CalendarNoticeForm(forms.Form):
    text = forms.CharField(
        label=_("The notice's days, one line each"),
        widget=forms.Textarea(attrs={"rows": 12, "dir": "ltr", "spellcheck": "false"}),
        max_length=20000,
        help_text=_(
            "A date or a run of dates, then 上班 (worked) or 休 (day off), then a note: "
            "“2027-02-06 上班 春节”, “2027-02-10 至 2027-02-16 休 春节”."
        ),
    )


def _calendar_rows(notice) -> list[dict]:  # type: ignore[no-untyped-def]
    """The pasted days beside what the calendar says of them now."""
    from minsheng.directory.calendar import WorkingCalendar

    calendar = WorkingCalendar.load()
    return [
        {
            "day": day,
            "now_working": calendar.is_working_day(day.date),
            "changes": calendar.is_working_day(day.date) != day.is_working_day,
        }
        for day in notice.days
    ]


@staff_required
def calendar_notice_page(request: HttpRequest) -> HttpResponse:
    """Paste the State Council's holiday notice: check it, then enter it all at once; the
    deadlines it changes are counted again."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import ngettext

    from minsheng.cases.deadlines import enter_calendar_days
    from minsheng.directory.calendar import year_awaiting_notice
    from minsheng.directory.calendar_notice import parse_notice

    _administrator(request)
    notice, status = None, 200
    form = CalendarNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        notice = parse_notice(form.cleaned_data["text"])
        if not notice.ok:
            status = 400
        elif request.POST.get("save"):
            change = enter_calendar_days(days=notice.days)
            messages.success(
                request,
                ngettext(
                    "%(days)d day entered in the calendar; ",
                    "%(days)d days entered in the calendar; ",
                    change.days,
                )
                % {"days": change.days}
                + ngettext(
                    "the deadline of %(n)d running case moved.",
                    "the deadlines of %(n)d running cases moved.",
                    change.cases_moved,
                )
                % {"n": change.cases_moved},
            )
            return redirect("directory:calendar")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "staff/calendar_notice.html",
        {
            "nav": "",
            "form": form,
            "notice": notice,
            "rows": _calendar_rows(notice) if notice is not None and notice.ok else [],
            "awaiting": year_awaiting_notice(),
        },
        status=status,
    )
