"""The monthly report: its figures, lists and files, the command and the dashboard button.

A small county lives through August to early November 2026, every step through the real
actions at controlled moments; the report for October must agree with the indicators
recomputed from the raw timeline, for October and for September.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase
from django.utils import translation
from django.utils.formats import date_format
from openpyxl import load_workbook
from reportlab.lib.styles import ParagraphStyle

from minsheng.cases import actions
from minsheng.cases.models import Channel
from minsheng.demo.clock import frozen_clock
from minsheng.directory.models import AreaKind
from minsheng.insight.indicators import INDICATORS, Period, Scope, figures_from_timeline
from minsheng.insight.numbers import format_value
from minsheng.insight.report import ReportError, build_report, parse_month
from minsheng.insight.report_pdf import _RtlParagraph, render_pdf
from minsheng.insight.report_xlsx import render_xlsx
from minsheng.intake.rtl import bidi_levels
from tests.factories import AreaFactory, County, make_county
from tests.intake.test_posters_uyghur import contains, glyph_texts, reading_words, uyghur, words

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEPTEMBER = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def moment(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@contextmanager
def at(when: dt.datetime):  # type: ignore[no-untyped-def]
    """Run actions at that moment and deliver their committed events to the rollups."""
    with frozen_clock(when), TestCase.captureOnCommitCallbacks(execute=True):
        yield when


def submit(county: County, **fields):  # type: ignore[no-untyped-def]
    return actions.submit_case(
        actor=actions.RESIDENT,
        description="村里的问题，电话13812345678",
        category=county.roads,
        **{"area": county.village, "channel": Channel.WEB, **fields},
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The county and its history, built once for this module in a transaction that is
    rolled back at its end (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        county = make_county()
        yield county, _live_through(county)
        transaction.set_rollback(True)


@pytest.fixture
def county(world, db):  # type: ignore[no-untyped-def]
    return world[0]


@pytest.fixture
def history(world, db):  # type: ignore[no-untyped-def]
    return world[1]


def _live_through(county: County) -> dict:
    """Three months of a county. In the test township (village 柳树村): cases resolved and
    rated well and badly, escalated by a deadline, withdrawn, and a dozen left open; in the
    other township one case, reopened in September and resolved in October."""
    c = county
    made: dict[str, object] = {}

    def handled(key, raised, *, area=None, unit=None, handler=None, accept=None, resolve=None,
                rating=None, solved=True, escalate=None, channel=Channel.WEB):  # type: ignore[no-untyped-def]  # fmt: skip
        unit = unit or c.village_unit
        handler = handler or c.handler
        with at(raised):
            case = submit(c, area=area or c.village, channel=channel, title=f"{key} 路灯不亮")
            actions.dispatch_case(actor=c.operator, case=case, unit=unit)
        if escalate:
            with at(escalate):
                actions.escalate_case(actor=actions.SYSTEM, case=case, reason="deadline passed")
            handler = c.township_handler
        if accept:
            with at(accept):
                actions.accept_case(actor=handler, case=case)
        if resolve:
            with at(resolve):
                actions.resolve_case(
                    actor=handler, case=case, resolution=f"{key} 已修好，电话13812345678"
                )
        if rating:
            with at(resolve + dt.timedelta(hours=3)):
                actions.rate_case(
                    actor=actions.RESIDENT, case=case, rating=rating, is_solved=solved
                )
        made[key] = case
        return case

    # September.
    handled("S1", moment(9, 7), accept=moment(9, 7, 11), resolve=moment(9, 8), rating=5)
    handled("S2", moment(9, 9), accept=moment(9, 9, 15), resolve=moment(9, 10), rating=4)
    handled("S3", moment(9, 14), escalate=moment(9, 17), accept=moment(9, 17, 14),
            resolve=moment(9, 18), rating=5)  # fmt: skip
    reopened = handled(
        "X1", moment(9, 15), area=c.other_village, unit=c.other_village_unit,
        handler=c.other_handler, accept=moment(9, 15, 12), resolve=moment(9, 21), rating=2,
        solved=False,
    )  # fmt: skip
    # October.
    handled("O1", moment(10, 9), accept=moment(10, 9, 11), resolve=moment(10, 10), rating=5)
    handled("O2", moment(10, 12), accept=moment(10, 13), resolve=moment(10, 20), rating=3,
            channel=Channel.QR)  # fmt: skip
    handled("O3", moment(10, 14), escalate=moment(10, 17), accept=moment(10, 19),
            resolve=moment(10, 22), rating=1, solved=False)  # fmt: skip
    handled("O4", moment(10, 20), accept=moment(10, 20, 15), resolve=moment(10, 21))
    with at(moment(10, 5)):
        actions.accept_case(actor=c.other_handler, case=reopened)
    with at(moment(10, 8)):
        actions.resolve_case(actor=c.other_handler, case=reopened, resolution="换了新水管")
    with at(moment(10, 8, 16)):
        actions.rate_case(actor=actions.RESIDENT, case=reopened, rating=4, is_solved=True)
    with at(moment(10, 23)):
        made["W1"] = submit(c, title="W1 不需要了")
        actions.withdraw_case(actor=actions.RESIDENT, case=made["W1"], reason="自己修好了")

    # Twelve cases still open at the end of October (one closes in November), raised
    # from August on, and one raised in November that October knows nothing of.
    open_days = [(8, 3), (8, 20), (9, 2), (9, 11), (9, 25), (10, 1), (10, 3), (10, 6),
                 (10, 11), (10, 16), (10, 27), (10, 30)]  # fmt: skip
    for number, (month, day) in enumerate(open_days):
        with at(moment(month, day, 9)):
            made[f"P{number}"] = submit(c, title=f"P{number} 排水沟堵塞", channel=Channel.PHONE)
    with at(moment(11, 3)):
        actions.dispatch_case(actor=c.operator, case=made["P0"], unit=c.village_unit)
        actions.accept_case(actor=c.handler, case=made["P0"])
    with at(moment(11, 4)):
        actions.resolve_case(actor=c.handler, case=made["P0"], resolution="疏通了")
    with at(moment(11, 4, 15)):
        actions.rate_case(actor=actions.RESIDENT, case=made["P0"], rating=5, is_solved=True)
    with at(moment(11, 2)):
        made["N1"] = submit(c, title="N1 十一月的新问题")

    # A project in the village, under way in October, one milestone of two done by its end.
    from minsheng.projects import actions as projects

    with at(moment(10, 2)):
        made["project"] = project = projects.create_project(
            actor=c.supervisor, area=c.village, title="柳树村排水沟改造", lead_unit=c.village_unit,
            budget="480000", spent="120000", progress=40,
        )  # fmt: skip
        dug = projects.add_milestone(
            actor=c.supervisor, project=project, title="开挖", due_date="2026-10-15"
        )
        projects.add_milestone(
            actor=c.supervisor, project=project, title="铺设盖板", due_date="2026-11-20"
        )
        projects.link_case(actor=c.supervisor, project=project, case=made["P5"])
    with at(moment(10, 16)):
        projects.complete_milestone(actor=c.supervisor, milestone=dug, done_date="2026-10-16")
    return made


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


# --- the figures --------------------------------------------------------------------------


@pytest.mark.parametrize("area_key", ["county", "township", None])
def test_headline_figures_equal_the_indicators_for_the_month_and_the_month_before(
    county, history, area_key
):  # type: ignore[no-untyped-def]
    area = getattr(county, area_key) if area_key else None
    scope = Scope(area_path=area.path if area else "/")
    report = build_report(area, dt.date(2026, 10, 17))
    october = figures_from_timeline(scope, OCTOBER)
    september = figures_from_timeline(scope, SEPTEMBER)
    assert report.period == OCTOBER
    assert report.previous_period == SEPTEMBER
    for indicator in INDICATORS:
        headline = report.headline(indicator.id)
        assert headline.value == pytest.approx(october.values[indicator.id]), indicator.id
        assert headline.previous == pytest.approx(september.values[indicator.id]), indicator.id
    assert [b.value for b in report.backlog] == list(october.backlog.values())
    assert [b.previous for b in report.backlog] == list(september.backlog.values())


def test_a_month_still_running_is_reported_up_to_today_and_says_so(county, history):  # type: ignore[no-untyped-def]
    today = dt.date(2026, 10, 20)
    report = build_report(county.township, dt.date(2026, 10, 1), today=today)
    assert report.is_partial
    assert report.period == Period(dt.date(2026, 10, 1), today)
    so_far = figures_from_timeline(Scope(area_path=county.township.path), report.period)
    assert report.headline("open_at_end").value == so_far.values["open_at_end"]
    assert not build_report(county.township, dt.date(2026, 9, 1), today=today).is_partial


def test_the_township_report_counts_only_the_townships_cases(county, history):  # type: ignore[no-untyped-def]
    report = build_report(county.township, dt.date(2026, 10, 1))
    # O1–O4 and W1 raised in October in the township; the other township's case was not.
    assert report.headline("raised").value == 5 + 7  # and P5…P11 raised in October
    # O1, O2 and O4; O3 was reopened. In September S1, S2 and S3.
    assert report.headline("resolved").value == 3
    assert report.headline("resolved").previous == 3
    assert report.headline("escalations").value == 1
    # P0–P11, O3 (reopened) and O4 (resolved, not yet rated or closed).
    assert report.headline("open_at_end").value == 14


def test_the_ten_oldest_open_cases_are_those_open_longest_at_month_end(county, history):  # type: ignore[no-untyped-def]
    report = build_report(county.township, dt.date(2026, 10, 1))
    # P0 closed on 4 November but was open at the end of October; N1 was not raised yet.
    # O3, reopened on 22 October, was open at the end of the month too.
    expected = [history[f"P{n}"].tracking_code for n in range(9)] + [history["O3"].tracking_code]
    assert [case.tracking_code for case in report.oldest_open] == expected
    assert report.oldest_open[0].age_days == (dt.date(2026, 10, 31) - dt.date(2026, 8, 3)).days
    assert report.oldest_open[0].title == "P0 排水沟堵塞"
    # Closed in November, but the list says how things stood at the end of October.
    with translation.override("en"):
        report = build_report(county.township, dt.date(2026, 10, 1))
    assert report.oldest_open[0].status == "submitted"


def test_resolved_highlights_are_confirmed_resolutions_longest_waited_first(county, history):  # type: ignore[no-untyped-def]
    report = build_report(None, dt.date(2026, 10, 1))
    codes = [case.tracking_code for case in report.highlights]
    # O2 waited 6 working days, O1 one. X1 was reopened once, O3 rated unsolved, O4 is
    # not closed yet: none of them is a confirmed resolution.
    assert codes == [history["O2"].tracking_code, history["O1"].tracking_code]
    o1 = next(c for c in report.highlights if c.tracking_code == history["O1"].tracking_code)
    assert o1.rating == 5
    # Free text is masked as on public pages.
    assert "13812345678" not in o1.resolution and "已修好" in o1.resolution


def test_units_are_ranked_by_their_on_time_rate_as_the_timeline_counts_it(county, history):  # type: ignore[no-untyped-def]
    report = build_report(None, dt.date(2026, 10, 1))
    ranked = report.best_units + report.worst_units
    assert {row.name for row in ranked} == {"柳树村委会", "石门村委会"}
    units = {u.name: u for u in (county.village_unit, county.other_village_unit)}
    for row in ranked:
        timeline = figures_from_timeline(Scope(unit_id=units[row.name].pk), OCTOBER)
        assert row.resolved == timeline.values["resolved"]
        assert row.on_time_rate == pytest.approx(timeline.values["on_time_rate"])
    rates = [(row.on_time_rate, row.resolved) for row in report.best_units]
    assert rates == sorted(rates, reverse=True)


def test_the_whole_region_ranks_the_townships_of_its_one_county(county, history):  # type: ignore[no-untyped-def]
    # `minsheng report` without --area: ranking the county alone would say nothing.
    report = build_report(None, dt.date(2026, 10, 1))
    ranked = {row.name for row in report.best_areas + report.worst_areas}
    assert ranked == {county.township.name, county.other_township.name}


def test_projects_show_their_progress_as_it_stood_at_month_end(county, history):  # type: ignore[no-untyped-def]
    (project,) = build_report(county.township, dt.date(2026, 10, 1)).projects
    assert project.name == "柳树村排水沟改造"
    assert (project.progress, project.budget, project.spent) == (40, 480000, 120000)
    assert (project.milestones_done, project.milestones_total) == (1, 2)
    assert (project.next_milestone, project.next_milestone_due) == (
        "铺设盖板",
        dt.date(2026, 11, 20),
    )
    assert project.linked_cases == 1
    # Not in the other township's report, and not yet in September's.
    assert build_report(county.other_township, dt.date(2026, 10, 1)).projects == []
    assert build_report(county.township, dt.date(2026, 9, 1)).projects == []


def test_the_trend_covers_twelve_months_ending_with_the_report_month(county, history):  # type: ignore[no-untyped-def]
    report = build_report(county.township, dt.date(2026, 10, 1))
    assert [m.label for m in report.trend][-3:] == ["2026-08", "2026-09", "2026-10"]
    assert len(report.trend) == 12
    by_month = {m.label: m for m in report.trend}
    assert by_month["2026-10"].raised == report.headline("raised").value
    assert by_month["2026-09"].resolved == 3
    assert by_month["2025-11"].raised == 0


# --- the files ----------------------------------------------------------------------------


def _row(text: str, label: str) -> list[str]:
    """The cells of the headline table's row for an indicator."""
    table = text[text.index("Headline figures") : text.index("Green: better")]
    line = next((ln for ln in table.splitlines() if ln.strip().startswith(label)), None)
    assert line is not None, f"no row {label!r} in\n{text}"
    return re.split(r"\s{2,}", line.strip())


