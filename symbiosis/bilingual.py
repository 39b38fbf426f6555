"""Names kept in English and Vietnamese (and, for organisations, in their own language), shown
in the visitor's language.

The rule (the active language's text, then English, then the organisation's own name, then
whatever is left) is written here twice, from one definition: ``pick`` for a row in hand,
``picked`` for the database to apply while it reads many rows (an export), so that a page and
a file cannot show two names for one thing.
"""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def _in_vietnamese():
    return (get_language() or "en").startswith("vi")


def _order(english, vietnamese, own):
    """The texts in the order a reader in the active language looks for them: their language,
    English, the own name, and Vietnamese last for a reader of English (a name must show)."""
    if _in_vietnamese():
        return (vietnamese, english, own)
    return (english, own, vietnamese)


def pick(english, vietnamese, own=""):
    """The text in the active language, else English, else the own-language text, else the
    Vietnamese one: the first of ``_order`` that is not empty."""
    return next((text for text in _order(english, vietnamese, own) if text), english or "")


def picked(english, vietnamese, own=None):
    """``pick`` as a database expression over the fields ``english``, ``vietnamese`` and, for
    organisations, ``own`` (names or lookups), for the language active when it is made: the
    first of them that is neither empty nor NULL."""
    fields = [field for field in _order(english, vietnamese, own) if field]
    *first, last = fields
    return Coalesce(*(NullIf(F(field), Value("")) for field in first), F(last))


class BilingualNameMixin:
    """``name``: the row's ``name_en``, ``name_vi`` or (where it has one) ``name_own``, in the
    visitor's language (``pick``)."""

    @property
    def name(self):
        return pick(self.name_en, self.name_vi, getattr(self, "name_own", ""))


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
