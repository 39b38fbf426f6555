"""A row's check constraints validated in one query.

Django validates each ``CheckConstraint`` of a model with a query of its own, and inside a
transaction (every request runs in one: ``ATOMIC_REQUESTS``) each of those queries in a
savepoint of its own: three round trips per constraint and per row. An agreement saved with its
flows checks some fifteen constraints, so that was over forty queries of a save. Here a row's
check constraints are asked in one query, a column per constraint, in one savepoint; the other
constraints (unique ones) are validated as Django does. The messages, codes and the constraints
left out (those on a field the form excludes) are Django's.
"""

from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, ExpressionWrapper, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


class CheckedInOneQueryMixin:
    """For a model: ``validate_constraints`` asks all its check constraints in one query."""

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            checks = [c for c in model_constraints if type(c) is CheckConstraint]
            for constraint in model_constraints:
                if constraint not in checks:
                    try:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                    except ValidationError as error:
                        if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                            errors.setdefault(constraint.fields[0], []).append(error)
                        else:
                            errors = error.update_error_dict(errors)
            for constraint in failed_checks(model_class, self, checks, exclude, using):
                error = ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code
                )
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def failed_checks(model, instance, checks, exclude, using):
    """The constraints of ``checks`` that ``instance`` breaks, asked in one query: each
    condition a column, true unless broken (NULL passes, as in the database). A constraint on a
    field in ``exclude`` is left out, as Django leaves it out."""
    if not checks:
        return []
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    query = Query(None)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    asked = []
    for index, constraint in enumerate(checks):
        condition = ExpressionWrapper(Q(constraint.condition), output_field=BooleanField())
        try:
            query.add_annotation(
                Coalesce(condition, Value(True), output_field=BooleanField()), f"_check_{index}"
            )
        except FieldError:  # on a field left out of ``against``
            continue
        asked.append(constraint)
    if not asked:
        return []
    connection = connections[using]
    compiler = query.get_compiler(using=using)
    savepoint = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            row = compiler.execute_sql(SINGLE)
    except DatabaseError:
        return []  # as Django's check: a condition the database cannot ask is not a failure
    values = row[-len(asked) :]
    return [constraint for constraint, passed in zip(asked, values, strict=True) if not passed]
