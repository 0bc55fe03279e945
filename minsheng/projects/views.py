"""Staff pages for needs, resources and projects. Views parse, call ``projects.actions``
or ``projects.selectors`` and render; an action's error is shown and nothing changes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.accounts.permissions import can_view_case
from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case
from minsheng.cases.views import _page, staff_required
from minsheng.directory.models import Area, Category
from minsheng.directory.selectors import unit_labels
from minsheng.projects import actions, rules, selectors
from minsheng.projects.errors import InvalidInput
from minsheng.projects.forms import (
    CompleteForm,
    FiguresForm,
    LinkCaseForm,
    MatchForm,
    MilestoneForm,
    NeedForm,
    ProjectForm,
    PublicForm,
    ReasonForm,
    ResourceForm,
    areas_for,
)
from minsheng.projects.models import (
    CaseLink,
    Milestone,
    Need,
    NeedStatus,
    Project,
    ProjectStatus,
    Resource,
    ResourceStatus,
)
from minsheng.projects.templatetags.minsheng_projects import yuan

# --- lists -----------------------------------------------------------------------------------

LISTS = {
    "projects": (gettext_lazy("Projects"), ProjectStatus.choices),
    "needs": (gettext_lazy("Needs"), NeedStatus.choices),
    "resources": (gettext_lazy("Resources"), ResourceStatus.choices),
}


def _area_filter(request: HttpRequest) -> tuple[Area | None, list[Area]]:
    """The area chosen in ``?area=`` if the user may read it, and the choices."""
    areas = areas_for(request.user, manage=False)
    wanted = request.GET.get("area") or ""
    chosen = next((a for a in areas if str(a.pk) == wanted), None)
    return chosen, areas


def _list(request: HttpRequest, which: str, qs_for: Callable) -> HttpResponse:
    title, statuses = LISTS[which]
    area, areas = _area_filter(request)
    status = request.GET.get("status") or ""
    if status not in dict(statuses):
        status = ""
    page = _page(
        request,
        qs_for(user=request.user, area=area, status=status),
        area=str(area.pk) if area else "",
        status=status,
    )
    return render(
        request,
        f"projects/{which}.html",
        {
            "nav": "projects",
            "which": which,
            "title": title,
            "page": page,
            "area": area,
            "areas": areas,
            "status": status,
            "statuses": statuses,
            "can_manage_any": bool(areas_for(request.user, manage=True)),
        },
    )


@staff_required
def project_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "projects", selectors.projects_for)


@staff_required
def need_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "needs", selectors.needs_for)


@staff_required
def resource_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "resources", selectors.resources_for)


# --- recording needs, resources and projects -------------------------------------------------


def _show_error(request: HttpRequest, form, exc: CaseError) -> int:  # type: ignore[no-untyped-def]
    """Put the action's refusal on the form; a refusal of the user (403) also goes to the
    page's messages, since the page then shows no form to hold it."""
    if exc.status_code == 404:
        raise Http404 from exc
    if exc.status_code == 403:
        messages.error(request, exc.message)
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return exc.status_code


def _ids(raw: str) -> list[int]:
    ids = []
    for part in raw.replace("，", ",").split(","):
        part = part.strip()
        if part.isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids


def _common_area(cases: list[Case]) -> Area | None:
    """The deepest area holding every case: where a need raised by them lies."""
    if not cases:
        return None
    parts = [c.area_path.strip("/").split("/") for c in cases]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return Area.objects.filter(pk=int(common[-1])).first() if common else None


