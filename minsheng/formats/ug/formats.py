# Django's Uyghur formats have no DATETIME_FORMAT, so a date with its time fell back to the
# English default ("نويابىر 25, 2026, 5:39 p.m."). The day, the month's name, the year and a
# 24-hour time, as the Uyghur DATE_FORMAT and TIME_FORMAT write them.
DATETIME_FORMAT = "j F Y G:i"
