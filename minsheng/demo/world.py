"""Reference data of the demo county: areas, units, routing rules and staff accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from minsheng.accounts.models import Role, User
from minsheng.demo import geography as geo
from minsheng.directory.models import Area, AreaKind, Category, Level, RoutingRule, Unit
from minsheng.directory.selectors import route_case

# One password for every demo account, printed at the end of `manage.py demo`. It passes
# the configured validators (checked below) and is public: never load the demo on a
# server that holds real cases.
DEMO_PASSWORD = "minsheng-demo"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    where: str  # the unit or the scope area, as printed in the accounts table
    display_name: str


@dataclass
class PlaceInfo:
    """One village or community, with what the generator needs about it."""

    area: Area
    place: geo.Place
    township: geo.Township
    grids: list[Area]
    committee: Unit
    point: tuple[float, float]


@dataclass
class World:
    county: Area
    townships: dict[str, Area] = field(default_factory=dict)
    places: list[PlaceInfo] = field(default_factory=list)
    top: Unit | None = None
    departments: dict[str, Unit] = field(default_factory=dict)
    dept_for_category: dict[str, Unit] = field(default_factory=dict)
    township_offices: dict[str, Unit] = field(default_factory=dict)
    judicial_offices: dict[str, Unit] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    units_by_id: dict[int, Unit] = field(default_factory=dict)
    handler_for_unit: dict[int, User] = field(default_factory=dict)
    operator: User | None = None
    supervisor: User | None = None
    township_supervisor: User | None = None
    township_supervisor_area: Area | None = None
    admin: User | None = None
    accounts: list[Account] = field(default_factory=list)
    _routes: dict[tuple[int, int], Unit | None] = field(default_factory=dict)

    def department_for(self, category: Category, info: PlaceInfo) -> Unit | None:
        """The county department answerable for a category at a place, if any."""
        if category.code == "energy" and info.place.kind == "community":
            return self.departments["housing"]  # heating and gas in towns: 住建局
        return self.dept_for_category.get(category.code)

    def proposal(self, category: Category, area: Area) -> Unit | None:
        """route_case, remembered: reference data does not change while the demo loads."""
        key = (category.pk, area.pk)
        if key not in self._routes:
            self._routes[key] = route_case(category=category, area=area)
        return self._routes[key]


def _area(name: str, en: str, uly: str, code: str, kind: str, parent: Area | None) -> Area:
    return Area.objects.create(
        name=name,
        name_en=en,
        name_ug=geo.uly_to_arabic(uly) if uly else "",
        code=code,
        kind=kind,
        parent=parent,
    )


# English and Uyghur names of the county bodies, which residents see on their case page.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "top": ("County Government Office (12345 hotline)",
            "ناھىيەلىك ھۆكۈمەت ئىشخانىسى (12345 قايناق لىنىيە)"),
    "water": ("County Water Resources Bureau", "ناھىيەلىك سۇ ئىشلىرى ئىدارىسى"),
    "transport": ("County Transport Bureau", "ناھىيەلىك قاتناش ئىدارىسى"),
    "health": ("County Health Commission", "ناھىيەلىك سەھىيە كومىتېتى"),
    "education": ("County Education Bureau", "ناھىيەلىك مائارىپ ئىدارىسى"),
    "housing": ("County Housing and Construction Bureau",
                "ناھىيەلىك تۇرالغۇ ۋە شەھەر-يېزا قۇرۇلۇش ئىدارىسى"),
    "power": ("County Power Supply Company", "ناھىيەلىك توك تەمىنلەش شىركىتى"),
    "ecology": ("County Ecology and Environment Bureau", "ناھىيەلىك ئېكولوگىيە-مۇھىت ئىدارىسى"),
    "hr": ("County Human Resources and Social Security Bureau",
           "ناھىيەلىك ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت ئىدارىسى"),
    "agriculture": ("County Agriculture Bureau", "ناھىيەلىك يېزا ئىگىلىك ئىدارىسى"),
    "emergency": ("County Emergency Management Bureau",
                  "ناھىيەلىك جىددىي ئىشلارنى باشقۇرۇش ئىدارىسى"),
    "justice": ("County Justice Bureau", "ناھىيەلىك ئەدلىيە ئىدارىسى"),
}  # fmt: skip


def _unit(name: str, code: str, level: int, parent: Unit | None, areas: list[Area],
          phone: str = "", names: tuple[str, str] = ("", "")) -> Unit:  # fmt: skip
    unit = Unit.objects.create(
        name=name, code=code, level=level, parent=parent, phone=phone,
        name_en=names[0], name_ug=names[1],
    )  # fmt: skip
    unit.areas.set(areas)
    return unit


def build_world(rng: random.Random) -> World:
    """Create the county's areas, units, routing rules and staff; return handles to them."""
    county = _area(geo.COUNTY["name"], geo.COUNTY["name_en"], geo.COUNTY["uly"],
                   geo.COUNTY["code"], AreaKind.COUNTY, None)  # fmt: skip
    world = World(county=county)
    world.categories = {c.code: c for c in Category.objects.all()}

    # Units at the county level: the hotline office tops every ladder.
    world.top = _unit(geo.TOP_OFFICE.name, "CY-GOV", Level.COUNTY, None, [county],
                      geo.TOP_OFFICE.phone, UNIT_NAMES["top"])  # fmt: skip
    for dept in geo.DEPARTMENTS:
        unit = _unit(dept.name, f"CY-D-{dept.key}", Level.COUNTY, world.top, [county], dept.phone,
                     UNIT_NAMES.get(dept.key, ("", "")))  # fmt: skip
        world.departments[dept.key] = unit
        for code in dept.categories:
            world.dept_for_category[code] = unit

    for ti, town in enumerate(geo.TOWNSHIPS):
        t_area = _area(town.name, town.en, town.uly, f"CY-{town.login}", AreaKind.TOWNSHIP, county)
        world.townships[town.login] = t_area
        office = _unit(town.office_name, f"CY-T-{town.login}", Level.TOWNSHIP, world.top,
                       [t_area], f"60130{ti + 1:02d}",
                       (f"{town.en} Office", f"{t_area.name_ug} ئىشخانىسى"))  # fmt: skip
        world.township_offices[town.login] = office
        if town.has_judicial_office:
            world.judicial_offices[town.login] = _unit(
                f"{town.name}司法所", f"CY-J-{town.login}", Level.TOWNSHIP,
                world.departments["justice"], [t_area], "",
                (f"{town.en} Judicial Office", f"{t_area.name_ug} ئەدلىيە ئورنى"),
            )  # fmt: skip
        for place in town.places:
            kind = AreaKind.COMMUNITY if place.kind == "community" else AreaKind.VILLAGE
            p_area = _area(place.name, place.en, place.uly, f"CY-{town.login}-{place.login}",
                           kind, t_area)  # fmt: skip
            short_en = place.en.rsplit(" ", 1)[0]
            grids = [
                _area(
                    f"{place.name}第{geo.GRID_NUMERALS[g]}网格",
                    f"{short_en} Grid {g + 1}",
                    "",
                    f"CY-{town.login}-{place.login}-g{g + 1}",
                    AreaKind.GRID,
                    p_area,
                )
                for g in range(rng.randint(2, 4))
            ]
            for g, grid in enumerate(grids, start=1):
                grid.name_ug = f"{p_area.name_ug} {g}-تور"
                grid.save(update_fields=["name_ug"])
            committee_name = (
                f"{place.name}居民委员会"
                if place.kind == "community"
                else f"{place.name}村民委员会"
            )
            committee_names = (
                (f"{place.en} Residents' Committee", f"{p_area.name_ug} ئاھالىلەر كومىتېتى")
                if place.kind == "community"
                else (f"{place.en} Villagers' Committee", f"{p_area.name_ug} كەنت كومىتېتى")
            )
            committee = _unit(
                committee_name,
                f"CY-V-{place.login}",
                Level.VILLAGE,
                office,
                [p_area],
                "",
                committee_names,
            )
            point = (
                geo.CENTRE[0] + town.offset[0] + rng.uniform(-0.035, 0.035),
                geo.CENTRE[1] + town.offset[1] + rng.uniform(-0.045, 0.045),
            )
            world.places.append(PlaceInfo(p_area, place, town, grids, committee, point))

    for unit in Unit.objects.all():
        world.units_by_id[unit.pk] = unit
    _routing_rules(world)
    _accounts(world, rng)
    return world


