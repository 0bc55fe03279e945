"""Every change to needs, resources and projects. Views, commands and the demo call these.

Each function checks the actor's right in the area (``projects.rules``), validates all
input before writing, locks the row it changes, and appends its ``ProjectEvent`` in the
same transaction; budget, spent and progress changes carry their old and new values. An
error leaves the database untouched. Cases are touched only through ``cases.actions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases import actions as case_actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import FINAL_STATUSES, Case, Status
from minsheng.cases.rules import may_take
from minsheng.cases.transitions import Action, next_status
from minsheng.cases.validation import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, clean_text
from minsheng.directory.models import Area, Category, Unit
from minsheng.projects import rules
from minsheng.projects.errors import InvalidInput, InvalidState, NotFound, NotPermitted
from minsheng.projects.models import (
    FINISHED_PROJECT_STATUSES,
    CaseLink,
    Milestone,
    Need,
    NeedStatus,
    OnCompletion,
    Project,
    ProjectEvent,
    ProjectEventKind,
    ProjectStatus,
    Resource,
    ResourceStatus,
    describe_case_note,
)
from minsheng.projects.validation import clean_date, clean_money, clean_progress

MAX_CASES_PER_NEED = 500

# --- shared machinery ----------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotPermitted()


def _require_project(actor: User, project: Project) -> None:
    """Only those who run the project change it (``rules.can_manage_project``)."""
    if not rules.can_manage_project(actor, project):
        raise NotPermitted(
            _(
                "Only the project's lead and participating units, supervisors of its area and "
                "administrators may change this project."
            )
        )


def _get(model, value, *, field: str, message: str, active_only: bool = False):  # type: ignore[no-untyped-def]
    """A reference-data row from an instance or an id, or InvalidInput naming the field."""
    if isinstance(value, model):
        obj = value
    else:
        try:
            obj = model.objects.get(pk=int(value))
        except (TypeError, ValueError, model.DoesNotExist) as exc:
            raise InvalidInput(message, field=field) from exc
    if active_only and not getattr(obj, "is_active", True):
        raise InvalidInput(message, field=field)
    return obj


def _lock(model, value):  # type: ignore[no-untyped-def]
    """The row locked for this transaction (SELECT … FOR UPDATE), or NotFound."""
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.select_for_update(of=("self",)).select_related("area").get(pk=int(pk))
    except (TypeError, ValueError, model.DoesNotExist) as exc:
        raise NotFound() from exc


def _title(value: object) -> str:
    return clean_text(value, field="title", label=_("title"), max_length=TITLE_MAX)


def _description(value: object, *, required: bool = False) -> str:
    return clean_text(
        value,
        field="description",
        label=_("description"),
        max_length=DESCRIPTION_MAX,
        required=required,
    )


def _category(value: object) -> Category | None:
    if value in (None, ""):
        return None
    return _get(
        Category,
        value,
        field="category",
        message=_("Please choose a valid category."),
        active_only=True,
    )


def _area(value: object) -> Area:
    return _get(Area, value, field="area", message=_("Please choose a valid area."))


def _log(
    *,
    kind: str,
    actor: User | None,
    project: Project | None = None,
    need: Need | None = None,
    resource: Resource | None = None,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        kind=kind,
        actor=actor,
        project=project,
        need=need,
        resource=resource,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _money_str(value: Decimal) -> str:
    return f"{value:.2f}"


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise InvalidInput(_("The planned end lies before the planned start."), field="end_date")


def _project_open(project: Project) -> None:
    if project.status in FINISHED_PROJECT_STATUSES:
        raise InvalidState(
            _("The project is “%(status)s”; it can no longer be changed.")
            % {"status": project.get_status_display()}
        )


# --- needs and resources -------------------------------------------------------------------


@transaction.atomic
def record_need(
    *,
    actor: User,
    area: Area | int,
    title: str,
    description: str = "",
    category: Category | int | None = None,
    cases: Iterable[Case | int] = (),
) -> Need:
    """A need of a place, typed by hand or gathered from a cluster of similar cases.

    Every case must lie in the need's area and be visible to the actor, so nobody can
    attach (or learn of) cases outside their sight.
    """
    area_obj = _area(area)
    _require(rules.can_manage(actor, area_obj))
    title = _title(title)
    description = _description(description)
    category_obj = _category(category)
    case_rows = _cases_for(actor, area_obj, cases)
    now = timezone.now()
    need = Need.objects.create(
        area=area_obj,
        area_path=area_obj.path,
        title=title,
        description=description,
        category=category_obj,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    need.cases.set(case_rows)
    _log(
        kind=ProjectEventKind.NEED_RECORDED,
        actor=actor,
        need=need,
        data={"cases": [c.pk for c in case_rows]},
        at=now,
    )
    return need


def _cases_for(actor: User, area: Area, cases: Iterable[Case | int]) -> list[Case]:
    ids: list[int] = []
    for value in cases:
        try:
            case_id = value.pk if isinstance(value, Case) else int(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("“%(value)s” is not a case number.") % {"value": value}) from exc
        if case_id not in ids:
            ids.append(case_id)
    if len(ids) > MAX_CASES_PER_NEED:
        raise InvalidInput(
            _("At most %(n)d cases can be attached at once.") % {"n": MAX_CASES_PER_NEED},
            field="cases",
        )
    found = Case.objects.in_bulk(ids)
    rows = []
    for case_id in ids:
        case = found.get(case_id)
        # A case out of sight gets the same answer as a missing one.
        if case is None or not perms.can_view_case(actor, case):
            raise InvalidInput(
                _("Case %(id)s does not exist or is not visible to you.") % {"id": case_id},
                field="cases",
            )
        if not case.area_path.startswith(area.path):
            raise InvalidInput(
                _("Case %(code)s lies outside %(area)s.")
                % {"code": case.tracking_code, "area": area.name},
                field="cases",
            )
        rows.append(case)
    return rows


@transaction.atomic
def close_need(*, actor: User, need: Need | int, reason: str) -> Need:
    """A need that will not become a project (solved otherwise, out of reach) is closed
    with the reason; it stays in the list under "closed"."""
    need = _lock(Need, need)
    _require(rules.can_manage(actor, need.area))
    if need.status != NeedStatus.OPEN:
        raise InvalidState(_("Only an open need can be closed."))
    reason = clean_text(reason, field="reason", label=_("reason"), max_length=NOTE_MAX)
    now = timezone.now()
    Need.objects.filter(pk=need.pk).update(status=NeedStatus.CLOSED, updated_at=now)
    need.status, need.updated_at = NeedStatus.CLOSED, now
    _log(
        kind=ProjectEventKind.NEED_CLOSED,
        actor=actor,
        need=need,
        note=reason,
        data={"changes": {"status": [NeedStatus.OPEN, NeedStatus.CLOSED]}},
        at=now,
    )
    return need


@transaction.atomic
def record_resource(
    *,
    actor: User,
    sponsor_unit: Unit | int,
    area: Area | int,
    title: str,
    amount: object = "0",
    description: str = "",
) -> Resource:
    """What a sponsor unit offers for an area (money in yuan, or 0 for works in kind)."""
    sponsor = _get(
        Unit,
        sponsor_unit,
        field="sponsor_unit",
        message=_("Please choose a valid unit."),
        active_only=True,
    )
    area_obj = _area(area)
    _require(rules.can_offer_for(actor, sponsor, area_obj))
    title = clean_text(title, field="title", label=_("what is offered"), max_length=TITLE_MAX)
    description = _description(description)
    amount_dec = clean_money(amount, field="amount", label=_("amount"))
    now = timezone.now()
    resource = Resource.objects.create(
        sponsor_unit=sponsor,
        area=area_obj,
        area_path=area_obj.path,
        title=title,
        description=description,
        amount=amount_dec,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _log(
        kind=ProjectEventKind.RESOURCE_RECORDED,
        actor=actor,
        resource=resource,
        data={"amount": _money_str(amount_dec), "sponsor_unit": sponsor.pk},
        at=now,
    )
    return resource


@transaction.atomic
def withdraw_resource(*, actor: User, resource: Resource | int, reason: str) -> Resource:
    """The sponsor takes back an offer not yet matched; it stays listed as withdrawn."""
    resource = _lock(Resource, resource)
    if not rules.can_withdraw(actor, resource):
        raise NotPermitted(
            _("Only the offering unit (%(unit)s) may withdraw this offer.")
            % {"unit": resource.sponsor_unit.label}
        )
    if resource.status != ResourceStatus.AVAILABLE:
        raise InvalidState(_("Only an available resource can be withdrawn."))
    reason = clean_text(reason, field="reason", label=_("reason"), max_length=NOTE_MAX)
    now = timezone.now()
    Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.WITHDRAWN, updated_at=now)
    resource.status = ResourceStatus.WITHDRAWN
    _log(
        kind=ProjectEventKind.RESOURCE_WITHDRAWN,
        actor=actor,
        resource=resource,
        note=reason,
        data={"changes": {"status": [ResourceStatus.AVAILABLE, ResourceStatus.WITHDRAWN]}},
        at=now,
    )
    return resource


# --- projects ------------------------------------------------------------------------------


def _units(values: Iterable[Unit | int]) -> list[Unit]:
    result: list[Unit] = []
    for value in values:
        unit = _get(
            Unit, value, field="units", message=_("Please choose valid units."), active_only=True
        )
        if unit not in result:
            result.append(unit)
    return result


@transaction.atomic
def create_project(
    *,
    actor: User,
    area: Area | int,
    title: str,
    lead_unit: Unit | int,
    description: str = "",
    category: Category | int | None = None,
    budget: object = "0",
    spent: object = "0",
    progress: object = 0,
    start_date: object = None,
    end_date: object = None,
    units: Iterable[Unit | int] = (),
    need: Need | None = None,
    resource: Resource | None = None,
) -> Project:
    """A project in an area, led by one unit with others involved; it starts "planned"."""
    area_obj = _area(area)
    _require(rules.can_manage(actor, area_obj))
    title = _title(title)
    description = _description(description)
    category_obj = _category(category)
    lead = _get(
        Unit,
        lead_unit,
        field="lead_unit",
        message=_("Please choose a valid unit."),
        active_only=True,
    )
    budget_dec = clean_money(budget, field="budget", label=_("budget"))
    spent_dec = clean_money(spent, field="spent", label=_("spent"))
    progress_int = clean_progress(progress)
    start = clean_date(start_date, field="start_date", label=_("planned start"), required=False)
    end = clean_date(end_date, field="end_date", label=_("planned end"), required=False)
    _check_dates(start, end)
    involved = _units(units)
    if not rules.can_start_project(actor, area_obj, [lead.pk, *[u.pk for u in involved]]):
        raise NotPermitted(
            _("Your unit must lead the project or take part in it."), field="lead_unit"
        )
    now = timezone.now()
    project = Project.objects.create(
        area=area_obj,
        area_path=area_obj.path,
        title=title,
        description=description,
        category=category_obj,
        budget=budget_dec,
        spent=spent_dec,
        progress=progress_int,
        start_date=start,
        end_date=end,
        lead_unit=lead,
        need=need,
        resource=resource,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    project.units.set([lead, *[u for u in involved if u != lead]])
    _log(
        kind=ProjectEventKind.CREATED,
        actor=actor,
        project=project,
        data={
            "budget": _money_str(budget_dec),
            "spent": _money_str(spent_dec),
            "progress": progress_int,
            "lead_unit": lead.pk,
            "need": need.pk if need else None,
            "resource": resource.pk if resource else None,
        },
        at=now,
    )
    return project


@transaction.atomic
def match_need_and_resource(
    *,
    actor: User,
    need: Need | int,
    resource: Resource | int,
    title: str = "",
    lead_unit: Unit | int | None = None,
    budget: object = None,
    start_date: object = None,
    end_date: object = None,
    units: Iterable[Unit | int] = (),
) -> Project:
    """Turn an open need and an available resource for its area into a project.

    The project takes the need's area, category, description and cases (each to be
    resolved when the project completes), and the resource's amount as its budget and its
    sponsor as lead unit unless told otherwise. Need and resource become "matched".
    """
    need = _lock(Need, need)
    resource = _lock(Resource, resource)
    _require(rules.can_manage(actor, need.area))
    if need.status != NeedStatus.OPEN:
        raise InvalidState(_("This need is no longer open."))
    if resource.status != ResourceStatus.AVAILABLE:
        raise InvalidState(_("This resource is no longer available."))
    if not rules.can_view_resource(actor, resource.area_path):
        raise NotFound()
    if not need.area_path.startswith(resource.area_path):
        raise InvalidInput(
            _("The resource is offered for %(resource_area)s, which does not include %(area)s.")
            % {"resource_area": resource.area.name, "area": need.area.name},
            field="resource",
        )
    project = create_project(
        actor=actor,
        area=need.area,
        title=title or need.title,
        description=need.description,
        category=need.category_id,
        lead_unit=lead_unit if lead_unit not in (None, "") else resource.sponsor_unit,
        budget=resource.amount if budget in (None, "") else budget,
        start_date=start_date,
        end_date=end_date,
        units=[resource.sponsor_unit, *units],
        need=need,
        resource=resource,
    )
    now = timezone.now()
    Need.objects.filter(pk=need.pk).update(status=NeedStatus.MATCHED, updated_at=now)
    Resource.objects.filter(pk=resource.pk).update(status=ResourceStatus.MATCHED, updated_at=now)
    need.status, resource.status = NeedStatus.MATCHED, ResourceStatus.MATCHED
    data = {"need": need.pk, "resource": resource.pk, "project": project.pk}
    _log(kind=ProjectEventKind.MATCHED, actor=actor, project=project, data=data, at=now)
    _log(
        kind=ProjectEventKind.MATCHED,
        actor=actor,
        need=need,
        data={**data, "changes": {"status": [NeedStatus.OPEN, NeedStatus.MATCHED]}},
        at=now,
    )
    _log(
        kind=ProjectEventKind.MATCHED,
        actor=actor,
        resource=resource,
        data={**data, "changes": {"status": [ResourceStatus.AVAILABLE, ResourceStatus.MATCHED]}},
        at=now,
    )
    for case in need.cases.order_by("id"):
        if perms.can_view_case(actor, case):
            _link(actor, project, case, OnCompletion.RESOLVE)
    return project


_UNCHANGED = object()


@transaction.atomic
def update_project(
    *,
    actor: User,
    project: Project | int,
    title: object = _UNCHANGED,
    description: object = _UNCHANGED,
    budget: object = _UNCHANGED,
    spent: object = _UNCHANGED,
    progress: object = _UNCHANGED,
    status: object = _UNCHANGED,
    start_date: object = _UNCHANGED,
    end_date: object = _UNCHANGED,
    units: object = _UNCHANGED,
    note: str = "",
) -> Project:
    """Change a running project's figures, dates, units or status (planned ↔ in progress).

    Only what differs is written, and the log keeps each field's old and new value.
    Completing and cancelling have their own actions, since they act on linked cases.
    """
    project = _lock(Project, project)
    _require_project(actor, project)
    _project_open(project)
    note = clean_text(note, field="note", label=_("note"), max_length=NOTE_MAX, required=False)
    new: dict[str, object] = {}
    if title is not _UNCHANGED:
        new["title"] = _title(title)
    if description is not _UNCHANGED:
        new["description"] = _description(description)
    if budget is not _UNCHANGED:
        new["budget"] = clean_money(budget, field="budget", label=_("budget"))
    if spent is not _UNCHANGED:
        new["spent"] = clean_money(spent, field="spent", label=_("spent"))
    if progress is not _UNCHANGED:
        new["progress"] = clean_progress(progress)
    if status is not _UNCHANGED:
        if status not in (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS):
            raise InvalidInput(_("Use “complete” or “cancel” to finish a project."), field="status")
        new["status"] = ProjectStatus(status)
    if start_date is not _UNCHANGED:
        new["start_date"] = clean_date(
            start_date, field="start_date", label=_("planned start"), required=False
        )
    if end_date is not _UNCHANGED:
        new["end_date"] = clean_date(
            end_date, field="end_date", label=_("planned end"), required=False
        )
    _check_dates(
        new.get("start_date", project.start_date),  # type: ignore[arg-type]
        new.get("end_date", project.end_date),  # type: ignore[arg-type]
    )
    changes: dict[str, list] = {}
    for name, value in new.items():
        old = getattr(project, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
    if units is not _UNCHANGED:
        involved = _units(units)  # type: ignore[arg-type]
        if project.lead_unit not in involved:
            involved.insert(0, project.lead_unit)
        old_ids = sorted(project.units.values_list("id", flat=True))
        new_ids = sorted(u.pk for u in involved)
        if old_ids != new_ids:
            changes["units"] = [old_ids, new_ids]
            project.units.set(involved)
    if not changes:
        if note:
            _log(kind=ProjectEventKind.UPDATED, actor=actor, project=project, note=note)
        return project
    now = timezone.now()
    fields = {k: v for k, v in new.items() if k in changes}
    Project.objects.filter(pk=project.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(project, name, value)
    project.updated_at = now
    _log(
        kind=ProjectEventKind.UPDATED,
        actor=actor,
        project=project,
        note=note,
        data={"changes": changes},
        at=now,
    )
    return project


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return _money_str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def add_milestone(
    *, actor: User, project: Project | int, title: str, due_date: object
) -> Milestone:
    """A dated step of the project (design approved, pipes laid, water on)."""
    project = _lock(Project, project)
    _require_project(actor, project)
    _project_open(project)
    title = _title(title)
    due = clean_date(due_date, field="due_date", label=_("due date"))
    now = timezone.now()
    milestone = Milestone.objects.create(project=project, title=title, due_date=due, created_at=now)
    _log(
        kind=ProjectEventKind.MILESTONE_ADDED,
        actor=actor,
        project=project,
        data={"milestone": milestone.pk, "title": title, "due_date": due.isoformat()},
        at=now,
    )
    return milestone


def _lock_milestone(actor: User, milestone: Milestone | int) -> tuple[Project, Milestone]:
    """The milestone and its project, both locked, once the actor may change the project."""
    try:
        milestone_id = milestone.pk if isinstance(milestone, Milestone) else int(milestone)  # type: ignore[arg-type]
        found = Milestone.objects.select_related("project").get(pk=milestone_id)
    except (TypeError, ValueError, Milestone.DoesNotExist) as exc:
        raise NotFound() from exc
    project = _lock(Project, found.project_id)
    locked = Milestone.objects.select_for_update().get(pk=found.pk)
    _require_project(actor, project)
    _project_open(project)
    return project, locked


@transaction.atomic
def complete_milestone(*, actor: User, milestone: Milestone | int, done_date: object) -> Milestone:
    """Mark a milestone done on the day given (the form offers today); not in the future.
    The day is asked for, never assumed: a milestone done last week is not done today."""
    project, milestone = _lock_milestone(actor, milestone)
    if milestone.done_date is not None:
        raise InvalidState(_("This milestone is already done."))
    today = timezone.localdate()
    done = clean_date(done_date, field="done_date", label=_("done on"))
    if done > today:
        raise InvalidInput(_("A milestone cannot be done in the future."), field="done_date")
    Milestone.objects.filter(pk=milestone.pk).update(done_date=done)
    milestone.done_date = done
    _log(
        kind=ProjectEventKind.MILESTONE_DONE,
        actor=actor,
        project=project,
        data={"milestone": milestone.pk, "title": milestone.title, "done_date": done.isoformat()},
    )
    return milestone


@transaction.atomic
def reopen_milestone(*, actor: User, milestone: Milestone | int, reason: str) -> Milestone:
    """Undo a milestone marked done by mistake: it is open again, and the log keeps both
    the marking (with its day) and this reopening with the reason."""
    project, milestone = _lock_milestone(actor, milestone)
    if milestone.done_date is None:
        raise InvalidState(_("This milestone is not marked done."))
    reason = clean_text(reason, field="reason", label=_("reason"), max_length=NOTE_MAX)
    old = milestone.done_date
    Milestone.objects.filter(pk=milestone.pk).update(done_date=None)
    milestone.done_date = None
    _log(
        kind=ProjectEventKind.MILESTONE_REOPENED,
        actor=actor,
        project=project,
        note=reason,
        data={"milestone": milestone.pk, "title": milestone.title, "done_date": old.isoformat()},
    )
    return milestone


# --- linked cases --------------------------------------------------------------------------


def _link(actor: User, project: Project, case: Case, on_completion: str) -> CaseLink:
    if not case.area_path.startswith(project.area_path):
        raise InvalidInput(
            _("Case %(code)s lies outside the project's area.") % {"code": case.tracking_code},
            field="case",
        )
    if CaseLink.objects.filter(project=project, case=case, unlinked_at__isnull=True).exists():
        raise InvalidState(
            _("Case %(code)s is already linked to this project.") % {"code": case.tracking_code}
        )
    now = timezone.now()
    link = CaseLink.objects.create(
        project=project, case=case, on_completion=on_completion, linked_by=actor, linked_at=now
    )
    # The case's remedy is the project's work: its deadline follows the project's planned
    # end, so the sweep does not escalate it away from the unit while the work runs.
    _case_line(
        actor,
        case,
        project,
        "linked",
        is_public=True,
        deadline={"project_end": project.end_date},
        on_completion=on_completion,
    )
    _log(
        kind=ProjectEventKind.CASE_LINKED,
        actor=actor,
        project=project,
        data={"case": case.pk, "code": case.tracking_code, "on_completion": on_completion},
        at=now,
    )
    return link


def _case_in_sight(actor: User, case: Case | int | str) -> Case:
    """A case by id or tracking code if the actor may see it; otherwise the same error
    as for a missing one."""
    found: Case | None = None
    if isinstance(case, Case):
        found = case
    else:
        text = "".join(str(case or "").split())
        if text.isdigit():
            found = Case.objects.filter(pk=int(text)).first()
        elif text:
            found = Case.objects.filter(tracking_code=text.upper()).first()
    if found is None or not perms.can_view_case(actor, found):
        raise InvalidInput(
            _("No case with this number or tracking code is visible to you."), field="case"
        )
    return found


@transaction.atomic
def link_case(
    *,
    actor: User,
    project: Project | int,
    case: Case | int | str,
    on_completion: str = OnCompletion.RESOLVE,
) -> CaseLink:
    """Attach a case (by id or tracking code) to the project; its timeline says so.

    ``on_completion`` says what completing the project does to it: resolve it, or only
    add a note.
    """
    project = _lock(Project, project)
    _require_project(actor, project)
    _project_open(project)
    if on_completion not in OnCompletion.values:
        raise InvalidInput(_("Please choose what happens to the case."), field="on_completion")
    case_obj = _case_in_sight(actor, case)
    return _link(actor, project, case_obj, on_completion)


@transaction.atomic
def unlink_case(*, actor: User, link: CaseLink | int, reason: str) -> CaseLink:
    """Detach a case; the link stays on record with who, when and why."""
    try:
        link_id = link.pk if isinstance(link, CaseLink) else int(link)
        found = CaseLink.objects.get(pk=link_id)
    except (TypeError, ValueError, CaseLink.DoesNotExist) as exc:
        raise NotFound() from exc
    project = _lock(Project, found.project_id)
    link = CaseLink.objects.select_for_update().select_related("case").get(pk=found.pk)
    _require_project(actor, project)
    _project_open(project)
    if link.unlinked_at is not None:
        raise InvalidState(_("This case is no longer linked."))
    reason = clean_text(reason, field="reason", label=_("reason"), max_length=NOTE_MAX)
    now = timezone.now()
    CaseLink.objects.filter(pk=link.pk).update(unlinked_at=now, unlinked_by=actor)
    link.unlinked_at, link.unlinked_by = now, actor
    _case_line(
        actor,
        link.case,
        project,
        "unlinked",
        is_public=True,
        deadline=_deadline_without(link.case, project),
    )
    _log(
        kind=ProjectEventKind.CASE_UNLINKED,
        actor=actor,
        project=project,
        note=reason,
        data={"case": link.case_id, "code": link.case.tracking_code},
        at=now,
    )
    return link


# --- finishing -----------------------------------------------------------------------------


def _case_line(
    actor: User,
    case: Case,
    project: Project,
    code: str,
    *,
    is_public: bool,
    deadline: dict | None = None,
    **extra: object,
) -> None:
    """A line on a linked case's timeline, stored as a code with the project's name so each
    reader sees it in their own language (``models.describe_case_note``); the note column
    keeps the actor's wording for anything that reads it raw. ``deadline`` says how the
    case's deadline changes with it (``cases.actions.record_project_event``)."""
    data = {"project": project.pk, "title": project.title, "change": code, "note": code, **extra}
    case_actor = actor if perms.can_view_case(actor, case) else case_actions.SYSTEM
    case_actions.record_project_event(
        actor=case_actor,
        case=case,
        note=describe_case_note(data) or project.title,
        is_public=is_public,
        data=data,
        **(deadline or {}),
    )


