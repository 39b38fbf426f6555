"""Agreements imported from a spreadsheet in the columns of the dashboard's export.

- ``columns``: which of the export's columns are read, recognised by their headers in English
  or Vietnamese, and their choice labels in either language;
- ``reading``: the uploaded XLSX (openpyxl, read-only) or CSV (UTF-8) as rows of text;
- ``matching``: organisations and resources found by their names, a few queries per chunk;
- ``analysis``: each row's outcome, a chunk of rows at a time, kept in the ``ImportBatch``;
- ``services``: writing what the preview showed, in one transaction;
- ``views`` and ``urls``: upload, preview (with progress), confirm, and the template file.

The import depends on ``agreements.reporting.exports`` (its columns are the file format); the
register does not depend on the import.
"""
