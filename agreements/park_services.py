"""Creating and changing a park's record, by the officials who maintain it (and admins).

Keyword-only, each in one transaction, recording who did it in the park's history (read by
``agreements.history.park_changes``). Views check *who* may call them
(``permissions.can_create_park``, ``can_edit_park``, ``park_authorities``); the values are
cleaned ones (``parks.forms.ParkForm``, the admin's form, or ``full_clean``), and the database
refuses what slips through. Cached public pages are dropped when the change commits
(``symbiosis.caching``: ``parks.apps`` connects the Park model).
"""

from django.db import transaction

from parks.models import Park

# What these functions set: the park's own fields (not its search text, kept by its save, nor
# its bookkeeping).
PARK_FIELDS = frozenset(
    field.name
    for field in Park._meta.concrete_fields
    if field.editable and not field.primary_key and field.name != "updated_at"
)


def _check(fields):
    unknown = set(fields) - PARK_FIELDS
    if unknown:
        raise ValueError(f"A park has no field {', '.join(sorted(unknown))} to set")


def create_park(*, by, **fields):
    """A new park with ``fields`` (names, slug, kind, country, province, developer, ...),
    created by ``by``."""
    _check(fields)
    with transaction.atomic():
        park = Park(**fields)
        park._history_user = by
        park.save()
    return park


def update_park(*, park, by, **fields):
    """Set ``fields`` on ``park`` (read again and locked: the object given may carry a form's
    values already) and save it as changed by ``by``. Saved unchanged, nothing is stored: its
    history and its "last changed" date stay as they were. Returns the park as stored and
    whether it changed."""
    _check(fields)
    with transaction.atomic():
        current = Park.objects.select_for_update().get(pk=park.pk)
        changed = [name for name, value in fields.items() if not _same(current, name, value)]
        if not changed:
            return current, False
        for name in changed:
            setattr(current, name, fields[name])
        current._history_user = by
        current.save()
    return current, True


def _same(park, name, value):
    """Whether the stored field ``name`` holds ``value`` (a related row, given as an object or
    its key, compares by its key without reading the row)."""
    field = Park._meta.get_field(name)
    if field.is_relation:
        return getattr(park, field.attname) == getattr(value, "pk", value)
    stored = getattr(park, name)
    # A country is stored as a Country, cleaned as its code.
    return getattr(stored, "code", stored) == getattr(value, "code", value)