@needs_pdftotext
def test_the_pdf_shows_this_month_and_last_month_as_the_indicators_count_them(
    county, history, tmp_path
):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        report = build_report(county.township, dt.date(2026, 10, 1))
        text = _pdf_text(render_pdf(report), tmp_path)
        scope = Scope(area_path=county.township.path)
        october = figures_from_timeline(scope, OCTOBER)
        september = figures_from_timeline(scope, SEPTEMBER)
        for indicator in INDICATORS:
            cells = _row(text, str(indicator.label))
            assert cells[1] == format_value(october.values[indicator.id], indicator.unit)
            assert cells[2] == format_value(september.values[indicator.id], indicator.unit)
    assert "P0 排水沟堵塞" in text
    assert "柳树村排水沟改造" in text
    assert history["P0"].tracking_code in text
    assert "13812345678" not in text


@needs_pdftotext
def test_a_chinese_pdf_carries_chinese_labels_and_names(county, history, tmp_path):  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        text = _pdf_text(render_pdf(build_report(county.township, dt.date(2026, 10, 1))), tmp_path)
    assert "青河县 / 东湖镇" in text
    assert "2026年10月" in text
    assert "按时办结率" in text
    assert "柳树村委会" in text


def test_the_workbook_holds_the_same_numbers(county, history):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        report = build_report(county.township, dt.date(2026, 10, 1))
        book = load_workbook(io.BytesIO(render_xlsx(report)))
    summary = book.worksheets[0]
    rows = {row[0]: row[1:4] for row in summary.iter_rows(values_only=True) if row[0]}
    formats = {row[0].value: row[3].number_format for row in summary.iter_rows() if row[0].value}
    for headline in report.headlines:
        value, previous, change = rows[headline.label]
        assert value == pytest.approx(headline.value), headline.id
        assert previous == pytest.approx(headline.previous), headline.id
        if headline.unit == "rate" and headline.change is not None:
            # In percentage points, as the PDF says ("+3.6 pp"), not a fraction shown as %.
            assert change == pytest.approx(headline.change * 100), headline.id
            assert formats[headline.label].startswith('+0.0" pp"'), headline.id
        else:
            assert change == pytest.approx(headline.change), headline.id
        if headline.unit == "hours":
            assert formats[headline.label].startswith('+0.0" h"'), headline.id
    oldest = book["Oldest open cases"]
    codes = [row[0] for row in oldest.iter_rows(min_row=6, values_only=True) if row[0]]
    assert codes == [case.tracking_code for case in report.oldest_open]
    trend = book["Twelve months"]
    months = {row[0]: row[1] for row in trend.iter_rows(min_row=6, values_only=True)}
    assert months["2026-10"] == report.headline("raised").value


