"""Dates and numbers as Vietnamese administrative documents write them: 12/09/2023, 1.234,5.

Django's own Vietnamese formats spell dates out ("Ngày 12 tháng 9 năm 2023") and take dates
typed in the admin month first (its default input formats are American); these replace them.
What is not set here falls back to Django's Vietnamese formats, then to the settings.
"""

DATE_FORMAT = "d/m/Y"  # 12/09/2023
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"  # 12/09/2023 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"\t\há\n\g n/Y"  # tháng 9/2023
MONTH_DAY_FORMAT = "d/m"
FIRST_DAY_OF_WEEK = 1  # Monday

# Typed dates are read day first; the first format is the one the forms and the admin show.
# ISO dates stay accepted (spreadsheets and scripts send them).
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 12/09/2023
    "%Y-%m-%d",  # 2023-09-12
    "%d-%m-%Y",  # 12-09-2023
    "%d/%m/%y",  # 12/09/23
    "%d.%m.%Y",  # 12.09.2023
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",
    "%H:%M:%S.%f",
    "%H:%M",
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# This project's own (symbiosis/partial_dates.py): a date known to its month, as pages show it
# and as the form gives it back; a day as the form gives it back, like DATE_FORMAT.
MONTH_PRECISION_FORMAT = "m/Y"  # 09/2023
TYPED_MONTH_FORMAT = "%m/%Y"  # 09/2023
TYPED_DAY_FORMAT = "%d/%m/%Y"  # 12/09/2023
TYPED_DAY_PATTERN = "dd/mm/yyyy"  # the placeholder and hint of a whole-date box