def _routing_rules(world: World) -> None:
    """Who gets what: the committee by default, and where a service is run elsewhere, there.

    A rule on a deeper area beats one on an ancestor, so category rules that must beat a
    village's catch-all are written for each village, as a real routing table would be.
    """
    cat, dept = world.categories, world.departments
    rules = [RoutingRule(category=None, area=world.county, unit=world.top)]
    for login, t_area in world.townships.items():
        rules.append(RoutingRule(category=None, area=t_area, unit=world.township_offices[login]))
    for info in world.places:
        town, area = info.township, info.area
        urban = town.kind == "street"
        community = info.place.kind == "community"
        per_category = {
            "health": dept["health"],
            "education": dept["education"],
            "employment": dept["hr"],
            "disaster": dept["emergency"],
            # Electricity in the villages, heating and gas (regulated by 住建局) in towns.
            "energy": dept["housing"] if community else dept["power"],
        }
        if (urban and community) or town.login == "shiqiao":
            per_category["water"] = dept["water"]  # the county waterworks serves these
        if urban and community:
            per_category["roads"] = dept["housing"]  # municipal roads and street lights
        elif town.login == "shiqiao":
            per_category["roads"] = dept["transport"]  # the provincial road through 石桥镇
        if not community:
            per_category["agriculture"] = world.township_offices[town.login]
        if town.has_judicial_office and not community:
            per_category["disputes"] = world.judicial_offices[town.login]
        if town.login == "chengguan":
            per_category["environment"] = world.township_offices["chengguan"]
        rules.append(RoutingRule(category=None, area=area, unit=info.committee))
        rules += [
            RoutingRule(category=cat[code], area=area, unit=unit)
            for code, unit in per_category.items()
        ]
    RoutingRule.objects.bulk_create(rules)


