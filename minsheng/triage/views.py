"""The "Triage models" staff page and the suggestion endpoint the intake page asks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.accounts.models import Role
from minsheng.accounts.permissions import area_in_scope
from minsheng.cases.views import staff_required
from minsheng.directory.models import Area
from minsheng.triage import autodispatch, registry
from minsheng.triage.models import (
    ModelChange,
    ModelKind,
    Stage,
    SuggestionRecord,
    TriageModel,
    TriageSettings,
    Trigger,
)
from minsheng.triage.suggest import suggest
from minsheng.triage.tasks import pending_training, retrain_task
from minsheng.triage.training import RollbackError, activate_version, readiness

TEXT_LIMIT = 4000  # characters of a typed text worth suggesting from


@require_GET
@staff_required
def suggest_json(request: HttpRequest) -> JsonResponse:
    """Suggestions for a text being typed at intake: the panel's HTML and what to fill in."""
    title = (request.GET.get("title") or "")[:TEXT_LIMIT]
    description = (request.GET.get("description") or "")[:TEXT_LIMIT]
    area = None
    area_id = request.GET.get("area") or ""
    if area_id.isdigit():
        area = Area.objects.filter(pk=int(area_id)).first()
        # Only areas this user may record for: units elsewhere are not their business.
        if area is not None and not _may_record_for(request.user, area):
            area = None
    result = suggest(title=title, description=description, area=area)
    html = render_to_string(
        "triage/_suggestions.html", {"s": result, "stage": "intake"}, request=request
    )
    preselect = result.preselect_category
    return JsonResponse(
        {
            "html": html,
            "category": preselect.pk if preselect else None,
            "confident": result.confident,
            "mode": result.mode,
            **{k: v for k, v in result.as_record().items() if k in ("categories", "units")},
        }
    )


def _may_record_for(user, area: Area) -> bool:  # type: ignore[no-untyped-def]
    """The areas the intake form offers this user: their scope, or their units' areas."""
    return area_in_scope(user, area) or any(
        area.path.startswith(covered.path)
        for unit in user.units.prefetch_related("areas")
        for covered in unit.areas.all()
    )


def _may_view(user) -> bool:  # type: ignore[no-untyped-def]
    return user.is_administrator or user.role == Role.SUPERVISOR


@staff_required
def models_page(request: HttpRequest) -> HttpResponse:
    """Active version per kind, its figures, the history, how often operators followed."""
    if not _may_view(request.user):
        raise PermissionDenied
    kinds = []
    for kind, label in ModelKind.choices:
        versions = list(
            TriageModel.objects.filter(kind=kind)
            .defer("data")
            .select_related("trained_by")
            .order_by("-version")
        )
        stage = Stage.INTAKE if kind == ModelKind.CATEGORY else Stage.DISPATCH
        field = "category_model" if kind == ModelKind.CATEGORY else "unit_model"
        followed = {
            row[field]: row
            for row in SuggestionRecord.objects.filter(stage=stage, **{f"{field}__isnull": False})
            .order_by()
            .values(field)
            .annotate(
                n=Count("pk"),
                yes=Count("pk", filter=Q(followed=True)),
            )
        }
        for row in versions:
            stats = followed.get(row.pk)
            row.followed_n = stats["n"] if stats else 0
            row.followed_share = round(100 * stats["yes"] / stats["n"]) if stats else None
        ready = readiness(kind=kind)
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "active": next((v for v in versions if v.is_active), None),
                "versions": versions,
                "ready": ready,
                "ready_count": len(ready.ready_labels),
                "labelled": sum(ready.counts.values()),
            }
        )
    keyword_records = SuggestionRecord.objects.filter(stage=Stage.INTAKE, mode="keywords")
    context = {
        "nav": "triage_models",
        "kinds": kinds,
        "learned": kinds[0]["active"] is not None,
        "keyword_followed": keyword_records.filter(followed=True).count(),
        "keyword_total": keyword_records.count(),
        "changes": ModelChange.objects.select_related("actor", "model")[:30],
        "triage_settings": TriageSettings.current(),
        "auto_account": autodispatch.account(),
        # Automatic dispatch needs both learned models; the switch says when it cannot act.
        "auto_possible": all(k["active"] is not None for k in kinds),
        "target_precision": f"{settings.MINSHENG_TRIAGE_TARGET_PRECISION * 100:g}%",
        "can_change": request.user.is_administrator,
        "min_examples": kinds[0]["ready"].min_examples,
        "min_labels": kinds[0]["ready"].min_labels,
        "pending": pending_training(),
    }
    return render(request, "triage/models.html", context)


def _require_admin(request: HttpRequest) -> None:
    if not request.user.is_administrator:
        raise PermissionDenied


@require_POST
@staff_required
def train_now(request: HttpRequest) -> HttpResponse:
    """Queue a retraining; the worker runs it (immediately with the immediate backend)."""
    _require_admin(request)
    kind = request.POST.get("kind") or ""
    kinds = [kind] if kind in ModelKind.values else None
    retrain_task.enqueue(kinds, request.user.pk, Trigger.PAGE)
    messages.success(
        request,
        _("Training has started. New versions appear here when it is done (reload the page)."),
    )
    return redirect("triage_models:index")


@require_POST
@staff_required
def activate(request: HttpRequest, kind: str, version: int) -> HttpResponse:
    """Make a stored version active again (roll back, or take a kept version)."""
    _require_admin(request)
    try:
        row = activate_version(kind, version, actor=request.user, trigger=Trigger.PAGE)
    except RollbackError as error:
        messages.error(request, str(error))
    else:
        registry.active_model(row.kind)  # load it now, not on the next operator's page
        messages.success(
            request,
            _("Version %(version)s of the %(kind)s model is active.")
            % {"version": row.version, "kind": row.get_kind_display()},
        )
    return redirect("triage_models:index")


@require_POST
@staff_required
def set_auto_dispatch(request: HttpRequest) -> HttpResponse:
    """Turn "dispatch automatically when sure" on or off (administrators; logged)."""
    _require_admin(request)
    choice = request.POST.get("auto_dispatch")
    if choice not in ("on", "off"):
        return redirect("triage_models:index")
    on = choice == "on"
    if autodispatch.set_enabled(on, actor=request.user, trigger=Trigger.PAGE):
        messages.success(
            request,
            _("Automatic dispatch is on: new cases the models are sure of go to their unit.")
            if on
            else _("Automatic dispatch is off: operators dispatch every case."),
        )
    return redirect("triage_models:index")
