"""Names kept in English and Vietnamese, shown in the visitor's language.

The rule (the active language's text, else the other's) is written here twice, from one
definition: ``pick`` for a row in hand, ``picked`` for the database to apply while it reads
many rows (an export), so that a page and a file cannot show two names for one thing.
"""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def _in_vietnamese():
    return (get_language() or "en").startswith("vi")


def pick(english, vietnamese):
    """The text in the active language, falling back to the other when it is missing."""
    if _in_vietnamese():
        return vietnamese or english
    return english or vietnamese


def picked(english, vietnamese):
    """``pick`` as a database expression over the fields ``english`` and ``vietnamese`` (names
    or lookups), for the language active when it is made: the first field in that language,
    the other where it is empty or NULL."""
    first, other = (vietnamese, english) if _in_vietnamese() else (english, vietnamese)
    return Coalesce(NullIf(F(first), Value("")), F(other))


class BilingualNameMixin:
    """``name``: the row's ``name_en`` or ``name_vi``, in the visitor's language."""

    @property
    def name(self):
        return pick(self.name_en, self.name_vi)


LANGUAGE_SUFFIXES = {"_en": "en", "_vi": "vi"}


def mark_language(name, field):
    """Tell a form field for text in one language (``<name>_en``, ``<name>_vi``) that language
    (``lang``): browsers check its spelling in it, screen readers pronounce it so, and a page in
    the other language can tell the text typed in it from its own words."""
    for suffix, language in LANGUAGE_SUFFIXES.items():
        if name.endswith(suffix):
            field.widget.attrs.setdefault("lang", language)
    return field


def language_marked_formfield(db_field, **kwargs):
    """A ``ModelForm``'s ``Meta.formfield_callback``: each model field's form field, marked
    with its language (``mark_language``)."""
    field = db_field.formfield(**kwargs)
    return field if field is None else mark_language(db_field.name, field)