# --- the command --------------------------------------------------------------------------


def test_the_command_writes_both_files_and_prints_their_paths(county, history, tmp_path):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("report", area="T1", month="2026-10", out=str(tmp_path), stdout=out)
    paths = [Path(line) for line in out.getvalue().split()]
    assert sorted(p.suffix for p in paths) == [".pdf", ".xlsx"]
    assert all(p.parent == tmp_path and p.stat().st_size > 2000 for p in paths)
    assert (
        paths[0].name == f"东湖镇-2026-10-{_in('zh-hans', 'monthly report').replace(' ', '_')}.pdf"
    )
    assert paths[0].read_bytes().startswith(b"%PDF")
    book = load_workbook(paths[1])
    assert book.worksheets[0].cell(row=2, column=1).value.startswith("青河县 / 东湖镇")


def test_the_command_accepts_an_area_name_or_id_and_one_format(county, history, tmp_path):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("report", area="西山乡", month="2026-10", format="xlsx", out=str(tmp_path),
                 language="en", stdout=out)  # fmt: skip
    call_command("report", area=str(county.county.pk), month="2026-09", format="pdf",
                 out=str(tmp_path), stdout=out)  # fmt: skip
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "西山乡-2026-10-monthly_report.xlsx",
        f"青河县-2026-09-{_in('zh-hans', 'monthly report').replace(' ', '_')}.pdf",
    ]


