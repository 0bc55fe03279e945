"""Every MINSHENG_* number and choice and DATABASE_URL, checked before Django starts.

A mistyped variable must give the administrator one line saying which variable, what is
wrong with it and an example — in their language — and exit status 2, not a traceback
from inside the settings module. The messages are in Django's catalogue (marked with
gettext_noop) but read with the standard library's gettext: Django's own translation
machinery needs the very settings that could not be loaded.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
import re
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue (makemessages looks for this name); Django's own
    gettext_noop would load the settings this module checks first."""
    return message


LOCALE_DIR = Path(__file__).resolve().parent / "locale"
EXIT_STATUS = 2

LINE = gettext_noop("minsheng: %(name)s=%(value)s %(problem)s. For example: %(name)s=%(example)s")
NOT_A_WHOLE_NUMBER = gettext_noop("is not a whole number")
NOT_A_NUMBER = gettext_noop("is not a number")
AT_LEAST = gettext_noop("must be at least %(min)s")
BETWEEN = gettext_noop("must lie between %(min)s and %(max)s")
ONE_OF = gettext_noop("must be one of: %(choices)s")
NOT_A_TIME_ZONE = gettext_noop("is not a time zone name")
NOT_A_WEB_ADDRESS = gettext_noop("is not a web address starting with http:// or https://")
NOT_A_DATABASE = gettext_noop(
    "is not a database address minsheng can use (PostgreSQL or SQLite): %(reason)s"
)
CANNOT_CONNECT = gettext_noop("names a database that cannot be reached: %(reason)s")
NO_DATA_DIR = gettext_noop("cannot be created or written: %(reason)s")
SWITCH_WORDS = ("1", "0", "true", "false", "yes", "no", "on", "off")


@dataclass(frozen=True)
class Problem:
    name: str
    value: str
    problem: str  # an untranslated message from above
    args: dict
    example: str


def administrator_language() -> str:
    """The language of the shell that runs the command; Chinese, the site's own, unless it
    asks for English or Uyghur (C and POSIX locales name no language)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(":")[0].lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("ug"):
            return "ug"
        if value.startswith("zh"):
            return "zh_Hans"
    return "zh_Hans"


def translate(message: str, language: str | None = None) -> str:
    translation = stdlib_gettext.translation(
        "django",
        localedir=LOCALE_DIR,
        languages=[language or administrator_language()],
        fallback=True,
    )
    return translation.gettext(message)


def describe(problem: Problem, language: str | None = None) -> str:
    say = (
        translate(problem.problem, language) % problem.args
        if problem.args
        else translate(problem.problem, language)
    )
    return translate(LINE, language) % {
        "name": problem.name,
        "value": problem.value,
        "problem": say,
        "example": problem.example,
    }


def _number(
    name: str,
    *,
    kind: Callable[[str], float],
    minimum: float,
    maximum: float | None = None,
    example: str,
) -> Problem | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = kind(raw.strip())
    except ValueError:
        message = NOT_A_WHOLE_NUMBER if kind is int else NOT_A_NUMBER
        return Problem(name, raw, message, {}, example)
    if value != value or value < minimum or (maximum is not None and value > maximum):  # NaN too
        if maximum is None:
            return Problem(name, raw, AT_LEAST, {"min": minimum}, example)
        return Problem(name, raw, BETWEEN, {"min": minimum, "max": maximum}, example)
    return None


def _choice(
    name: str, choices: tuple[str, ...], *, example: str, fold: bool = False
) -> Problem | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    if (raw.strip().lower() if fold else raw.strip()) in choices:
        return None
    return Problem(name, raw, ONE_OF, {"choices": ", ".join(choices)}, example)


def _time_zone() -> Problem | None:
    raw = os.environ.get("MINSHENG_TIME_ZONE")
    if not raw:
        return None
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return Problem("MINSHENG_TIME_ZONE", raw, NOT_A_TIME_ZONE, {}, "Asia/Shanghai")
    return None


def _public_url() -> Problem | None:
    raw = os.environ.get("MINSHENG_PUBLIC_URL")
    if not raw or re.match(r"^https?://[^/\s]+", raw.strip()):
        return None
    return Problem(
        "MINSHENG_PUBLIC_URL", raw, NOT_A_WEB_ADDRESS, {}, "https://12345.example.gov.cn"
    )


DATABASE_EXAMPLE = "postgres://minsheng:PASSWORD@127.0.0.1:5432/minsheng"
DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def shown_database_url(url: str) -> str:
    """The address without its password, for messages."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def _database_url() -> Problem | None:
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        return None
    import urllib.parse

    import dj_database_url

    scheme = urllib.parse.urlsplit(raw.strip()).scheme
    if scheme not in DATABASE_SCHEMES:
        return Problem(
            "DATABASE_URL",
            shown_database_url(raw),
            NOT_A_DATABASE,
            {"reason": f"{scheme or '?'}://"},
            DATABASE_EXAMPLE,
        )
    try:
        engine = dj_database_url.parse(raw)["ENGINE"]
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same mistake
        reason = _first_line(exc)
        return Problem(
            "DATABASE_URL",
            shown_database_url(raw),
            NOT_A_DATABASE,
            {"reason": reason},
            DATABASE_EXAMPLE,
        )
    if not engine.endswith(("postgresql", "sqlite3")):
        return Problem(
            "DATABASE_URL",
            shown_database_url(raw),
            NOT_A_DATABASE,
            {"reason": engine},
            DATABASE_EXAMPLE,
        )
    return None


