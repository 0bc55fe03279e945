"""The resident's pages: report a problem, follow a case by its code, rate or withdraw it.

There is no login: the tracking code is the key to a case. Views parse the request, call
``minsheng.cases.actions`` with the RESIDENT actor, and render. Contact details never
reach these templates, and every piece of free text is redacted before it is shown.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from minsheng.cases import actions, selectors
from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case, Channel, Status
from minsheng.cases.redaction import public_text
from minsheng.cases.transitions import Action, allowed_actions
from minsheng.contacts.selectors import private_terms_for
from minsheng.directory.selectors import active_categories, reporting_areas
from minsheng.intake.forms import (
    RateForm,
    ReportForm,
    WithdrawForm,
    new_submission_key,
    parse_submission_key,
)
from minsheng.intake.language import use_case_language
from minsheng.photos.images import prepare_photos
from minsheng.photos.links import holder_links
from minsheng.photos.selectors import resident_photos
from minsheng.throttle.actions import TooManyTries, client_ip

# The report last sent from this browser, so pressing Back and sending the same words again
# does not make a second case. Kept only in the resident's own browser (a signed cookie),
# for half an hour; nothing about the device is stored with the case.
LAST_REPORT_COOKIE = "ms_last_report"
LAST_REPORT_SECONDS = 30 * 60


def _fingerprint(cleaned: dict) -> str:
    words = "\x1f".join(
        " ".join(str(cleaned.get(field) or "").split())
        for field in ("area", "category", "title", "description")
    )
    return hashlib.sha256(words.encode()).hexdigest()[:32]


def _sent_before(request: HttpRequest, cleaned: dict) -> Case | None:
    """The case this browser sent with the same words within the last half hour."""
    value = request.get_signed_cookie(
        LAST_REPORT_COOKIE, default="", salt=LAST_REPORT_COOKIE, max_age=LAST_REPORT_SECONDS
    )
    fingerprint, _sep, code = value.partition(":")
    if not code or fingerprint != _fingerprint(cleaned):
        return None
    case = selectors.get_case_by_tracking_code(code)
    # Withdrawn meanwhile: sending it again is a new report.
    return case if case is not None and case.status != Status.WITHDRAWN else None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return _render(request, "intake/home.html", {})


# never_cache: the form carries a one-off submission key; a cached copy shared by two
# residents would hand the second one the first one's case.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    areas = reporting_areas()
    categories = active_categories()
    status = 200
    # Photos chosen for a report that is refused: browsers cannot put files back into the
    # form, so the page asks for them again.
    photos_again = 0
    if request.method == "POST":
        data = request.POST.copy()
        if parse_submission_key(data.get("submission_key")) is None:
            data["submission_key"] = new_submission_key()
        form = ReportForm(data, request.FILES, areas=areas, categories=categories)
        photos_again = len(request.FILES.getlist("photos"))
        if form.is_valid():
            cleaned = form.cleaned_data
            again = _sent_before(request, cleaned)
            if again is not None:
                return redirect(
                    reverse("intake:submitted", args=[again.tracking_code]) + "?again=1"
                )
            try:
                case = actions.submit_case(
                    actor=actions.RESIDENT,
                    title=cleaned["title"],
                    description=cleaned["description"],
                    category=cleaned["category"] or None,
                    area=cleaned["area"] or None,
                    channel=Channel.QR if cleaned["via"] == "qr" else Channel.WEB,
                    address=cleaned["address"],
                    contact_name=cleaned["contact_name"],
                    contact_phone=cleaned["contact_phone"],
                    language=get_language(),
                    submission_key=parse_submission_key(cleaned["submission_key"]),
                    # Decoded before the action's transaction; a refusal comes back from
                    # submit_case with the other fields' problems.
                    photos=prepare_photos(request.FILES.getlist("photos")),
                )
            except CaseError as exc:
                for problem in exc.every():
                    form.add_action_error(problem.field, problem.message)
                status = exc.status_code
            else:
                response = redirect("intake:submitted", code=case.tracking_code)
                response.set_signed_cookie(
                    LAST_REPORT_COOKIE,
                    f"{_fingerprint(cleaned)}:{case.tracking_code}",
                    salt=LAST_REPORT_COOKIE,
                    max_age=LAST_REPORT_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
        else:
            status = 400
    else:
        initial = {"submission_key": new_submission_key()}
        poster_area = next((a for a in areas if a.code == request.GET.get("area")), None)
        if poster_area is not None:
            initial.update(area=str(poster_area.pk), via="qr")
        form = ReportForm(initial=initial, areas=areas, categories=categories)
    return _render(
        request,
        "intake/report.html",
        {
            "form": form,
            "retention_days": settings.MINSHENG_CONTACT_RETENTION_DAYS,
            "has_areas": bool(areas),
            "photos_again": photos_again,
        },
        status=status,
    )


@never_cache
@require_safe
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    case, refusal = _lookup(request, code)
    if refusal is not None:
        return refusal
    use_case_language(request, case.language)
    return _render(
        request, "intake/submitted.html", {"case": case, "again": "again" in request.GET}
    )


@require_safe
def track(request: HttpRequest) -> HttpResponse:
    if "code" not in request.GET:
        return _render(request, "intake/track.html", {})
    code = selectors.tracking_code_from(request.GET["code"])
    if not code:
        return _render(
            request,
            "intake/track.html",
            {"error": _("Please enter the tracking code you were given.")},
            status=400,
        )
    return redirect("intake:case", code=code)


@never_cache
@require_safe
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case, refusal = _lookup(request, code)
    if refusal is not None:
        return refusal
    use_case_language(request, case.language)
    return _case_page(request, case)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    case, refusal = _lookup(request, code)
    if refusal is not None:
        return refusal
    use_case_language(request, case.language)
    if request.method != "POST":
        # A language switch or a reload after a refused rating lands here: show the case.
        return redirect("intake:case", code=case.tracking_code)
    form = RateForm(_with_current_version(request, case))
    if not form.is_valid():
        return _case_page(request, case, rate_form=form, status=400)
    try:
        case = actions.rate_case(
            actor=actions.RESIDENT,
            case=case,
            rating=form.cleaned_data["rating"],
            is_solved=form.cleaned_data["is_solved"],
            comment=form.cleaned_data["comment"],
            expected_version=request.POST.get("expected_version"),
        )
    except CaseError as exc:
        form.add_action_error(exc.field, exc.message)
        return _case_page(request, case, rate_form=form, status=exc.status_code)
    if case.status == Status.CLOSED:
        messages.success(request, _("Thank you for your rating. The case is now closed."))
    else:
        messages.success(
            request,
            _(
                "Thank you. The case has been reopened and is back with the unit that "
                "handled it; it has a new deadline."
            ),
        )
    return redirect("intake:case", code=case.tracking_code)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page first; only a POST that carries ``confirm`` withdraws the case."""
    case, refusal = _lookup(request, code)
    if refusal is not None:
        return refusal
    use_case_language(request, case.language)
    status = 200
    if request.method == "POST":
        form = WithdrawForm(_with_current_version(request, case))
        if form.is_valid() and form.cleaned_data["confirm"]:
            try:
                actions.withdraw_case(
                    actor=actions.RESIDENT,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    expected_version=request.POST.get("expected_version"),
                )
            except CaseError as exc:
                form.add_action_error(exc.field, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("Your request has been withdrawn."))
                return redirect("intake:case", code=case.tracking_code)
    else:
        form = WithdrawForm(initial={"expected_version": case.version})
    return _render(
        request,
        "intake/withdraw.html",
        {
            "case": case,
            "form": form,
            "can_withdraw": Action.WITHDRAW in allowed_actions(case.status),
            "public_title": public_text(case.title, private_terms_for(case.pk)),
        },
        status=status,
    )