def open_milestones(project: Project) -> list[Milestone]:
    return list(project.milestones.filter(done_date__isnull=True).order_by("due_date", "id"))


@transaction.atomic
def complete_project(
    *, actor: User, project: Project | int, outcome: str, open_milestones_ok: bool = False
) -> Project:
    """The work is done: progress 100, and each linked case still running is resolved or
    told.

    A running case whose link asks for resolving is resolved through
    ``cases.actions.resolve_case`` as the acting user, with the outcome as its resolution,
    so the resident is asked to confirm and rate as after any resolve; where the lifecycle
    rules do not allow that (not the holding unit, not yet accepted), it gets an internal
    note saying why, and is counted as not resolved. Cases already resolved or ended
    (closed, withdrawn, merged, declined) are left as they are and counted apart.

    Milestones not marked done stay so, but only when the caller confirms it
    (``open_milestones_ok``); otherwise nothing changes and the error names them.
    """
    project = _lock(Project, project)
    _require_project(actor, project)
    _project_open(project)
    outcome = clean_text(outcome, field="outcome", label=_("outcome"), max_length=NOTE_MAX)
    still_open = open_milestones(project)
    if still_open and not open_milestones_ok:
        titles = pgettext("list separator", ", ").join(f"“{m.title}”" for m in still_open)
        raise InvalidInput(
            ngettext(
                "%(n)d milestone is not marked done: %(titles)s. Mark it done first, or "
                "confirm that the project is complete without it.",
                "%(n)d milestones are not marked done: %(titles)s. Mark them done first, or "
                "confirm that the project is complete without them.",
                len(still_open),
            )
            % {"n": len(still_open), "titles": titles},
            field="open_milestones_ok",
        )
    now = timezone.now()
    changes = {"status": [project.status, ProjectStatus.COMPLETED]}
    if project.progress != 100:
        changes["progress"] = [project.progress, 100]
    Project.objects.filter(pk=project.pk).update(
        status=ProjectStatus.COMPLETED,
        progress=100,
        outcome=outcome,
        finished_at=now,
        updated_at=now,
    )
    project.status, project.progress, project.outcome = ProjectStatus.COMPLETED, 100, outcome
    project.finished_at = project.updated_at = now
    results: dict[str, list[int]] = {
        "resolved": [],
        "noted": [],
        "not_resolved": [],
        "left": [],
    }
    for link in project.case_links.filter(unlinked_at__isnull=True).order_by("id"):
        key, code = _finish_case(actor, project, link, outcome)
        CaseLink.objects.filter(pk=link.pk).update(outcome=code[:300])
        results[key].append(link.case_id)
    _log(
        kind=ProjectEventKind.COMPLETED,
        actor=actor,
        project=project,
        note=outcome,
        data={
            "changes": changes,
            "cases": results,
            "open_milestones": [m.pk for m in still_open],
        },
        at=now,
    )
    return project


