"""Validate a model's check constraints in one query instead of one each.

Django's ``CheckConstraint.validate`` asks the database once per constraint, inside a
savepoint when a transaction is open: three round trips each. A task has fourteen check
constraints, so every ``full_clean`` of a task cost 42 queries, which is most of the time of
a seed load and of a task write through the API. ``OneQueryChecks`` asks the same
questions, with the same messages and the same rules about excluded fields, as one
``SELECT`` with one boolean column per constraint.
"""

from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def failing_checks(instance, model, checks, exclude, using) -> list[models.CheckConstraint]:
    """The check constraints of ``checks`` that ``instance`` violates (one query).

    A constraint that refers to an excluded field is not judged, as in Django. ``None``
    means the batched query could not be run and the caller should ask one by one.
    """
    query = Query(None)
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    judged = []
    for constraint in checks:
        condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
        try:
            query.add_annotation(condition, f"_check_{len(judged)}")
        except FieldError:  # refers to an excluded field
            continue
        judged.append(constraint)
    if not judged:
        return []
    connection = connections[using]
    atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with atomic:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return None
    return [constraint for constraint, passed in zip(judged, row, strict=True) if not passed]


class OneQueryChecks(models.Model):
    """Abstract base: ``validate_constraints`` judges all check constraints in one query;
    unique constraints are validated by Django as before."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        if not connections[using].features.supports_comparing_boolean_expr:
            return super().validate_constraints(exclude=exclude)
        errors = {}
        for model, constraints in self.get_constraints():
            checks = [c for c in constraints if isinstance(c, models.CheckConstraint)]
            for constraint in constraints:
                if constraint in checks:
                    continue
                try:
                    constraint.validate(model, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
            failing = failing_checks(self, model, checks, exclude, using) if checks else []
            if failing is None:  # the batched query failed: Django's way, one by one
                failing = []
                for constraint in checks:
                    try:
                        constraint.validate(model, self, exclude=exclude, using=using)
                    except ValidationError:
                        failing.append(constraint)
            for constraint in failing:
                error = ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