# --- helpers -----------------------------------------------------------------------------


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Every resident page can point to the hotline."""
    return render(
        request, template, {"hotline": settings.MINSHENG_HOTLINE, **context}, status=status
    )


def _lookup(request: HttpRequest, code: str) -> tuple[Case, None] | tuple[None, HttpResponse]:
    """The case with this code, or the page to answer instead: not found (404), or too
    many unknown codes from this address (429)."""
    try:
        case = selectors.case_for_resident(code, client=client_ip(request))
    except TooManyTries as exc:
        response = _render(request, "intake/track.html", {"too_many": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return None, response
    if case is None:
        return None, _not_found(request, code)
    return case, None


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    # The same answer for every unknown code: it says nothing about any other case.
    return _render(
        request,
        "intake/track.html",
        {"not_found": True, "code": selectors.tracking_code_from(code)[:20]},
        status=404,
    )


def _with_current_version(request: HttpRequest, case: Case):  # type: ignore[no-untyped-def]
    """The posted data, with the version the re-rendered page will show.

    If the action refuses, the resident sees the case as it is now; a second try from that
    page must be judged against that state, not the one they first saw.
    """
    data = request.POST.copy()
    data["expected_version"] = str(case.version)
    return data


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    allowed = allowed_actions(case.status)
    terms = private_terms_for(case.pk)
    events = list(selectors.timeline(case=case, public_only=True))
    for event in events:
        event.note = public_text(event.holder_note, terms)
    # Why the case ended, when it ended with a reason: the last decline's note.
    outcome_reason = next((e.note for e in reversed(events) if e.kind == "declined"), "")
    photos = resident_photos(case)
    return _render(
        request,
        "intake/case.html",
        {
            "case": case,
            "events": events,
            "public_title": public_text(case.title, terms),
            "public_description": public_text(case.description, terms),
            "public_address": public_text(case.address, terms),
            "public_resolution": public_text(case.resolution, terms),
            "outcome_reason": outcome_reason,
            "sent_photos": holder_links(photos["sent"], code=case.tracking_code),
            "resolution_photos": holder_links(photos["resolution"], code=case.tracking_code),
            "can_rate": Action.CLOSE in allowed and Action.REOPEN in allowed,
            "can_withdraw": Action.WITHDRAW in allowed,
            "rate_form": rate_form or RateForm(initial={"expected_version": case.version}),
            "withdraw_form": WithdrawForm(
                initial={"expected_version": case.version}, auto_id="id_withdraw_%s"
            ),
            **_survivor_context(case),
        },
        status=status,
    )


def _survivor_context(case: Case) -> dict:
    """A merged case's resident follows the surviving case here, on their own page.

    The survivor's tracking code is never shown: a code is the key to another
    resident's case (rating, withdrawal).
    """
    survivor = case.merged_into if case.merged_into_id else None
    if survivor is None:
        return {"survivor": None, "survivor_events": []}
    terms = private_terms_for(survivor.pk)
    events = list(selectors.timeline(case=survivor, public_only=True))
    for event in events:
        event.note = public_text(event.holder_note, terms)
    return {"survivor": survivor, "survivor_events": events}
