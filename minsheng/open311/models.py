"""Open311 GeoReport v2: partner API keys, service attributes, area boundaries.

Categories are the services; cases are the service requests. This app adds only what the
specification needs beyond the core: the extra questions a service asks (attributes) and
the answers given, who may post (API keys), and where an area lies (boundary polygons).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "o311_"
ATTRIBUTE_CODE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


class ApiKey(models.Model):
    """A partner system's key. Only a hash is stored; the key is shown once when issued."""

    name = models.CharField(_("partner"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as staff user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        help_text=_(
            "Partner systems that handle cases post updates as this staff user. "
            "Leave empty for apps that only report problems."
        ),
    )
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("acts for unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        help_text=_("If set, updates are accepted only for cases this unit holds."),
    )
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"), default=60, help_text=_("Calls above this are refused (429).")
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Fixed one-minute window for the rate limit; only open311.actions.count_call writes it.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw_key() -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)

    def set_key(self, raw: str) -> None:
        self.prefix = raw[:10]
        self.digest = self.hash(raw)

    @classmethod
    def issue(cls, *, name: str, **fields) -> tuple[ApiKey, str]:  # type: ignore[no-untyped-def]
        """A new key and its raw value, which is never stored and cannot be shown again."""
        raw = cls.new_raw_key()
        key = cls(name=name, **fields)
        key.set_key(raw)
        key.save()
        return key, raw

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ServiceProfile(models.Model):
    """What Open311 says about a category beyond the category itself."""

    category = models.OneToOneField(
        "directory.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="open311_profile",
    )
    group = models.CharField(
        _("group"),
        max_length=60,
        blank=True,
        help_text=_("Clusters services in Open311 clients, for example “infrastructure”."),
    )

    class Meta:
        verbose_name = _("Open311 service profile")
        verbose_name_plural = _("Open311 service profiles")

    def __str__(self) -> str:
        return str(self.category)


class Datatype(models.TextChoices):
    STRING = "string", _("short text")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("long text")
    SINGLEVALUELIST = "singlevaluelist", _("choose one")
    MULTIVALUELIST = "multivaluelist", _("choose several")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """An extra question a service asks (the service definition's attribute)."""

    category = models.ForeignKey(
        "directory.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="open311_attributes",
    )
    code = models.CharField(_("code"), max_length=64)
    datatype = models.CharField(_("type"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    # False: the attribute only shows information; nothing is asked.
    variable = models.BooleanField(_("asks for input"), default=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, validators=[MinValueValidator(1)]
    )
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("hint"), max_length=300, blank=True)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For list types: [{"key": "k1", "name": "Label 1"}, …]'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    @property
    def value_keys(self) -> list[str]:
        return [str(v.get("key")) for v in self.values or [] if isinstance(v, dict)]

    def clean(self) -> None:
        if not ATTRIBUTE_CODE_RE.match(self.code or ""):
            raise ValidationError({"code": _("Use letters, digits, “_” or “-” only (at most 64).")})
        values = self.values or []
        if self.datatype in LIST_DATATYPES:
            if not isinstance(values, list) or not values:
                raise ValidationError({"values": _("A list type needs at least one choice.")})
            keys = []
            for value in values:
                if not isinstance(value, dict) or not str(value.get("key", "")).strip():
                    raise ValidationError({"values": _('Each choice needs a "key" and a "name".')})
                if not str(value.get("name", "")).strip():
                    raise ValidationError({"values": _('Each choice needs a "key" and a "name".')})
                keys.append(str(value["key"]))
            if len(keys) != len(set(keys)):
                raise ValidationError({"values": _("Choice keys must be unique.")})
        elif values:
            raise ValidationError({"values": _("Only list types have choices.")})


class CaseAttributeValue(models.Model):
    """The answer a request gave to one attribute; always a list of strings."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="open311_attribute_values"
    )
    attribute = models.ForeignKey(ServiceAttribute, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(default=list)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.UniqueConstraint(fields=["case", "attribute"], name="open311_case_attribute")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.attribute_id}"


class Submission(models.Model):
    """Which partner key brought a case in."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="open311_submission"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return f"{self.case_id} via {self.api_key_id}"


class PartnerUpdate(models.Model):
    """An update a partner posted, by the partner's own update id: a repeat is not re-applied."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="updates")
    external_id = models.CharField(max_length=100)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("cases.Event", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner update")
        verbose_name_plural = _("partner updates")
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "external_id"], name="open311_partner_update_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.external_id}"


def normalize_rings(value: object) -> list[list[list[float]]]:
    """Rings of [lon, lat] from a list of rings, a GeoJSON Polygon or MultiPolygon.

    Raises ValueError with a message fit for the admin when the shape is not usable.
    """
    if isinstance(value, dict):
        kind = value.get("type")
        coords = value.get("coordinates")
        if kind == "Polygon":
            value = coords
        elif kind == "MultiPolygon" and isinstance(coords, list):
            value = [ring for polygon in coords for ring in (polygon or [])]
        else:
            raise ValueError(_("Give a list of rings, a GeoJSON Polygon or a MultiPolygon."))
    if not isinstance(value, list) or not value:
        raise ValueError(_("Give at least one ring of [longitude, latitude] points."))
    rings: list[list[list[float]]] = []
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 3:
            raise ValueError(_("Each ring needs at least three points."))
        points: list[list[float]] = []
        for point in ring:
            if not isinstance(point, (list, tuple)) or len(point) < 2:
                raise ValueError(_("Each point is [longitude, latitude]."))
            try:
                lon, lat = float(point[0]), float(point[1])
            except (TypeError, ValueError) as exc:
                raise ValueError(_("Each point is [longitude, latitude].")) from exc
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError(_("Each point is [longitude, latitude]."))
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(_("A point lies outside the range of longitude and latitude."))
            points.append([lon, lat])
        rings.append(points)
    return rings


def point_in_rings(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    """Even-odd rule over all rings: holes and several separate parts both work."""
    inside = False
    for ring in rings:
        n = len(ring)
        j = n - 1
        for i in range(n):
            xi, yi = ring[i][0], ring[i][1]
            xj, yj = ring[j][0], ring[j][1]
            if (yi > lat) != (yj > lat):
                x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
                if lon < x_cross:
                    inside = not inside
            j = i
    return inside


class AreaBoundary(models.Model):
    """The outline of an area, so a reported point finds its village.

    The bounding box columns let the database pick candidates; the exact test runs in Python.
    """

    area = models.OneToOneField(
        "directory.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="boundary",
    )
    polygon = models.JSONField(
        _("boundary"),
        help_text=_(
            "Rings of [longitude, latitude] points: [[[lon, lat], …]], or a GeoJSON Polygon "
            "or MultiPolygon."
        ),
    )
    min_lon = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")
        indexes = [
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="boundary_bbox")
        ]

    def __str__(self) -> str:
        return str(self.area)

    def save(self, *args, **kwargs) -> None:
        self.polygon = normalize_rings(self.polygon)
        lons = [p[0] for ring in self.polygon for p in ring]
        lats = [p[1] for ring in self.polygon for p in ring]
        self.min_lon, self.max_lon = min(lons), max(lons)
        self.min_lat, self.max_lat = min(lats), max(lats)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.polygon = normalize_rings(self.polygon)
        except ValueError as exc:
            raise ValidationError({"polygon": str(exc)}) from exc

    def contains(self, *, lon: float, lat: float) -> bool:
        if not (self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat):
            return False
        return point_in_rings(lon, lat, self.polygon)
