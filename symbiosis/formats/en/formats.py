"""English dates and numbers: Django's English defaults, written out beside the Vietnamese ones.

The month is written as a word (Sept. 12, 2023), so an English date cannot be misread by a
reader used to day-first dates. Dates are typed, and shown back for typing, in ISO 8601
(2023-09-12): this registry's English readers are international (UNIDO, foreign investors), and
ISO is the one numeric form that no country reads another way. Django's American input formats
(09/12/2023 as 12 September? 9 December?) are replaced: a slashed date is read day first, as in
Vietnamese and in most of the world. The rest falls back to Django's English formats.
"""

DATE_FORMAT = "N j, Y"  # Sept. 12, 2023
SHORT_DATE_FORMAT = "m/d/Y"
DATETIME_FORMAT = "N j, Y, P"  # Sept. 12, 2023, 2:30 p.m.
SHORT_DATETIME_FORMAT = "m/d/Y P"
TIME_FORMAT = "P"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"

# Typed dates: ISO first (the one the forms and the admin show), then day first; never month first.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2023-09-12
    "%d/%m/%Y",  # 12/09/2023
    "%d-%m-%Y",  # 12-09-2023
    "%d.%m.%Y",  # 12.09.2023
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# This project's own (symbiosis/partial_dates.py): a date known to its month, as pages show it
# (Sept. 2023) and as the form gives it back; a day as the form gives it back (ISO, unambiguous).
MONTH_PRECISION_FORMAT = "N Y"  # Sept. 2023
TYPED_MONTH_FORMAT = "%Y-%m"  # 2023-09
TYPED_DAY_FORMAT = "%Y-%m-%d"  # 2023-09-12
TYPED_DAY_PATTERN = "yyyy-mm-dd"  # the placeholder and hint of a whole-date box
