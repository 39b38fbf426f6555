"""The uploaded file as rows of text, in the columns an import reads.

XLSX is read by openpyxl in read-only mode (rows streamed from the sheet, not a workbook held
in memory), its first sheet (the export's "Resource flows"); CSV by the csv module as UTF-8,
with or without the byte-order mark the export writes (``utf-8-sig``). No new dependency:
openpyxl writes the exports already.

Every cell becomes text: a date as ISO (2023-09-12), a number as written without float noise,
nothing as "". A text cell the export guarded against formula injection (an apostrophe before
``=``, ``+``, ``-``, ``@``, a tab or a carriage return: ``exports.inert``) is read back without
the apostrophe. A formula (an XLSX cell holding one, or text starting with ``=``) is never
evaluated: its text is what is imported.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from agreements.imports import columns
from agreements.reporting.exports import FORMULA_TRIGGERS

XLSX, CSV = "xlsx", "csv"
# An XLSX file is a zip archive: its first bytes.
ZIP_SIGNATURE = b"PK\x03\x04"


class Unreadable(Exception):
    """The file cannot be imported; the message (translated) says why."""


def file_format(upload):
    """XLSX or CSV, judged by the content (a zip archive or text), never by the name alone;
    None for anything else."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(ZIP_SIGNATURE):
        return XLSX
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut at the end of what was read is no reason to refuse the file.
        if error.start < len(head) - 4:
            return None
    return CSV


def unescaped(value):
    """A cell as text: a guarded formula without its guard, dates in ISO, numbers as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS and value[1:2]:
            value = value[1:]
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # 1200.0 -> "1200", 0.1 -> "0.1": the shortest text that reads back as the number.
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral() else repr(value)
    return str(value)


def _xlsx_rows(upload):
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise Unreadable(_("This file is not a spreadsheet that can be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(upload):
    upload.seek(0)
    try:
        text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
        yield from csv.reader(text)
    except (UnicodeDecodeError, csv.Error) as error:
        raise Unreadable(_("This file is not a CSV file in UTF-8 that can be read.")) from error


def read(upload, *, max_rows=None):
    """(keys of the columns read, headers not read, rows: each its number in the sheet, then
    its text in those columns)
    of the uploaded file. Raises ``Unreadable`` for a file that is not XLSX or CSV, has no
    Reference column, or more than ``max_rows`` rows (``settings.IMPORT_MAX_ROWS``)."""
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    kind = file_format(upload)
    if kind is None:
        raise Unreadable(
            _("This file is neither an XLSX spreadsheet nor a CSV file: save it as one of those.")
        )
    source = _xlsx_rows(upload) if kind == XLSX else _csv_rows(upload)
    header = next(source, None)
    if header is None:
        raise Unreadable(_("This file is empty."))
    keys = columns.header_keys()
    places, ignored = [], []
    for index, cell in enumerate(header):
        text = unescaped(cell)
        key = columns.key_of(text, keys)
        if key and key not in dict(places):
            places.append((key, index))
        elif text:
            ignored.append(text)
    if columns.REFERENCE not in dict(places):
        raise Unreadable(
            _(
                "This file has no “%(column)s” column: use the columns of the export, or start "
                "from the template."
            )
            % {"column": _(columns.REFERENCE)}
        )
    rows = []
    # Each row with its number in the spreadsheet (the header is row 1), blank rows left out.
    for line, row in enumerate(source, start=2):
        cells = [unescaped(row[index]) if index < len(row) else "" for _key, index in places]
        if not any(cells):
            continue
        if len(rows) == max_rows:
            raise Unreadable(
                _(
                    "This file has more than %(limit)s rows: an import takes at most %(limit)s. "
                    "Split it into several files."
                )
                % {"limit": number_format(max_rows, force_grouping=True)}
            )
        rows.append([line, *cells])
    if not rows:
        raise Unreadable(_("This file has no rows under its header."))
    return [key for key, _index in places], ignored, rows
