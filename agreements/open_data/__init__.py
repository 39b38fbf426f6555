"""The verified register as an open Frictionless Data Package (``/data/``).

- ``tables.py``: the tables, each defined once (its public rows, its columns with their Table
  Schema type and description), from which its CSV header, its rows and its schema are made.
- ``package.py``: building the package (every CSV and ``datapackage.json`` from one snapshot of
  the database) and finding the build to serve; ``views.py`` and ``urls.py``: the page and the
  files; ``manage.py build_open_data`` builds it from cron.

Why files built ahead rather than each CSV streamed from the database per request: at 100,000
agreements the flows' CSV is tens of megabytes, and many readers (harvesters, researchers)
fetch it; reading it from the database for each of them would run the same heavy queries over
and over, and a reader fetching ``datapackage.json`` and then the CSVs could get files of two
states of the register. A build reads every table once, in one snapshot (REPEATABLE READ on
PostgreSQL, ``agreements.reporting.exports.read_snapshot``), streaming rows through
``.iterator()`` into temporary files (memory flat, whatever the size), and keeps them in the
``open_data`` storage; requests are then served from those files by ``FileResponse`` (read in
blocks, no query), with the build's id as ETag. The cost is freshness: a change shows in the
package at most ``OPEN_DATA_REBUILD_MINUTES`` (5 by default) after the previous build, which
the issue allows ("at most once every few minutes").
"""
