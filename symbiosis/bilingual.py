"""Names kept in English and Vietnamese, shown in the visitor's language."""

from django.utils.translation import get_language


def pick(english, vietnamese):
    """The text in the active language, falling back to the other when it is missing."""
    if (get_language() or "en").startswith("vi"):
        return vietnamese or english
    return english or vietnamese


class BilingualNameMixin:
    """``name``: the row's ``name_en`` or ``name_vi``, in the visitor's language."""

    @property
    def name(self):
        return pick(self.name_en, self.name_vi)
