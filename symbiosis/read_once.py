"""The rows a form's lists name, read from the database once.

Django reads the object chosen in a ``ModelChoiceField`` with a query of its own, for every
list of every row of a formset; reads each stored row of a model formset twice (once with the
formset's rows, once more for the row's hidden key); and, validating the model, asks again for
every foreign key whether the row it names exists. An agreement saved with a few parties and
flows spent some fifteen queries on that. Here:

- ``RowsRead`` reads what the rows' lists of one queryset chose (every party's organisation and
  every flow's ends, say) in one query, the first time one of them is cleaned;
  ``ReadTogetherChoiceField`` takes its choice from there;
- ``StoredRowField`` is a formset row's hidden key, found among the rows the formset read;
- ``RelationsReadFormMixin`` (for a ``ModelForm``) hands its instance the objects its cleaning
  has just read, and ``RelationsReadMixin`` (for the model) does not ask again whether a
  relation holding one of those very objects exists.

What a value not found so is (a key sent that no row read has, a tampered one) is read and
refused as Django reads and refuses it, with Django's messages. A row deleted between its
reading and the save is refused by the database's foreign key, as it would be after Django's
own check.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# The largest primary key a database stores (a BigAutoField's): a key beyond it is left to
# Django, as SQLite refuses to be asked at all.
LARGEST_PK = 2**63 - 1


def as_key(value):
    """A primary key sent as a form's value, or None when it cannot be one (left to Django)."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if 0 < key <= LARGEST_PK else None


class RowsRead:
    """The objects of ``queryset`` whose keys the rows sent (``sent()``, read when first
    needed: by then every row is built), read in one query the first time one is asked for."""

    def __init__(self, queryset, sent):
        self.queryset = queryset
        self._sent = sent
        self._read = None

    def get(self, key):
        if self._read is None:
            sent = {as_key(value) for value in self._sent()} - {None}
            self._read = self.queryset.in_bulk(sent) if sent else {}
        return self._read.get(key)


class ReadTogetherChoiceField(forms.ModelChoiceField):
    """A row's list whose choice is read with the other rows' (``read_together``: a
    ``RowsRead`` of this field's queryset, set with ``read_with``); without one, or for a value
    it does not hold, as Django reads it."""

    read_together = None

    def read_with(self, rows_read):
        self.queryset = rows_read.queryset
        self.read_together = rows_read

    def to_python(self, value):
        by_key = self.to_field_name in {None, self.queryset.model._meta.pk.name}
        if self.read_together is not None and by_key:
            key = as_key(value) if isinstance(value, str | int) else None
            found = None if key is None else self.read_together.get(key)
            if found is not None:
                return found
        return super().to_python(value)


class StoredRowField(forms.ModelChoiceField):
    """The hidden key of a model formset's row, taken from the rows the formset read
    (``stored``: the formset's ``_existing_object``, {key: row} of its queryset) rather than
    read once more; any other key as Django reads it."""

    def __init__(self, queryset, *, stored, **kwargs):
        super().__init__(queryset, **kwargs)
        self.stored = stored

    def to_python(self, value):
        if not self.to_field_name and isinstance(value, str | int):
            key = as_key(value)
            row = None if key is None else self.stored(key)
            if row is not None:
                return row
        return super().to_python(value)


def stored_row_field(formset, form):
    """Put a ``StoredRowField`` for the hidden key Django's ``add_fields`` gave ``form``."""
    name = formset._pk_field.name
    field = form.fields[name]
    form.fields[name] = StoredRowField(
        field.queryset,
        stored=formset._existing_object,
        initial=field.initial,
        required=field.required,
        widget=field.widget,
    )


class RelationsReadFormMixin:
    """For a ``ModelForm``: the related objects its cleaning read (its cleaned values that are
    stored rows) are handed to its instance before the model is validated, so that
    ``RelationsReadMixin`` does not ask for them again."""

    def _post_clean(self):
        self.instance._relations_read = {
            name: value
            for name, value in self.cleaned_data.items()
            if isinstance(value, models.Model) and not value._state.adding
        }
        super()._post_clean()


class RelationsReadMixin:
    """For a model: ``clean_fields`` does not ask the database whether the row a foreign key
    names exists when the key holds the very object its form has just read
    (``RelationsReadFormMixin``); every other field and relation is checked as Django checks
    it. The objects handed over hold for one validation."""

    def clean_fields(self, exclude=None):
        read = self.__dict__.pop("_relations_read", {})
        skipped = set()
        for name, value in read.items():
            try:
                field = self._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if (
                isinstance(field, models.ForeignKey)
                and field.get_cached_value(self, None) is value
                and getattr(self, field.attname) == getattr(value, field.target_field.attname)
                and getattr(self, field.attname) is not None
            ):
                skipped.add(name)
        super().clean_fields(exclude={*(exclude or ()), *skipped})