def _need_initial(request: HttpRequest) -> tuple[dict, list[Case]]:
    """Pre-fill from ``?cases=12,15,18&area=<id>&category=<id>`` (the hot-spot links)."""
    ids = _ids(request.GET.get("cases") or "")
    found = Case.objects.select_related("area", "category", "current_unit").in_bulk(ids)
    cases = [found[i] for i in ids if i in found and can_view_case(request.user, found[i])]
    initial: dict = {}
    area = None
    if (request.GET.get("area") or "").isdigit():
        area = Area.objects.filter(pk=int(request.GET["area"])).first()
    area = area or _common_area(cases)
    category = None
    if (request.GET.get("category") or "").isdigit():
        category = Category.objects.filter(pk=int(request.GET["category"])).first()
    if category is None and cases and len({c.category_id for c in cases}) == 1:
        category = cases[0].category
    if area is not None:
        initial["area"] = area.pk
    if category is not None:
        initial["category"] = category.pk
    if cases:
        initial["cases"] = ", ".join(str(c.pk) for c in cases)
        if area is not None and category is not None:
            initial["title"] = _("%(category)s in %(area)s") % {
                "category": category.label,
                "area": area.name,
            }
        lines = [
            _("Raised by %(n)d cases between %(first)s and %(last)s:")
            % {
                "n": len(cases),
                "first": timezone.localdate(min(c.created_at for c in cases)).isoformat(),
                "last": timezone.localdate(max(c.created_at for c in cases)).isoformat(),
            }
        ]
        lines += [f"- {c.tracking_code} {c.title}" for c in cases]
        initial["description"] = "\n".join(lines)
    return initial, cases


