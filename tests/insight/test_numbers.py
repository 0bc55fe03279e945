"""The dashboard, the PDF and the workbook round a figure the same way (half away from zero)."""

from django.utils import translation

from minsheng.insight.numbers import fixed, format_change, format_value


def test_figures_are_rounded_as_the_workbook_rounds_them_not_cut_off():
    with translation.override("en"):
        assert format_value(21.85, "hours") == "21.9 h"
        assert format_value(4.178, "rating") == "4.18"
        assert format_value(10.4716, "days") == "10.5 working days"
        assert format_value(0.845, "rate") == "85%"
        assert format_change(0.0359, 0.81, "rate") == "+3.6 pp"
        assert format_change(-3.45, 7.0, "days") == "-3.5 working days"
        assert format_change(5, 10, "count") == "+5 (+50%)"


def test_large_counts_keep_their_grouping():
    with translation.override("en"):
        assert fixed(1234567, 0, grouping=True) == "1,234,567"
        assert format_value(2.5, "count") == "3"
