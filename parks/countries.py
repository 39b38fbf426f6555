"""Countries as ISO 3166-1 codes (django-countries), named in English and in Vietnamese from
django-countries' own catalogue: an organisation or a park is found by its country's name in
either language ("denmark", "dan mach"), whatever language the one who saved it was reading."""

from django.utils import translation
from django_countries import countries


def country_names(code):
    """[the English name, the Vietnamese name] of the country ``code``, or [] for none."""
    if not code or code not in countries:
        return []
    names = []
    for language in ("en", "vi"):
        with translation.override(language):
            names.append(str(countries.name(code)))
    return names