@staff_required
def need_new(request: HttpRequest) -> HttpResponse:
    initial, cases = _need_initial(request)
    form = NeedForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                need = actions.record_need(
                    actor=request.user,
                    area=data["area"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    cases=form.case_ids(),
                )
            except CaseError as exc:
                status = _show_error(request, form, exc)
            else:
                messages.success(request, _("Need recorded."))
                return redirect("projects:need", pk=need.pk)
    return render(
        request,
        "projects/need_form.html",
        {
            "nav": "projects",
            "form": form,
            "cases": cases,
            "has_areas": len(form.fields["area"].choices) > 1,
        },
        status=status,
    )


@staff_required
def resource_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if (request.GET.get("area") or "").isdigit():
        initial["area"] = int(request.GET["area"])
    form = ResourceForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_resource(
                    actor=request.user,
                    sponsor_unit=data["sponsor_unit"],
                    area=data["area"],
                    title=data["title"],
                    amount=data["amount"],
                    description=data["description"],
                )
            except CaseError as exc:
                status = _show_error(request, form, exc)
            else:
                messages.success(request, _("Resource recorded."))
                return redirect(f"{reverse('projects:resources')}?status=available")
    return render(
        request,
        "projects/resource_form.html",
        {"nav": "projects", "form": form, "has_areas": len(form.fields["area"].choices) > 1},
        status=status,
    )


@staff_required
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = actions.create_project(
                    actor=request.user,
                    area=data["area"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    lead_unit=data["lead_unit"],
                    units=data["units"],
                    budget=data["budget"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
            except CaseError as exc:
                status = _show_error(request, form, exc)
            else:
                messages.success(request, _("Project created."))
                return redirect("projects:project", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"nav": "projects", "form": form, "has_areas": len(form.fields["area"].choices) > 1},
        status=status,
    )


# --- a need and its match --------------------------------------------------------------------


def _get_visible(model, request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    """The row if this user may read it; otherwise 404 so its existence does not leak."""
    obj = model.objects.select_related("area").filter(pk=pk).first()
    check = rules.can_view_resource if model is Resource else rules.can_view
    if obj is None or not check(request.user, obj.area_path):
        raise Http404
    return obj


def _render_need(
    request: HttpRequest, need: Need, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    resources = selectors.matching_resources(user=request.user, need=need)
    match_form = bound.get("match") or MatchForm(
        resources=resources, initial={"title": need.title}, auto_id="id_match_%s"
    )
    context = {
        "nav": "projects",
        "need": need,
        "cases": list(
            need.cases.select_related("area", "category", "current_unit").order_by("created_at")
        ),
        "resources": resources,
        "match_form": match_form,
        "close_form": bound.get("close") or ReasonForm(auto_id="id_close_%s"),
        "can_manage": rules.can_manage(request.user, need.area),
        "projects": list(need.projects.all()),
        "log": _log_rows(need.events.select_related("actor").order_by("-created_at", "-id")),
    }
    return render(request, "projects/need.html", context, status=status)


@staff_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_need(request, _get_visible(Need, request, pk))


@require_POST
@staff_required
def need_match(request: HttpRequest, pk: int) -> HttpResponse:
    need = _get_visible(Need, request, pk)
    resources = selectors.matching_resources(user=request.user, need=need)
    form = MatchForm(request.POST, resources=resources, auto_id="id_match_%s")
    if not form.is_valid():
        return _render_need(request, need, bound={"match": form}, status=400)
    data = form.cleaned_data
    try:
        project = actions.match_need_and_resource(
            actor=request.user,
            need=need,
            resource=data["resource"],
            title=data["title"],
            lead_unit=data["lead_unit"],
            budget=data["budget"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )
    except CaseError as exc:
        status = _show_error(request, form, exc)
        return _render_need(
            request, _get_visible(Need, request, pk), bound={"match": form}, status=status
        )
    messages.success(request, _("Project “%(title)s” created.") % {"title": project.title})
    return redirect("projects:project", pk=project.pk)


@require_POST
@staff_required
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    need = _get_visible(Need, request, pk)
    form = ReasonForm(request.POST, auto_id="id_close_%s")
    if form.is_valid():
        try:
            actions.close_need(actor=request.user, need=need, reason=form.cleaned_data["reason"])
        except CaseError as exc:
            status = _show_error(request, form, exc)
        else:
            messages.success(request, _("Need closed."))
            return redirect("projects:need", pk=need.pk)
    else:
        status = 400
    return _render_need(
        request, _get_visible(Need, request, pk), bound={"close": form}, status=status
    )


@require_POST
@staff_required
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _get_visible(Resource, request, pk)
    try:
        actions.withdraw_resource(
            actor=request.user, resource=resource, reason=request.POST.get("reason") or ""
        )
    except CaseError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Resource withdrawn."))
    return redirect(reverse("projects:resources"))


# --- the project page -----------------------------------------------------------------------

FIELD_LABELS = {
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "budget": gettext_lazy("budget (yuan)"),
    "spent": gettext_lazy("spent (yuan)"),
    "progress": gettext_lazy("progress (%)"),
    "status": gettext_lazy("status"),
    "start_date": gettext_lazy("planned start"),
    "end_date": gettext_lazy("planned end"),
    "units": gettext_lazy("units involved"),
}
STATUS_LABELS = {
    **dict(ProjectStatus.choices),
    **dict(NeedStatus.choices),
    **dict(ResourceStatus.choices),
}


def _log_rows(events) -> list[dict]:  # type: ignore[no-untyped-def]
    """Log entries with their changes spelt out: "progress (%): 40 → 60"."""
    events = list(events)
    unit_ids = {
        i
        for e in events
        for i in ((e.data.get("changes") or {}).get("units") or [[], []])[0]
        + ((e.data.get("changes") or {}).get("units") or [[], []])[1]
    }
    unit_names = unit_labels(unit_ids)
    rows = []
    for event in events:
        changes = []
        for name, (old, new) in (event.data.get("changes") or {}).items():
            if name == "units":
                old = pgettext("list separator", ", ").join(unit_names.get(i, str(i)) for i in old)
                new = pgettext("list separator", ", ").join(unit_names.get(i, str(i)) for i in new)
            elif name == "status":
                old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
            elif name in ("budget", "spent"):
                old, new = yuan(old), yuan(new)
            elif name == "description":
                old, new = "…", "…"
            changes.append(
                {
                    "label": FIELD_LABELS.get(name, name),
                    "old": "—" if old in (None, "") else old,
                    "new": "—" if new in (None, "") else new,
                }
            )
        rows.append({"event": event, "changes": changes})
    return rows


def _figures_initial(project: Project) -> dict:
    return {
        "status": project.status
        if project.status in (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS)
        else ProjectStatus.IN_PROGRESS,
        "progress": project.progress,
        "budget": project.budget,
        "spent": project.spent,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "units": list(project.units.values_list("id", flat=True)),
    }


def _render_project(
    request: HttpRequest, project: Project, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    links = list(
        project.case_links.select_related(
            "case", "case__area", "case__category", "case__current_unit"
        ).order_by("linked_at", "id")
    )
    live = [link for link in links if link.unlinked_at is None]
    for link in live:
        link.visible = can_view_case(request.user, link.case)
    milestones = list(project.milestones.all())
    today = timezone.localdate()
    for milestone in milestones:
        milestone.is_late = milestone.done_date is None and milestone.due_date < today
    # The share is told as it is (119 % when over budget); only the bar stops at full.
    spent_share = int(project.spent * 100 / project.budget) if project.budget else None
    context = {
        "nav": "projects",
        "project": project,
        "units": list(project.units.order_by("-level", "name")),
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done_date),
        "links": live,
        "past_links": [link for link in links if link.unlinked_at is not None],
        "spent_share": spent_share,
        "spent_bar": min(spent_share, 100) if spent_share is not None else None,
        # A budget of 0 is no budget in money (works in kind): nothing can be over it.
        "over_budget": bool(project.budget) and project.spent > project.budget,
        "can_manage": rules.can_manage_project(request.user, project) and not project.is_finished,
        "can_oversee": rules.can_oversee_project(request.user, project),
        "today": today,
        "open_milestones": [m for m in milestones if m.done_date is None],
        "figures_form": bound.get("figures")
        or FiguresForm(initial=_figures_initial(project), auto_id="id_fig_%s"),
        "milestone_form": bound.get("milestone") or MilestoneForm(auto_id="id_ms_%s"),
        "link_form": bound.get("link") or LinkCaseForm(auto_id="id_link_%s"),
        "complete_form": bound.get("complete")
        or CompleteForm(
            auto_id="id_done_%s", open_milestones=[m for m in milestones if m.done_date is None]
        ),
        "public_form": bound.get("public")
        or PublicForm(initial={"is_public": project.is_public}, auto_id="id_pub_%s"),
        "cancel_form": bound.get("cancel") or ReasonForm(auto_id="id_cancel_%s"),
        "open_form": next(iter(bound), ""),
        "log": _log_rows(selectors.project_log(project)),
    }
    return render(request, "projects/project.html", context, status=status)


def _project(request: HttpRequest, pk: int) -> Project:
    project = (
        Project.objects.select_related(
            "area", "category", "lead_unit", "need", "resource", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if project is None or not rules.can_view_project(request.user, project):
        raise Http404
    return project


@staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _project(request, pk))


def _project_post(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    form_class: type,
    perform: Callable[[User, Project, dict], object],
    done: str,
    prefix: str,
) -> HttpResponse:
    """Run one project form: on a bad form or a refused action, the page again with the
    form and its error; otherwise back to the page with a message."""
    project = _project(request, pk)
    form = form_class(request.POST, auto_id=f"id_{prefix}_%s")
    if not form.is_valid():
        return _render_project(request, project, bound={name: form}, status=400)
    try:
        perform(request.user, project, form.cleaned_data)
    except CaseError as exc:
        status = _show_error(request, form, exc)
        return _render_project(request, _project(request, pk), bound={name: form}, status=status)
    messages.success(request, done)
    return redirect("projects:project", pk=pk)


def _project_item_post(
    request: HttpRequest, project: Project, perform: Callable[[], object], *, done: str
) -> HttpResponse:
    """Act on one of a project's milestones or links (no form): a refusal shows the page
    again with the reason; otherwise back to the page with a message."""
    try:
        perform()
    except CaseError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return _render_project(request, project, status=exc.status_code)
    messages.success(request, done)
    return redirect("projects:project", pk=project.pk)


@require_POST
@staff_required
def project_figures(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_post(
        request,
        pk,
        name="figures",
        form_class=FiguresForm,
        prefix="fig",
        perform=lambda user, project, d: actions.update_project(
            actor=user,
            project=project,
            status=d["status"],
            progress=d["progress"],
            budget=d["budget"],
            spent=d["spent"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            units=d["units"],
            note=d["note"],
        ),
        done=_("Project figures saved."),
    )


@require_POST
@staff_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_post(
        request,
        pk,
        name="milestone",
        form_class=MilestoneForm,
        prefix="ms",
        perform=lambda user, project, d: actions.add_milestone(
            actor=user, project=project, title=d["title"], due_date=d["due_date"]
        ),
        done=_("Milestone added."),
    )


@require_POST
@staff_required
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise Http404
    return _project_item_post(
        request,
        _project(request, milestone.project_id),
        lambda: actions.complete_milestone(
            actor=request.user, milestone=milestone, done_date=request.POST.get("done_date")
        ),
        done=_("Milestone “%(title)s” marked done on %(date)s.")
        % {"title": milestone.title, "date": request.POST.get("done_date") or ""},
    )


@require_POST
@staff_required
def milestone_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise Http404
    return _project_item_post(
        request,
        _project(request, milestone.project_id),
        lambda: actions.reopen_milestone(
            actor=request.user, milestone=milestone, reason=request.POST.get("reason") or ""
        ),
        done=_("Milestone “%(title)s” is open again.") % {"title": milestone.title},
    )


@require_POST
@staff_required
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_post(
        request,
        pk,
        name="link",
        form_class=LinkCaseForm,
        prefix="link",
        perform=lambda user, project, d: actions.link_case(
            actor=user, project=project, case=d["case"], on_completion=d["on_completion"]
        ),
        done=_("Case linked."),
    )


@require_POST
@staff_required
def case_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    link = CaseLink.objects.filter(pk=pk).first()
    if link is None:
        raise Http404
    return _project_item_post(
        request,
        _project(request, link.project_id),
        lambda: actions.unlink_case(
            actor=request.user, link=link, reason=request.POST.get("reason") or ""
        ),
        done=_("Case unlinked."),
    )


def _completed_message(project: Project) -> str:
    """What completing did to the linked cases; cases that had already ended are counted
    apart, never as failures."""
    event = project.events.filter(kind="completed").order_by("-id").first()
    cases = (event.data.get("cases") if event else None) or {}
    counts = {k: len(cases.get(k, [])) for k in ("resolved", "noted", "not_resolved", "left")}
    return (
        _(
            "Project completed. Cases resolved: %(resolved)d; told of the completion: %(noted)d; "
            "already resolved or ended before, left as they were: %(left)d; "
            "could not be resolved (see their timelines): %(not_resolved)d."
        )
        % counts
    )


@require_POST
@staff_required
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = CompleteForm(
        request.POST, auto_id="id_done_%s", open_milestones=actions.open_milestones(project)
    )
    if not form.is_valid():
        return _render_project(request, project, bound={"complete": form}, status=400)
    try:
        actions.complete_project(
            actor=request.user,
            project=project,
            outcome=form.cleaned_data["outcome"],
            open_milestones_ok=form.cleaned_data["open_milestones_ok"],
        )
    except CaseError as exc:
        status = _show_error(request, form, exc)
        return _render_project(
            request, _project(request, pk), bound={"complete": form}, status=status
        )
    messages.success(request, _completed_message(project))
    return redirect("projects:project", pk=pk)


@require_POST
@staff_required
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_post(
        request,
        pk,
        name="cancel",
        form_class=ReasonForm,
        prefix="cancel",
        perform=lambda user, project, d: actions.cancel_project(
            actor=user, project=project, reason=d["reason"]
        ),
        done=_("Project cancelled."),
    )


@require_POST
@staff_required
def project_public(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_post(
        request,
        pk,
        name="public",
        form_class=PublicForm,
        prefix="pub",
        perform=lambda user, project, d: actions.set_project_public(
            actor=user, project=project, is_public=d["is_public"], reason=d["reason"]
        ),
        done=_("Saved: whether the project shows on the public board."),
    )


@require_POST
@staff_required
def link_from_case(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Link a case to a project from the staff case page; back to the case page."""
    case = Case.objects.filter(pk=case_pk).first()
    if case is None or not can_view_case(request.user, case):
        raise Http404
    project_id = request.POST.get("project") or ""
    on_completion = request.POST.get("on_completion") or ""
    try:
        if not project_id.isdigit():
            raise InvalidInput(_("Please choose a project."), field="project")
        project = _project(request, int(project_id))
        actions.link_case(
            actor=request.user, project=project, case=case, on_completion=on_completion
        )
    except CaseError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Case linked to the project “%(title)s”.") % {"title": project.title}
        )
    return redirect("staff:case", pk=case.pk)
