"""The dashboard's monthly report button: the month's report as a PDF or .xlsx download.

Who may download it is decided exactly as for the supervisor dashboard
(``dashboard_views._scope_area``): the user's own scope or an area inside it; the whole
installation for administrators only. A unit's handler has no area report.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.accounts.models import Role
from minsheng.cases.views import staff_required
from minsheng.insight import dashboard_views
from minsheng.insight.report import ReportError, build_report, parse_month, report_filename
from minsheng.insight.report_pdf import render_pdf
from minsheng.insight.report_xlsx import render_xlsx

FORMATS = {
    "pdf": (render_pdf, "application/pdf"),
    "xlsx": (
        render_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@staff_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.HANDLER and not user.is_administrator:
        raise PermissionDenied
    area = dashboard_views._scope_area(user, request.GET.get("area"))
    fmt = request.GET.get("format", "pdf")
    try:
        month = parse_month(request.GET.get("month", ""))
        if fmt not in FORMATS:
            raise ReportError(_("Choose PDF or Excel (.xlsx)."))
    except ReportError as exc:
        messages.error(request, str(exc))
        back = reverse("dashboard:supervisor")
        return redirect(back + ("?" + urlencode({"area": area.pk}) if area else ""))
    render, content_type = FORMATS[fmt]
    report = build_report(area, month)
    content = render(report)
    filename = report_filename(report, fmt)
    # FileResponse writes the Chinese file name as RFC 5987 filename*= (with an ASCII
    # fallback), which every current browser saves under its real name.
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