def _person(rng: random.Random, used: set[str], uyghur: bool = False) -> str:
    for _ in range(100):
        if uyghur:
            name = (
                rng.choice(geo.UYGHUR_STAFF_NAMES)
                + "·"
                + rng.choice(["吐尔逊", "艾买提", "阿不都", "买买提", "热合曼", "依明"])
            )
        else:
            name = rng.choice(geo.SURNAMES) + rng.choice(geo.GIVEN_NAMES)
        if name not in used:
            used.add(name)
            return name
    return name


def _accounts(world: World, rng: random.Random) -> None:
    validate_password(DEMO_PASSWORD)
    # Hash once: PBKDF2 at full strength costs ~0.3 s and there are ~80 accounts.
    hashed = make_password(DEMO_PASSWORD)
    used: set[str] = set()
    memberships: list[tuple[User, Unit]] = []

    def add(username: str, role: str, where: str, *, unit: Unit | None = None,
            scope: Area | None = None, uyghur: bool = False, **extra) -> User:  # fmt: skip
        user = User.objects.create(
            username=username,
            password=hashed,
            role=role,
            scope_area=scope,
            display_name=extra.pop("display_name", None) or _person(rng, used, uyghur),
            **extra,
        )
        if unit is not None:
            memberships.append((user, unit))
            world.handler_for_unit[unit.pk] = user
        world.accounts.append(Account(username, role, where, user.display_name))
        return user

    county_name = world.county.name
    world.admin = add("admin", Role.ADMINISTRATOR, "—", is_superuser=True, is_staff=True,
                      display_name="系统管理员")  # fmt: skip
    world.operator = add(
        "operator", Role.OPERATOR, f"{county_name}（12345热线）", scope=world.county
    )
    world.supervisor = add("supervisor", Role.SUPERVISOR, county_name, scope=world.county)
    donghu = world.townships["donghu"]
    world.township_supervisor = add("donghu-sup", Role.SUPERVISOR, donghu.name, scope=donghu)
    world.township_supervisor_area = donghu
    add(geo.TOP_OFFICE.login, Role.HANDLER, world.top.name, unit=world.top)
    for dept in geo.DEPARTMENTS:
        unit = world.departments[dept.key]
        add(dept.login, Role.HANDLER, unit.name, unit=unit)
    for town in geo.TOWNSHIPS:
        office = world.township_offices[town.login]
        add(town.login, Role.HANDLER, office.name, unit=office)
        if town.login in world.judicial_offices:
            judicial = world.judicial_offices[town.login]
            add(f"{town.login}-sfs", Role.HANDLER, judicial.name, unit=judicial)
    for info in world.places:
        add(info.place.login, Role.HANDLER, info.committee.name, unit=info.committee,
            uyghur=info.township.login == "baiyang")  # fmt: skip
    User.units.through.objects.bulk_create(
        [User.units.through(user_id=user.pk, unit_id=unit.pk) for user, unit in memberships]
    )