def test_the_command_asks_for_a_code_when_a_name_names_two_areas(county, tmp_path):  # type: ignore[no-untyped-def]
    AreaFactory(name="柳树村", code="V9", kind=AreaKind.VILLAGE, parent=county.other_township)
    with pytest.raises(CommandError, match="names more than one area") as refused:
        call_command("report", area="柳树村", month="2026-10", out=str(tmp_path), language="en")
    assert "(V1)" in str(refused.value) and "(V9)" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"month": "2026-13"}, "is not a month"),
        ({"month": "October"}, "is not a month"),
        ({"month": "2099-01"}, "has not begun"),
        ({"month": "2026-10", "area": "没有这个地方"}, "No area"),
    ],
)
def test_the_command_refuses_a_bad_month_or_area_and_writes_nothing(
    county, tmp_path, options, message
):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        call_command("report", out=str(tmp_path), language="en", **options)
    assert list(tmp_path.iterdir()) == []


def test_parse_month_reads_year_and_month() -> None:
    assert parse_month("2026-10", today=dt.date(2026, 11, 2)) == dt.date(2026, 10, 1)
    assert parse_month("2026-11", today=dt.date(2026, 11, 2)) == dt.date(2026, 11, 1)
    with pytest.raises(ReportError):
        parse_month("2026-12", today=dt.date(2026, 11, 2))


