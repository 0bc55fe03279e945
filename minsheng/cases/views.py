"""Staff pages: the handler's queue, the case page with its action forms, operator intake
and triage, the supervisor's overview and the overdue list.

Views parse input, call ``cases.actions`` / ``cases.selectors`` and render. They never
change a case themselves: an action's ``CaseError`` is shown to the user, nothing changes,
and the response carries the error's status code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from minsheng.accounts.models import Role, User
from minsheng.accounts.permissions import (
    can_reveal_contact,
    can_triage,
    can_view_case,
    is_staff_user,
)
from minsheng.cases import actions, selectors
from minsheng.cases.errors import CaseError, NotFound, StaleCase
from minsheng.cases.forms import (
    AcceptForm,
    ActionForm,
    DeclineForm,
    DispatchForm,
    ExtendForm,
    GrantExtensionForm,
    IntakeForm,
    MergeForm,
    NoteForm,
    RateForm,
    ResolveForm,
    SearchForm,
    StaffReasonForm,
    WithdrawForm,
)
from minsheng.cases.models import Case, EventKind, Status
from minsheng.cases.rules import (
    EXTEND,
    GRANT_EXTENSION,
    RATE,
    REFUSE_EXTENSION,
    pending_extension,
    permitted_actions,
)
from minsheng.cases.selectors import QueueBucket
from minsheng.cases.templatetags.minsheng_cases import deadline_text
from minsheng.cases.transitions import Action
from minsheng.contacts import actions as contact_actions
from minsheng.contacts.models import Contact
from minsheng.directory.calendar import year_awaiting_notice
from minsheng.directory.models import Area, Category, Level, RoutingRule, Unit
from minsheng.directory.selectors import route_case, routes_by_category
from minsheng.photos import selectors as photo_selectors
from minsheng.photos.images import NO_PHOTOS, PhotoBatch, prepare_photos
from minsheng.photos.links import staff_links

PAGE_SIZE = 50
SEARCH_LIMIT = 50


def staff_required(view):  # type: ignore[no-untyped-def]
    """Logged in (else to the login page) and an active staff user (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _is_supervisor(user: User) -> bool:
    return user.is_administrator or user.role == Role.SUPERVISOR


# --- paging without COUNT(*) -----------------------------------------------------------


@dataclass
class LookaheadPage:
    """One page of a list, found by fetching one row more than fits: no COUNT(*) needed,
    so a queue stays fast however many cases lie behind it."""

    object_list: list
    number: int
    has_next: bool
    base_query: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1

    def _url(self, number: int) -> str:
        return "?" + urlencode({**self.base_query, "page": number})

    @property
    def next_url(self) -> str:
        return self._url(self.number + 1)

    @property
    def previous_url(self) -> str:
        return self._url(self.number - 1)


def _page(request: HttpRequest, qs, **base_query: str) -> LookaheadPage:  # type: ignore[no-untyped-def]
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    offset = (number - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    return LookaheadPage(
        object_list=rows[:PAGE_SIZE],
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        base_query={k: v for k, v in base_query.items() if v},
    )


# --- home, lists -----------------------------------------------------------------------


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _is_supervisor(user):
        return redirect("staff:supervise")
    if user.role == Role.OPERATOR:
        return redirect("staff:triage")
    return redirect("staff:queue")


BUCKET_LABELS = {
    QueueBucket.NEW: gettext_lazy("New"),
    QueueBucket.DUE_SOON: gettext_lazy("Due soon"),
    QueueBucket.OVERDUE: gettext_lazy("Overdue"),
    QueueBucket.ACTIVE: gettext_lazy("All running"),
    QueueBucket.ALL: gettext_lazy("Incl. resolved"),
}


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    bucket = request.GET.get("bucket", QueueBucket.ACTIVE)
    if bucket not in QueueBucket.CHOICES:
        bucket = QueueBucket.ACTIVE
    counts = selectors.queue_counts(user=request.user)
    tabs = [
        {
            "key": key,
            "label": BUCKET_LABELS[key],
            "count": counts.get(key),
            "current": key == bucket,
        }
        for key in QueueBucket.CHOICES
    ]
    page = _page(request, selectors.queue_for(user=request.user, bucket=bucket), bucket=bucket)
    taken = selectors.taken_by_deadline(user=request.user) if page.number == 1 else []
    return render(
        request,
        "staff/queue.html",
        {
            "nav": "queue",
            "tabs": tabs,
            "bucket": bucket,
            "bucket_label": BUCKET_LABELS[bucket],
            "page": page,
            "taken": taken,
            "search_form": SearchForm(),
        },
    )


@staff_required
def triage(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.awaiting_dispatch(user=request.user))
    reasons = selectors.latest_return_events(page.object_list)
    for case in page.object_list:
        case.return_event = reasons.get(case.pk)
    return render(
        request,
        "staff/triage.html",
        {"nav": "triage", "page": page, "extensions": _extension_cards(request.user)},
    )


def _extension_cards(user: User, limit: int = 50) -> list[Case]:
    """The cases whose unit asked for more time, for operators and supervisors to decide."""
    cards = []
    for extension in selectors.pending_extensions(user=user)[:limit]:
        case = extension.case
        case.extension_request = extension
        cards.append(case)
    return cards


@staff_required
def overdue(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.overdue_cases(user=request.user))
    return render(
        request,
        "staff/overdue.html",
        {"nav": "overdue", "page": page, "sweep": selectors.sweep_health()},
    )


@staff_required
def supervise(request: HttpRequest) -> HttpResponse:
    if not _is_supervisor(request.user):
        raise PermissionDenied
    by_status = selectors.status_counts(user=request.user)
    statuses = [
        {"status": s.value, "label": s.label, "count": by_status[s.value]}
        for s in Status
        if by_status.get(s.value)
    ]
    units = selectors.counts_by_unit(user=request.user)
    levels = dict(Level.choices)
    for row in units:
        row.level_label = levels.get(row.level, "")
    return render(
        request,
        "staff/supervise.html",
        {
            "nav": "supervise",
            "statuses": statuses,
            "total": sum(by_status.values()),
            "units": units,
            "overdue_total": sum(row.overdue for row in units),
            "extensions": _extension_cards(request.user),
            "search_form": SearchForm(),
            "setup": _setup_steps() if request.user.is_administrator else None,
            "sweep": selectors.sweep_health(),
            "calendar_year": year_awaiting_notice() if request.user.is_administrator else None,
        },
    )


def _setup_steps() -> list[dict] | None:
    """A new installation's setup, step by step, until every step has something (for the
    administrator who signs in to an empty county)."""
    steps = [
        (_("Areas: the county, townships, villages and communities"), Area, "directory_area"),
        (_("Units that handle cases, and the areas each covers"), Unit, "directory_unit"),
        (
            _("Routing rules: which unit gets which category where"),
            RoutingRule,
            "directory_routingrule",
        ),
        (_("Staff accounts with their role, unit and area"), User, "accounts_user"),
    ]
    rows = [
        {
            "label": label,
            "count": model.objects.count(),
            "add_url": reverse(f"admin:{name}_add"),
            "list_url": reverse(f"admin:{name}_changelist"),
        }
        for label, model, name in steps
    ]
    # Staff accounts: the administrator's own does not count.
    rows[-1]["count"] -= 1
    return rows if any(row["count"] <= 0 for row in rows) else None


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """A case by tracking code (straight to it) or by words of its title, within scope."""
    form = SearchForm(request.GET or None)
    results: list[Case] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        exact = selectors.find_by_code(user=request.user, query=query)
        if exact is not None:
            return redirect("staff:case", pk=exact.pk)
        try:
            results = selectors.search_cases(user=request.user, query=query, limit=SEARCH_LIMIT)
        except CaseError as exc:
            form.add_error("q", str(exc.message))
            query = ""
    return render(
        request,
        "staff/search.html",
        {
            "search_form": form,
            "query": query,
            "results": results,
            "limited": len(results) >= SEARCH_LIMIT,
            "total": (
                selectors.count_matching(user=request.user, query=query)
                if len(results) >= SEARCH_LIMIT
                else len(results)
            ),
        },
    )


# --- the case page -----------------------------------------------------------------------

# Used every day: shown open; the rest sit folded under their title.
PRIMARY = {Action.ACCEPT, Action.DISPATCH, Action.NOTE, RATE, GRANT_EXTENSION}

FORMS: dict[str, type[ActionForm]] = {
    Action.DISPATCH: DispatchForm,
    Action.ACCEPT: AcceptForm,
    Action.NOTE: NoteForm,
    Action.RETURN: StaffReasonForm,
    Action.ESCALATE: StaffReasonForm,
    Action.RESOLVE: ResolveForm,
    Action.MERGE: MergeForm,
    Action.DECLINE: DeclineForm,
    Action.WITHDRAW: WithdrawForm,
    RATE: RateForm,
    EXTEND: ExtendForm,
    GRANT_EXTENSION: GrantExtensionForm,
    REFUSE_EXTENSION: StaffReasonForm,
}

TEXTS = {
    Action.ACCEPT: (
        gettext_lazy("Accept"),
        gettext_lazy("Your unit takes this case on. The deadline keeps running."),
        gettext_lazy("Accept this case"),
    ),
    Action.DISPATCH: (
        gettext_lazy("Dispatch"),
        gettext_lazy("Send the case to the unit that must handle it; its deadline starts now."),
        gettext_lazy("Dispatch"),
    ),
    Action.NOTE: (
        gettext_lazy("Add progress note"),
        gettext_lazy("Tell what has been done so far."),
        gettext_lazy("Add note"),
    ),
    Action.RESOLVE: (
        gettext_lazy("Resolve"),
        gettext_lazy("The problem is solved; the resident will be asked to confirm and rate."),
        gettext_lazy("Mark as resolved"),
    ),
    RATE: (
        gettext_lazy("Record the call-back rating"),
        gettext_lazy(
            "Enter what the resident said on the call-back. A rating of 1–2 or “not "
            "solved” reopens the case; otherwise it is closed."
        ),
        gettext_lazy("Record rating"),
    ),
    Action.ESCALATE: (
        gettext_lazy("Escalate"),
        gettext_lazy("Hand the case up to the next level, with a fresh deadline there."),
        gettext_lazy("Escalate"),
    ),
    Action.RETURN: (
        gettext_lazy("Return to dispatch"),
        gettext_lazy("Wrongly routed? Send it back to the operators with the reason."),
        gettext_lazy("Return"),
    ),
    Action.MERGE: (
        gettext_lazy("Merge into another case"),
        gettext_lazy("This is a duplicate: the resident will follow the other case."),
        gettext_lazy("Merge"),
    ),
    Action.DECLINE: (
        gettext_lazy("Decline"),
        gettext_lazy(
            "Out of scope, for example about a person rather than a service. "
            "The resident sees the reason."
        ),
        gettext_lazy("Decline"),
    ),
    Action.WITHDRAW: (
        gettext_lazy("Withdraw"),
        gettext_lazy("The resident no longer needs help."),
        gettext_lazy("Withdraw"),
    ),
    EXTEND: (
        gettext_lazy("Ask for more time"),
        gettext_lazy(
            "Waiting for parts or a contractor? Ask the operators to extend the deadline. "
            "It moves only when they grant it."
        ),
        gettext_lazy("Ask for more time"),
    ),
    GRANT_EXTENSION: (
        gettext_lazy("Grant more time"),
        "",  # the request itself, see _render_case
        gettext_lazy("Grant"),
    ),
    REFUSE_EXTENSION: (
        gettext_lazy("Refuse more time"),
        gettext_lazy("The deadline stays; the unit reads your reason."),
        gettext_lazy("Refuse"),
    ),
}

DONE = {
    Action.DISPATCH: gettext_lazy("Case %(code)s dispatched to %(unit)s."),
    Action.ACCEPT: gettext_lazy("Case %(code)s accepted."),
    Action.NOTE: gettext_lazy("Note added to case %(code)s."),
    Action.RETURN: gettext_lazy("Case %(code)s returned to dispatch."),
    Action.ESCALATE: gettext_lazy("Case %(code)s escalated to %(unit)s."),
    Action.RESOLVE: gettext_lazy("Case %(code)s marked as resolved."),
    Action.MERGE: gettext_lazy("Case %(code)s merged."),
    Action.DECLINE: gettext_lazy("Case %(code)s declined."),
    Action.WITHDRAW: gettext_lazy("Case %(code)s withdrawn."),
    RATE: gettext_lazy("Rating recorded; case %(code)s is now “%(status)s”."),
    EXTEND: gettext_lazy("More time asked for on case %(code)s; the operators decide."),
    GRANT_EXTENSION: gettext_lazy("Case %(code)s now has until %(deadline)s."),
    REFUSE_EXTENSION: gettext_lazy("More time refused on case %(code)s; the deadline stays."),
}


def _get_case(request: HttpRequest, pk: int) -> Case:
    """The case, if this user may see it; otherwise 404 so existence does not leak."""
    case = (
        Case.objects.select_related(
            "category", "area", "current_unit__parent", "created_by", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if case is None or not can_view_case(request.user, case):
        raise Http404
    return case


def _make_form(  # type: ignore[no-untyped-def]
    slug: str, case: Case, data=None, request: HttpRequest | None = None, files=None
) -> ActionForm:
    kwargs: dict = {"action": slug, "initial": {"expected_version": case.version}}
    if slug == Action.DISPATCH:
        kwargs.update(_dispatch_choices(case, data, request))
    return FORMS[slug](data, files, **kwargs)


def _dispatch_choices(case: Case, data, request: HttpRequest | None) -> dict:  # type: ignore[no-untyped-def]
    """The dispatch form's category, unit and routing proposal: the case's own category,
    or a sure suggestion for a case that has none (first view), or what was sent back."""
    proposals = routes_by_category(
        case.area, Category.objects.filter(is_active=True).values_list("pk", flat=True)
    )
    category, chosen_unit = case.category, None
    if data is None and request is not None:
        # Triage builds on cases; imported here, cases does not need it to load.
        from minsheng.triage.dispatching import for_dispatch

        suggestion = for_dispatch(request, case)
        category = suggestion.category or category
        chosen_unit = suggestion.unit
    elif data is not None:
        sent = str(data.get("category") or "")
        if sent.isdigit():
            category = Category.objects.filter(pk=int(sent), is_active=True).first() or category
    proposed = (
        proposals[category.pk]
        if category.pk in proposals
        else route_case(category=category, area=case.area)
    )
    escalated = case.status == Status.ESCALATED
    if escalated:
        # Handed up: the rules would send it straight back to the unit below that could not
        # handle it; the unit above chooses.
        proposed, chosen_unit = None, None
    return {
        "escalated": escalated,
        "proposed": proposed,
        "category": category,
        "proposals": proposals,
        "chosen_unit": chosen_unit,
    }


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, ActionForm] | None = None,
    revealed: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    forms = []
    for slug in permitted_actions(user, case):
        form = bound.get(slug) or _make_form(slug, case, request=request)
        if form.is_bound:
            _ask_for_photos_again(request, form)
        title, hint, button = TEXTS[slug]
        if slug == Action.ESCALATE:
            hint = _("Hand the case up to %(unit)s, with a fresh deadline at that level.") % {
                "unit": case.current_unit.parent.name
            }
        if slug == GRANT_EXTENSION and (asked := pending_extension(case)) is not None:
            hint = _(
                "%(unit)s asks for time until %(asked)s instead of %(deadline)s. Grant it as "
                "asked, or with an earlier deadline."
            ) % {
                "unit": asked.unit.label,
                "asked": deadline_text(asked.requested_deadline),
                "deadline": deadline_text(case.deadline),
            }
        if slug == EXTEND:
            current = _("Current deadline: %(deadline)s.") % {
                "deadline": deadline_text(case.deadline)
            }
            hint = f"{hint} {current}"
        forms.append(
            {
                "slug": slug,
                "title": title,
                "hint": hint,
                "button": button,
                "form": form,
                "open": slug in PRIMARY or form.is_bound,
                "quiet": slug in (Action.MERGE, Action.DECLINE, Action.WITHDRAW, Action.RETURN),
            }
        )
    contact = Contact.objects.filter(case=case).first()
    events, sent_photos = _events_with_photos(case)
    context = {
        "nav": "",
        "case": case,
        "extension": pending_extension(case),
        "extensions": list(case.extensions.select_related("unit", "requested_by", "decided_by")),
        "level_label": dict(Level.choices).get(case.level, ""),
        "events": events,
        "sent_photos": sent_photos,
        "merged_photos": _merged_photos(user, case),
        "action_forms": forms,
        "can_reveal": revealed is None
        and contact is not None
        and contact.has_details
        and can_reveal_contact(user, case),
        "revealed": revealed,
        "merged_into_visible": case.merged_into is not None
        and can_view_case(user, case.merged_into),
        "board": _board_state(user, case),
        # The operator's own choices are back in the form: the panel must not claim it
        # filled them in.
        "resident_language": dict(settings.LANGUAGES).get(case.language, case.language),
        # Text messages go out in the resident's language; what staff write does not.
        "resident_language_note": _(
            "Texts to the resident are sent in this language; write notes and the resolution "
            "so they can be read in it."
        )
        if case.language != settings.LANGUAGE_CODE
        else "",
        "dispatch_sent_back": Action.DISPATCH in bound,
        # Working through the to-dispatch queue is an operator's day, not a unit's.
        "dispatch_next": case.status != Status.ESCALATED
        and (user.role == Role.OPERATOR or user.is_administrator),
    }
    return render(request, "staff/case.html", context, status=status)


def _events_with_photos(case: Case) -> tuple[list, list]:
    """The timeline, each event carrying links to the photos it added, and the photos sent
    with the case (shown again beside the description)."""
    events = list(selectors.timeline(case=case, public_only=False))
    by_event = photo_selectors.photos_by_event(case)
    sent = []
    for event in events:
        event.photo_links = staff_links(by_event.get(event.pk, []), case_id=case.pk)
        if event.kind == EventKind.SUBMITTED:
            sent = event.photo_links
    return events, sent


def _merged_photos(user: User, case: Case) -> list[dict]:
    """Photos of the duplicates merged into this case, by duplicate: the same problem as
    other residents saw it. Readers of this case may see them (``photo_for_staff``), also
    where the duplicate itself lies outside their scope (then it is named, not linked)."""
    groups: dict[int, dict] = {}
    for photo in photo_selectors.photos_of_merged_cases(case):
        group = groups.setdefault(
            photo.case_id,
            {"case": photo.case, "visible": can_view_case(user, photo.case), "photos": []},
        )
        group["photos"].append(photo)
    for group in groups.values():
        group["links"] = staff_links(group.pop("photos"), case_id=case.pk)
    return list(groups.values())


def _ask_for_photos_again(request: HttpRequest, form: ActionForm) -> None:
    """A refused form comes back without its files (browsers cannot refill a file input):
    say so beside the photo field, unless the photos themselves were the problem."""
    if "photos" in form.fields and request.FILES.getlist("photos") and not form.has_error("photos"):
        form.add_error("photos", _("The photos were not saved. Please choose them again."))


def _board_state(user: User, case: Case) -> dict:
    """Whether the case shows on the public board, why not, and whether this user may
    change it (operators and supervisors in scope)."""
    last = None
    if case.hidden_from_board:
        last = (
            case.events.filter(kind=EventKind.HIDDEN)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
    return {"hidden": case.hidden_from_board, "last": last, "can_change": can_triage(user, case)}


@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _get_case(request, pk))


def _version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _perform(
    slug: str,
    user: User,
    case: Case,
    data: dict,
    version: int | None,
    photos: PhotoBatch = NO_PHOTOS,
) -> Case:
    common = {"actor": user, "case": case, "expected_version": version}
    if slug == Action.DISPATCH:
        return actions.dispatch_case(
            **common,
            unit=data.get("unit"),
            note=data.get("note") or "",
            category=data.get("category") or None,
        )
    if slug == Action.ACCEPT:
        return actions.accept_case(**common)
    if slug == Action.NOTE:
        return actions.add_note(
            **common,
            note=data.get("note") or "",
            is_public=bool(data.get("is_public")),
            photos=photos,
        )
    if slug == Action.RETURN:
        return actions.return_case(**common, reason=data.get("reason") or "")
    if slug == Action.ESCALATE:
        return actions.escalate_case(**common, reason=data.get("reason") or "")
    if slug == Action.RESOLVE:
        return actions.resolve_case(
            **common, resolution=data.get("resolution") or "", photos=photos
        )
    if slug == Action.MERGE:
        into = selectors.get_case_by_tracking_code(data.get("into") or "")
        # An unknown code and a case out of the user's sight get the same answer.
        into_id = into.pk if into is not None and can_view_case(user, into) else None
        return actions.merge_case(**common, into=into_id)  # type: ignore[arg-type]
    if slug == Action.DECLINE:
        return actions.decline_case(**common, reason=data.get("reason") or "")
    if slug == Action.WITHDRAW:
        return actions.withdraw_case(**common, reason=data.get("reason") or "")
    if slug == EXTEND:
        return actions.request_extension(
            **common,
            reason=data.get("reason") or "",
            days=data.get("days"),
            until=data.get("until"),
        ).case
    if slug == GRANT_EXTENSION:
        return actions.grant_extension(
            **common, note=data.get("note") or "", days=data.get("days"), until=data.get("until")
        ).case
    if slug == REFUSE_EXTENSION:
        return actions.refuse_extension(**common, reason=data.get("reason") or "").case
    if slug == RATE:
        return actions.rate_case(
            **common,
            rating=data.get("rating"),
            is_solved=bool(data.get("is_solved")),
            comment=data.get("comment") or "",
        )
    raise Http404


def _raw(post) -> dict:  # type: ignore[no-untyped-def]
    """The posted values as the actions take them, when the form did not validate."""
    data = post.dict()
    data["is_public"] = bool(post.get("is_public"))
    data["is_solved"] = post.get("is_solved") == "yes"
    return data


@require_http_methods(["GET", "POST"])
@staff_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Carry out one action on a case from its form; on refusal show why, change nothing.

    A GET (the address bar after a refused form, reopened or shared) goes to the case page.
    """
    if action not in FORMS:
        raise Http404
    if request.method == "GET":
        return redirect("staff:case", pk=pk)
    user = request.user
    case = _get_case(request, pk)
    form = _make_form(action, case, request.POST, files=request.FILES)
    offered = action in permitted_actions(user, case)
    valid = form.is_valid()
    if offered and not valid:
        return _render_case(request, case, bound={action: form}, status=400)
    if valid and action == Action.DISPATCH:
        checked = _proposal_for_new_category(request, case, form)
        if checked is not None:
            return _render_case(request, case, bound={action: checked}, status=400)
    if valid:
        data, version = form.cleaned_data, form.cleaned_data.get("expected_version")
    else:
        # Not offered here: let the action say why (not permitted, not in this state).
        data, version = _raw(request.POST), _version(request.POST.get("expected_version"))
    # Decoded here, before the action's transaction: a second of work per photo.
    photos = (
        prepare_photos(request.FILES.getlist("photos"))
        if action in (Action.NOTE, Action.RESOLVE)
        else NO_PHOTOS
    )
    try:
        result = _perform(action, user, case, data, version, photos)
    except NotFound as exc:
        raise Http404 from exc
    except StaleCase as exc:
        fresh = _get_case(request, pk)
        if _just_done_by(user, fresh, action):
            # The same form sent twice (a double tap, a resent page): the first one counted.
            messages.info(request, _("This was already saved; it was not done a second time."))
            return redirect("staff:case", pk=fresh.pk)
        messages.error(request, exc.message)
        if valid and action in permitted_actions(user, fresh):
            # Keep what the user chose and wrote, against the case as it is now: they look
            # at what changed and send again, instead of starting over.
            data = request.POST.copy()
            data["expected_version"] = str(fresh.version)
            again = _make_form(action, fresh, data)
            again.is_valid()
            return _render_case(request, fresh, bound={action: again}, status=exc.status_code)
        return _render_case(request, fresh, status=exc.status_code)
    except CaseError as exc:
        fresh = _get_case(request, pk)
        if valid and action in permitted_actions(user, fresh):
            for problem in exc.every():
                name = problem.field if problem.field in form.fields else None
                form.add_error(name, str(problem.message))
            return _render_case(request, fresh, bound={action: form}, status=exc.status_code)
        messages.error(request, exc.message)
        return _render_case(request, fresh, status=exc.status_code)
    result.refresh_from_db()
    unit = result.current_unit.label if result.current_unit_id else ""
    messages.success(
        request,
        DONE[action]
        % {
            "code": result.tracking_code,
            "unit": unit,
            "status": result.get_status_display(),
            "deadline": deadline_text(result.deadline),
        },
    )
    if action == Action.DISPATCH and request.POST.get("then") == "next":
        # "Dispatch and open the next case": an operator working through the queue.
        following = selectors.awaiting_dispatch(user=user).exclude(pk=result.pk).first()
        if following is not None:
            return redirect("staff:case", pk=following.pk)
        return redirect("staff:triage")
    handed_on = action in (Action.RETURN, Action.ESCALATE) and not permitted_actions(user, result)
    if can_view_case(user, result) and not handed_on:
        # A fragment of its own, or the browser would keep the form's (#action-note) and
        # scroll past the message that says it was saved.
        return redirect(reverse("staff:case", args=[result.pk]) + "#top")
    # Returned or escalated out of the user's units: back to their list.
    return redirect("staff:home")


# The event each action writes, to recognise the same form sent twice.
ACTION_EVENTS = {
    Action.DISPATCH: EventKind.DISPATCHED,
    Action.ACCEPT: EventKind.ACCEPTED,
    Action.NOTE: EventKind.NOTE,
    Action.RETURN: EventKind.RETURNED,
    Action.ESCALATE: EventKind.ESCALATED,
    Action.RESOLVE: EventKind.RESOLVED,
    Action.MERGE: EventKind.MERGED,
    Action.DECLINE: EventKind.DECLINED,
    Action.WITHDRAW: EventKind.WITHDRAWN,
    EXTEND: EventKind.EXTENSION_REQUESTED,
    GRANT_EXTENSION: EventKind.EXTENSION_GRANTED,
    REFUSE_EXTENSION: EventKind.EXTENSION_REFUSED,
}
TWICE_WITHIN = dt.timedelta(minutes=2)


def _just_done_by(user: User, case: Case, action: str) -> bool:
    """Whether the case's last change is this very action by this user, moments ago."""
    last = case.events.order_by("-created_at", "-id").first()
    return (
        last is not None
        and last.actor_id == user.pk
        and last.kind == ACTION_EVENTS.get(action)
        and timezone.now() - last.created_at < TWICE_WITHIN
    )


def _proposal_for_new_category(
    request: HttpRequest, case: Case, form: ActionForm
) -> ActionForm | None:
    """Without JavaScript the unit select still shows the proposal for the old category: if
    the operator corrected the category but left that unit, and the rules propose another
    for the new one, show the form again with it chosen rather than send the case astray."""
    chosen = form.cleaned_data.get("category")
    if not chosen or chosen == case.category_id:
        return None
    category = Category.objects.filter(pk=chosen, is_active=True).first()
    if category is None:
        return None
    routes = routes_by_category(case.area, [case.category_id, category.pk])
    old, new = routes[case.category_id], routes[category.pk]
    if old is None or form.cleaned_data.get("unit") != old.pk:
        return None
    if new is None or new.pk == old.pk:
        return None
    data = request.POST.copy()
    data["unit"] = str(new.pk)
    again = _make_form(Action.DISPATCH, case, data)
    again.is_valid()
    again.add_error(
        "unit",
        _(
            "For “%(category)s” the routing rules propose %(unit)s, chosen now. Check the "
            "unit and send again."
        )
        % {"category": category.label, "unit": new.label},
    )
    return again


@require_POST
@staff_required
def board_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Hide the case from the public board, or show it again; the reason is recorded."""
    case = _get_case(request, pk)
    hidden = request.POST.get("hidden") == "1"
    try:
        actions.set_board_visibility(
            actor=request.user,
            case=case,
            hidden=hidden,
            reason=request.POST.get("reason") or "",
            expected_version=_version(request.POST.get("expected_version")),
        )
    except NotFound as exc:
        raise Http404 from exc
    except CaseError as exc:
        messages.error(request, exc.message)
        return _render_case(request, _get_case(request, pk), status=exc.status_code)
    if hidden:
        done = _("Case %(code)s is hidden from the public board.")
    else:
        done = _("Case %(code)s is shown on the public board again.")
    messages.success(request, done % {"code": case.tracking_code})
    return redirect("staff:case", pk=case.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def reveal_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's name and phone for the call-back, on this response only; audited.
    A GET (reloading the page that showed them) goes back to the case page, revealing
    nothing."""
    if request.method == "GET":
        return redirect("staff:case", pk=pk)
    case = _get_case(request, pk)
    try:
        name, phone = contact_actions.reveal_contact(actor=request.user, case=case)
    except NotFound as exc:
        raise Http404 from exc
    except CaseError as exc:
        messages.error(request, exc.message)
        return _render_case(request, case, status=exc.status_code)
    return _render_case(request, _get_case(request, pk), revealed=(name, phone))


# --- operator intake ---------------------------------------------------------------------

# Action field names that differ from the intake form's.
INTAKE_FIELDS = {"phone": "contact_phone"}


@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    """Record a request received by phone, on a visit or at a meeting, then dispatch it."""
    form = IntakeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = actions.submit_case(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    area=data["area"],
                    channel=data["channel"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    priority=data["priority"],
                    submission_key=data["submission_key"],
                )
            except CaseError as exc:
                if exc.status_code == 404:
                    raise Http404 from exc
                for problem in exc.every():
                    name = INTAKE_FIELDS.get(problem.field or "", problem.field)
                    form.add_error(name if name in form.fields else None, str(problem.message))
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("Recorded as %(code)s. Tell the resident this number.")
                    % {"code": case.tracking_code},
                )
                if can_view_case(request.user, case):
                    return redirect("staff:case", pk=case.pk)
                return redirect("staff:intake")
    return render(
        request,
        "staff/intake.html",
        {"nav": "intake", "form": form, "has_areas": bool(form.fields["area"].choices[1:])},
        status=status,
    )