def _finish_case(actor: User, project: Project, link: CaseLink, outcome: str) -> tuple[str, str]:
    """Resolve or tell one linked case; returns (result key, outcome code)."""
    case = Case.objects.select_related("current_unit", "area").get(pk=link.case_id)
    # A case that already has its answer is not the project's to touch: no note, no
    # "please resolve it by hand" for a case closed months ago or withdrawn.
    if case.status in FINAL_STATUSES or case.status == Status.RESOLVED:
        return "left", f"left:{case.status}"
    short = outcome if len(outcome) <= 1500 else outcome[:1499] + "…"
    if link.on_completion == OnCompletion.RESOLVE:
        why = _why_not_resolvable(actor, case)
        if why is None:
            try:
                with transaction.atomic():
                    _case_line(actor, case, project, "resolved", is_public=True)
                    case_actions.resolve_case(actor=actor, case=case, resolution=short)
            except CaseError as exc:
                why = str(exc.message)
            else:
                return "resolved", "resolved"
        # Still running, and no longer carried by the project: its deadline comes back.
        _case_line(
            actor,
            case,
            project,
            "not_resolved",
            is_public=False,
            deadline=_deadline_without(case, project),
            why=why,
        )
        return "not_resolved", why
    _case_line(
        actor,
        case,
        project,
        "completed",
        is_public=True,
        deadline=_deadline_without(case, project),
        outcome=short,
    )
    return "noted", "noted"


