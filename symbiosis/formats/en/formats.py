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

# This project's own (symbiosis/partial_dates.py): a date known to its month, as pages show it
# (Sept. 2023) and as the form gives it back; a day as the form gives it back (ISO, unambiguous).
MONTH_PRECISION_FORMAT = "N Y"  # Sept. 2023
TYPED_MONTH_FORMAT = "%Y-%m"  # 2023-09
TYPED_DAY_FORMAT = "%Y-%m-%d"  # 2023-09-12
