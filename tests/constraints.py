"""``assert_rejected``: a write fails on the very database rule the test names, not on another.

PostgreSQL names the violated constraint in the error (``diag.constraint_name``). SQLite names a
CHECK constraint in its message ("CHECK constraint failed: <name>") but a UNIQUE one by its
columns ("UNIQUE constraint failed: <table>.<column>, ..."), so a unique rule is mapped to its
columns from the model: its ``Meta.constraints`` entry, or a field with ``unique=True``.
"""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction


def assert_rejected(expected, create):
    """``create()`` raises an IntegrityError for ``expected`` and nothing else.

    ``expected``: the name of a constraint in a model's ``Meta.constraints``, or a field with
    ``unique=True`` (``Organisation._meta.get_field("slug")``).
    """
    rule = declared_constraint(expected) if isinstance(expected, str) else _unique_field(expected)
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        create()
    error = excinfo.value
    if connection.vendor == "postgresql":
        failed = error.__cause__.diag.constraint_name
        assert failed == _postgresql_name(rule), str(error)
    elif connection.vendor == "sqlite":
        assert str(error) == _sqlite_message(rule)
    else:  # pragma: no cover
        pytest.fail(f"assert_rejected does not know how {connection.vendor} names constraints")


def declared_constraint(name):
    """(model, constraint) for the constraint of that name in some model's Meta."""
    found = [
        (model, constraint)
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if constraint.name == name
    ]
    assert len(found) == 1, f"no model declares one constraint named {name!r}: {found}"
    return found[0]


def _unique_field(field):
    assert isinstance(field, models.Field) and field.unique and not field.primary_key, (
        f"{field!r} is neither a constraint name nor a unique field"
    )
    return field


def _postgresql_name(rule):
    if isinstance(rule, tuple):
        return rule[1].name
    # A unique field's constraint is named by PostgreSQL or by a migration (…_key, …_uniq):
    # read it from the database.
    field = rule
    table = field.model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    names = [
        name
        for name, details in constraints.items()
        if details["unique"] and not details["primary_key"] and details["columns"] == [field.column]
    ]
    assert len(names) == 1, f"{table}.{field.column}: unique constraints {names}"
    return names[0]


def _sqlite_message(rule):
    if isinstance(rule, tuple):
        model, constraint = rule
        if isinstance(constraint, models.CheckConstraint):
            return f"CHECK constraint failed: {constraint.name}"
        assert isinstance(constraint, models.UniqueConstraint), constraint
        if constraint.expressions:
            return f"UNIQUE constraint failed: index '{constraint.name}'"
        columns = [model._meta.get_field(name).column for name in constraint.fields]
    else:
        model, columns = rule.model, [rule.column]
    table = model._meta.db_table
    return "UNIQUE constraint failed: " + ", ".join(f"{table}.{column}" for column in columns)