def _data_dir() -> Problem | None:
    raw = os.environ.get("MINSHENG_DATA_DIR")
    if not raw:
        return None
    # Only looked at, never created here: the settings create it, readable by its owner.
    path = Path(raw).expanduser()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        reason = "not a directory"
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = f"{existing}: permission denied"
    else:
        return None
    return Problem("MINSHENG_DATA_DIR", raw, NO_DATA_DIR, {"reason": reason}, "/srv/minsheng")


def environment_problems() -> list[Problem]:
    """What is wrong with the environment, one problem per variable."""
    checks = [
        _data_dir(),
        _database_url(),
        _time_zone(),
        _public_url(),
        _number("MINSHENG_SWEEP_INTERVAL", kind=int, minimum=1, example="300"),
        _number("MINSHENG_CONTACT_RETENTION_DAYS", kind=int, minimum=1, example="90"),
        _number("MINSHENG_AUTO_CLOSE_DAYS", kind=int, minimum=1, example="7"),
        _number("MINSHENG_DUPLICATE_WINDOW_DAYS", kind=int, minimum=1, example="30"),
        _number("MINSHENG_HOTSPOT_SNAPSHOT_MINUTES", kind=int, minimum=1, example="5"),
        _number("MINSHENG_TRIAGE_RETRAIN_HOURS", kind=float, minimum=0, example="24"),
        _number("MINSHENG_TRIAGE_MIN_EXAMPLES", kind=int, minimum=1, example="20"),
        _number("MINSHENG_TRIAGE_MIN_LABELS", kind=int, minimum=2, example="2"),
        _number("MINSHENG_TRIAGE_MAX_EXAMPLES", kind=int, minimum=1, example="100000"),
        _number(
            "MINSHENG_TRIAGE_TARGET_PRECISION", kind=float, minimum=0, maximum=1, example="0.99"
        ),
        _number("MINSHENG_SMS_GATEWAY_TIMEOUT", kind=float, minimum=1, example="10"),
        _choice("MINSHENG_SMS_BACKEND", ("file", "http"), example="http"),
        _choice(
            "MINSHENG_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), example="INFO"
        ),
        _choice("MINSHENG_DEBUG", SWITCH_WORDS, example="0", fold=True),
        # Read by the hardening work (HTTPS switch, API token lifetime).
        _choice("MINSHENG_HTTPS", SWITCH_WORDS, example="1", fold=True),
        _number("MINSHENG_API_TOKEN_DAYS", kind=int, minimum=1, example="90"),
    ]
    return [problem for problem in checks if problem is not None]


def database_problem(exc: BaseException) -> Problem:
    """The database named by DATABASE_URL (or the SQLite file in the data directory) did
    not answer when the command started."""
    reason = _first_line(exc)
    raw = os.environ.get("DATABASE_URL")
    if raw:
        return Problem(
            "DATABASE_URL",
            shown_database_url(raw),
            CANNOT_CONNECT,
            {"reason": reason},
            DATABASE_EXAMPLE,
        )
    return Problem(
        "MINSHENG_DATA_DIR",
        os.environ.get("MINSHENG_DATA_DIR", "~/.local/share/minsheng"),
        CANNOT_CONNECT,
        {"reason": reason},
        "/srv/minsheng",
    )


def report(problems: list[Problem]) -> int:
    for problem in problems:
        print(describe(problem), file=sys.stderr, flush=True)
    return EXIT_STATUS
