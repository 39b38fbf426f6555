"""The people in the registry's record: how every page, email and admin screen names whoever
did something, and what an account is named on.

Who created or reviewed an agreement, who uploaded a document and who made each change of the
history are foreign keys to the user that the database sets to null when the account is
deleted (``on_delete=SET_NULL``): the row stays, the name is gone. ``display_name`` names such
a person "a former user" wherever a page would have named them; ``records_naming`` counts what
deleting an account would take its name from, so that the admin offers to deactivate it
instead (``symbiosis/admin.py``).
"""

from collections import Counter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

FORMER_USER = _("a former user")


def display_name(user):
    """A person as the pages name them: the full name, else the user name; ``FORMER_USER`` for
    an account deleted since (its foreign keys set to null). Call it only where someone is
    known to have acted: a returned agreement's reviewer, a document's uploader."""
    if user is None:
        return FORMER_USER
    return user.get_full_name() or user.get_username()


def naming_fields():
    """Every foreign key to the user model that deleting the user sets to null: each names
    someone who did something (``created_by``, ``reviewed_by``, ``uploaded_by``, the history's
    ``history_user``), whatever app declares it. Memberships and the admin's log go with the
    account (``CASCADE``) and are no record of the registry's."""
    user_model = get_user_model()
    return [
        field
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.local_fields
        if field.many_to_one
        and field.remote_field.model is user_model
        and field.remote_field.on_delete is models.SET_NULL
    ]


def records_naming(users):
    """How many rows name each of ``users`` through ``naming_fields``: {user pk: count}, the
    users named nowhere left out. One query per such field, whatever the number of users."""
    pks = [user.pk for user in users]
    counts = Counter()
    for field in naming_fields():
        rows = (
            field.model._base_manager.filter(**{f"{field.attname}__in": pks})
            .order_by()
            .values_list(field.attname)
            .annotate(count=Count("*"))
        )
        counts.update(dict(rows))
    return counts
