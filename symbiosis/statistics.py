"""Planner statistics after bulk writes: ``ANALYZE`` the tables a load has just filled.

Autovacuum analyses a table only some time after it changes; until then the planner plans the
new rows with the statistics of the table as it was (empty, or a tenth of its size), and may pick
sequential scans or the wrong join order. Code that writes many rows at once (``bulk_create``,
raw deletes: the synthetic registry, an import) therefore analyses what it wrote, once it has
committed: ``analyze_on_commit(Model, ...)``.

Why after the commit and not inside the transaction, where PostgreSQL allows ANALYZE and counts
the transaction's own new rows: ANALYZE writes ``pg_class.reltuples``/``relpages`` in place,
outside the transaction, so a rollback would keep statistics of rows that were never committed;
and it holds a SHARE UPDATE EXCLUSIVE lock on each table until the transaction ends, blocking
autovacuum and other ANALYZEs for the rest of the load.

Outside a transaction (where the commit leaves it) the tables are vacuumed as well, ``VACUUM
(ANALYZE)``: that marks the new rows' pages all-visible, without which an index-only scan (the
filtered list's count, ``agreements/migrations/0009``) fetches every row from the table again
until autovacuum comes round. Inside a transaction, where PostgreSQL refuses VACUUM, they are
only analysed.

A load that first empties the tables it fills (the synthetic registry, regenerated in place)
leaves their indexes as large as both loads together: PostgreSQL reuses the emptied pages but
never gives them back, and the planner, costing an index by its size, then prefers to read the
table. Such a reload rebuilds the tables' indexes too, once committed (``reload_on_commit``),
so that they are as compact as a table loaded once.

Only PostgreSQL is analysed; on other databases (SQLite, for development and tests) these are
no-ops.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def tables(*models):
    """The database tables of these models, each once, in the order given."""
    return list(dict.fromkeys(model._meta.db_table for model in models))


def analyze(*models, using=DEFAULT_DB_ALIAS):
    """Run ANALYZE now on the tables of these models, and VACUUM them too outside a
    transaction (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not models:
        return
    names = ", ".join(connection.ops.quote_name(table) for table in tables(*models))
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {names}")


def analyze_on_commit(*models, using=DEFAULT_DB_ALIAS):
    """ANALYZE these models' tables once the current transaction commits (at once outside one);
    nothing if it rolls back."""
    if connections[using].vendor != "postgresql":
        return
    transaction.on_commit(lambda: analyze(*models, using=using), using=using)


def reindex(*models, using=DEFAULT_DB_ALIAS):
    """Rebuild the indexes of these models' tables now (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables(*models):
            cursor.execute(f"REINDEX TABLE {connection.ops.quote_name(table)}")


def reload_on_commit(*models, using=DEFAULT_DB_ALIAS):
    """For a load that emptied these models' tables before filling them again: once the
    current transaction commits, rebuild their indexes, then analyse (and vacuum) them."""
    if connections[using].vendor != "postgresql":
        return

    def reloaded():
        reindex(*models, using=using)
        analyze(*models, using=using)

    transaction.on_commit(reloaded, using=using)
