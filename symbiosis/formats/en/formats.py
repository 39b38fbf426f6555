"""English dates and numbers: Django's English defaults, written out beside the Vietnamese ones.

The month is written as a word (Sept. 12, 2023), so an English date cannot be misread by a
reader used to day-first dates. Input formats and the rest fall back to Django's English formats.
"""

DATE_FORMAT = "N j, Y"  # Sept. 12, 2023
SHORT_DATE_FORMAT = "m/d/Y"
DATETIME_FORMAT = "N j, Y, P"  # Sept. 12, 2023, 2:30 p.m.
SHORT_DATETIME_FORMAT = "m/d/Y P"
TIME_FORMAT = "P"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
