"""factory-boy factories for every model, and a small county to test against."""

from __future__ import annotations

from dataclasses import dataclass

import factory

from minsheng.accounts.models import Role, User
from minsheng.directory.models import Area, AreaKind, Category, Level, RoutingRule, Unit


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"地区{n}")
    code = factory.Sequence(lambda n: f"A{n:05d}")
    kind = AreaKind.VILLAGE


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    level = Level.VILLAGE

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.areas.set(extracted)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.HANDLER
    password = factory.PostGenerationMethodCall("set_password", "demo-pass-123")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.units.set(extracted)
        if create:
            self.save()


@dataclass
class County:
    """A county with two townships, a village in each, units at three levels and staff."""

    county: Area
    township: Area
    village: Area
    other_township: Area
    other_village: Area
    water: Category
    roads: Category
    county_unit: Unit
    township_unit: Unit
    village_unit: Unit
    other_village_unit: Unit
    operator: User
    handler: User
    township_handler: User
    county_handler: User
    other_handler: User
    supervisor: User
    other_supervisor: User
    admin: User


def make_county() -> County:
    county = AreaFactory(name="青河县", code="C1", kind=AreaKind.COUNTY)
    township = AreaFactory(name="东湖镇", code="T1", kind=AreaKind.TOWNSHIP, parent=county)
    village = AreaFactory(name="柳树村", code="V1", kind=AreaKind.VILLAGE, parent=township)
    other_township = AreaFactory(name="西山乡", code="T2", kind=AreaKind.TOWNSHIP, parent=county)
    other_village = AreaFactory(
        name="石门村", code="V2", kind=AreaKind.VILLAGE, parent=other_township
    )
    water = Category.objects.get(code="water")
    roads = Category.objects.get(code="roads")
    county_unit = UnitFactory(name="县水利局", level=Level.COUNTY, areas=[county])
    township_unit = UnitFactory(
        name="东湖镇政府", level=Level.TOWNSHIP, parent=county_unit, areas=[township]
    )
    village_unit = UnitFactory(
        name="柳树村委会", level=Level.VILLAGE, parent=township_unit, areas=[village]
    )
    other_township_unit = UnitFactory(
        name="西山乡政府", level=Level.TOWNSHIP, parent=county_unit, areas=[other_township]
    )
    other_village_unit = UnitFactory(
        name="石门村委会", level=Level.VILLAGE, parent=other_township_unit, areas=[other_village]
    )
    RoutingRule.objects.create(category=None, area=village, unit=village_unit)
    RoutingRule.objects.create(category=None, area=other_village, unit=other_village_unit)
    RoutingRule.objects.create(category=water, area=None, unit=county_unit)
    return County(
        county=county,
        township=township,
        village=village,
        other_township=other_township,
        other_village=other_village,
        water=water,
        roads=roads,
        county_unit=county_unit,
        township_unit=township_unit,
        village_unit=village_unit,
        other_village_unit=other_village_unit,
        operator=UserFactory(username="operator", role=Role.OPERATOR, scope_area=county),
        handler=UserFactory(username="handler", role=Role.HANDLER, units=[village_unit]),
        township_handler=UserFactory(username="township", units=[township_unit]),
        county_handler=UserFactory(username="countyh", units=[county_unit]),
        other_handler=UserFactory(username="other", units=[other_village_unit]),
        supervisor=UserFactory(username="supervisor", role=Role.SUPERVISOR, scope_area=township),
        other_supervisor=UserFactory(
            username="othersup", role=Role.SUPERVISOR, scope_area=other_township
        ),
        admin=UserFactory(
            username="admin", role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True
        ),
    )