def test_the_chinese_workbook_heads_the_resolved_date_as_a_date(county, history):  # type: ignore[no-untyped-def]
    # "Resolved" is a count in the rankings (办结数) and a date among the highlights.
    with translation.override("zh-hans"):
        report = build_report(county.township, dt.date(2026, 10, 1))
        book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert report.highlights
    highlights = book["办结亮点"]
    heads = next(
        row for row in highlights.iter_rows(values_only=True) if row and row[0] == "查询码"
    )
    assert "办结时间" in heads and "办结数" not in heads


# --- in Uyghur ----------------------------------------------------------------------------


@needs_pdftotext
def test_a_uyghur_pdf_reads_right_to_left_with_its_chinese_case_texts_intact(
    county, history, tmp_path
):  # type: ignore[no-untyped-def]
    with translation.override("ug"):
        report = build_report(county.township, dt.date(2026, 10, 1))
        pdf = render_pdf(report)
    assert b"/Lang (ug)" in pdf
    # pdftotext puts right-to-left text back in reading order from where each glyph is
    # drawn: letters drawn unjoined, left to right, or out of their lines would come back
    # reversed or jumbled.
    text = reading_words(pdf, tmp_path)
    for message in (
        "Monthly report",
        "Headline figures",
        "Cases raised by category",
        "The ten oldest open cases",
        "Projects' progress",
        "How the figures are counted",
    ):
        assert contains(text, words(uyghur(message))), message
    for headline in report.headlines:
        assert contains(text, words(headline.label)), headline.label
    # What residents and staff wrote stays as written, left to right inside the page.
    plain = _pdf_text(pdf, tmp_path)
    assert "P0 排水沟堵塞" in plain
    assert "柳树村排水沟改造" in plain
    assert history["P0"].tracking_code in plain
    assert "13812345678" not in plain
    # The letters are drawn in their joined forms, from the embedded Arabic-script font.
    forms = Counter(text for glyphs in glyph_texts(pdf) for text in glyphs.values())
    assert all(forms[letter] >= 3 for letter in "لنمى"), forms


def test_a_sign_stays_in_front_of_its_figure_in_uyghur_text() -> None:
    # "+3.6" inside a Uyghur sentence would show as "3.6+" (the sign is a neutral
    # character that takes the sentence's direction); the paragraph keeps it left to right.
    with translation.override("ug"):
        change = translation.gettext("%(change)s on last month") % {"change": "+3.6 (-12%)"}
    paragraph = _RtlParagraph(change, ParagraphStyle("t"), bold=False, color=None)
    levels = dict(zip(range(len(paragraph.text)), bidi_levels(paragraph.text), strict=True))
    start = paragraph.text.index("+")
    figure = range(start, paragraph.text.index(")") + 1)
    assert all(levels[i] % 2 == 0 for i in figure), paragraph.text


def test_a_uyghur_date_with_its_time_is_written_in_uyghur() -> None:
    # Django's Uyghur formats have no DATETIME_FORMAT: the English one gave "p.m.".
    moment_ = dt.datetime(2026, 11, 25, 17, 39, tzinfo=TZ)
    with translation.override("ug"):
        written = date_format(moment_, "DATETIME_FORMAT")
        assert written == f"{date_format(moment_, 'DATE_FORMAT')} 17:39"
    assert "m." not in written and "نويابىر" in written