def _why_not_resolvable(actor: User, case: Case) -> str | None:
    """Why the case cannot be resolved, as an outcome code (see ``describe_outcome``)."""
    if next_status(case.status, Action.RESOLVE) is None:
        return f"status:{case.status}"
    if not may_take(actor, case, Action.RESOLVE):
        return "not_holder"
    return None


def _deadline_without(case: Case, project: Project) -> dict:
    """How the case's deadline goes on once this project no longer carries it: with the
    latest planned end of another open project it is still part of, else the level's
    normal time limit counted from now (``cases.actions.record_project_event``)."""
    other_ends = [
        end
        for end in CaseLink.objects.filter(
            case_id=case.pk,
            unlinked_at__isnull=True,
            project__end_date__isnull=False,
        )
        .exclude(project_id=project.pk)
        .exclude(project__status__in=FINISHED_PROJECT_STATUSES)
        .values_list("project__end_date", flat=True)
    ]
    if other_ends:
        return {"project_end": max(other_ends)}
    return {"restart_deadline": True}


@transaction.atomic
def cancel_project(*, actor: User, project: Project | int, reason: str) -> Project:
    """Stop a project with the reason; linked cases still running are told and go on being
    handled."""
    project = _lock(Project, project)
    _require_project(actor, project)
    _project_open(project)
    reason = clean_text(reason, field="reason", label=_("reason"), max_length=NOTE_MAX)
    now = timezone.now()
    old = project.status
    Project.objects.filter(pk=project.pk).update(
        status=ProjectStatus.CANCELLED, finished_at=now, updated_at=now
    )
    project.status, project.finished_at, project.updated_at = ProjectStatus.CANCELLED, now, now
    for link in project.case_links.filter(unlinked_at__isnull=True).select_related("case"):
        if link.case.status not in FINAL_STATUSES:
            _case_line(
                actor,
                link.case,
                project,
                "cancelled",
                is_public=True,
                deadline=_deadline_without(link.case, project),
            )
    _log(
        kind=ProjectEventKind.CANCELLED,
        actor=actor,
        project=project,
        note=reason,
        data={"changes": {"status": [old, ProjectStatus.CANCELLED]}},
        at=now,
    )
    return project


@transaction.atomic
def set_project_public(
    *, actor: User, project: Project | int, is_public: bool, reason: str = ""
) -> Project:
    """Show the project on the public board or keep it off (a security site, a plan not
    yet announced). Decided by oversight (supervisors of its area, administrators), with
    the reason in the log; finished projects may be changed too."""
    project = _lock(Project, project)
    if not rules.can_oversee_project(actor, project):
        raise NotPermitted(
            _("Only supervisors of the project's area and administrators decide this.")
        )
    reason = clean_text(
        reason, field="reason", label=_("reason"), max_length=NOTE_MAX, required=not is_public
    )
    if project.is_public == is_public:
        return project
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(is_public=is_public, updated_at=now)
    _log(
        kind=ProjectEventKind.UPDATED,
        actor=actor,
        project=project,
        note=reason,
        data={"changes": {"is_public": [project.is_public, is_public]}},
        at=now,
    )
    project.is_public = is_public
    return project
