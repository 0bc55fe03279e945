"""Category and unit suggestions for one case text: what intake, dispatch and the
record of operators' choices all ask.

The category comes from the active learned model, or — on a fresh installation — from the
administrators' keywords (never confident). The unit comes from the active unit model;
without one it is the routing rule for each suggested category in the case's area, as sure
as the category is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case
from minsheng.directory.models import Area, Category, Unit
from minsheng.directory.selectors import route_case
from minsheng.triage import registry
from minsheng.triage.keywords import keyword_suggestion
from minsheng.triage.models import ModelKind, SuggestionRecord
from minsheng.triage.training import area_name, case_text, unit_text

LEARNED = "learned"
KEYWORDS = "keywords"
MODES = {LEARNED: _("learned from this installation's cases"), KEYWORDS: _("category keywords")}


@dataclass(frozen=True)
class Option:
    code: str
    probability: float
    obj: Category | Unit

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


@dataclass
class TriageSuggestion:
    mode: str
    categories: list[Option] = field(default_factory=list)
    confident: bool = False
    words: list[str] = field(default_factory=list)
    units: list[Option] = field(default_factory=list)
    unit_confident: bool = False
    unit_source: str = ""  # "model" or "routing"
    unit_words: list[str] = field(default_factory=list)
    category_model_id: int | None = None
    category_version: int | None = None
    unit_model_id: int | None = None
    unit_version: int | None = None

    @property
    def preselect_category(self) -> Category | None:
        """The category a form may fill in by itself: only a confident top suggestion."""
        return self.categories[0].obj if self.confident and self.categories else None  # type: ignore[return-value]

    @property
    def preselect_unit(self) -> Unit | None:
        return self.units[0].obj if self.unit_confident and self.units else None  # type: ignore[return-value]

    def as_record(self) -> dict:
        return {
            "mode": self.mode,
            "categories": [[o.code, round(o.probability, 4)] for o in self.categories],
            "units": [[o.code, round(o.probability, 4)] for o in self.units],
            "confident": self.confident,
            "unit_confident": self.unit_confident,
            "category_model_id": self.category_model_id,
            "unit_model_id": self.unit_model_id,
        }


def suggest(*, title: str, description: str, area: Area | None, k: int = 3) -> TriageSuggestion:
    """Top `k` categories and units for a case text (and its area, if known)."""
    text = case_text(title, description)
    models = registry.active_models()
    learned = models.get(ModelKind.CATEGORY)
    if learned is not None:
        raw = learned.model.suggest(text, k=k, explain=5)
        result = TriageSuggestion(
            mode=LEARNED, category_model_id=learned.pk, category_version=learned.version
        )
    else:
        raw = keyword_suggestion(text, k=k)
        result = TriageSuggestion(mode=KEYWORDS)
    if not text:
        return result
    by_code = Category.objects.filter(is_active=True).in_bulk(
        [code for code, _p in raw.categories], field_name="code"
    )
    result.categories = [
        Option(code, p, by_code[code]) for code, p in raw.categories if code in by_code
    ]
    # A confident best category that is no longer active cannot be filled in.
    result.confident = (
        raw.confident
        and bool(result.categories)
        and (result.categories[0].code == raw.categories[0][0])
    )
    result.words = raw.words
    if area is not None:
        _suggest_units(
            result, models.get(ModelKind.UNIT), title=title, description=description, area=area, k=k
        )
    return result


def _suggest_units(
    result: TriageSuggestion,
    learned: registry.ActiveModel | None,
    *,
    title: str,
    description: str,
    area: Area,
    k: int,
) -> None:
    if learned is not None:
        raw = learned.model.suggest(unit_text(area_name(area), title, description), k=k)
        by_code = Unit.objects.filter(is_active=True).in_bulk(
            [code for code, _p in raw.categories], field_name="code"
        )
        result.units = [Option(c, p, by_code[c]) for c, p in raw.categories if c in by_code]
        result.unit_confident = (
            raw.confident and bool(result.units) and (result.units[0].code == raw.categories[0][0])
        )
        result.unit_words = raw.words
        result.unit_source = "model"
        result.unit_model_id, result.unit_version = learned.pk, learned.version
        return
    # No unit model yet: the routing rule of each suggested category, as sure as it is.
    shares: dict[int, float] = {}
    units: dict[int, Unit] = {}
    for option in result.categories:
        unit = route_case(category=option.obj, area=area)  # type: ignore[arg-type]
        if unit is not None:
            units[unit.pk] = unit
            shares[unit.pk] = shares.get(unit.pk, 0.0) + option.probability
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    result.units = [Option(units[pk].code, p, units[pk]) for pk, p in ranked]
    first = result.categories[0].obj if result.categories else None
    result.unit_confident = (
        result.confident
        and bool(result.units)
        and route_case(category=first, area=area) == result.units[0].obj  # type: ignore[arg-type]
    )
    result.unit_source = "routing"


def save_record(
    case: Case,
    result: TriageSuggestion,
    *,
    stage: str,
    unit_id: int | None,
    followed: bool | None,
    created_at: dt.datetime | None = None,
) -> SuggestionRecord:
    """What was suggested for ``case`` at ``stage`` and what the operator (or the
    automatic dispatch) chose: the follow rate per model version is read from these."""
    record = result.as_record()
    fields = {
        "case": case,
        "stage": stage,
        "category_model_id": record["category_model_id"],
        "unit_model_id": record["unit_model_id"],
        "mode": record["mode"],
        "categories": record["categories"],
        "units": record["units"],
        "confident": record["confident"],
        "unit_confident": record["unit_confident"],
        "chosen_category": case.category,
        "chosen_unit_id": unit_id,
        "followed": followed,
    }
    if created_at is not None:
        fields["created_at"] = created_at
    return SuggestionRecord.objects.create(**fields)
