"""A name in the visitor's language: the same rule in Python and in the database."""

import pytest
from django.utils import translation

from parks.models import Organisation
from symbiosis.bilingual import pick, picked
from tests.factories import make_organisation

NAMES = [
    ("Hai An District Police", "Công an quận Hải An"),
    ("Hai An District Police", ""),
    ("", "Công an quận Hải An"),
]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_database_picks_the_name_python_picks(db, language):
    for english, vietnamese in NAMES:
        make_organisation(name_en=english, name_vi=vietnamese)

    with translation.override(language):
        in_python = [pick(o.name_en, o.name_vi) for o in Organisation.objects.order_by("pk")]
        in_database = list(
            Organisation.objects.order_by("pk")
            .annotate(shown=picked("name_en", "name_vi"))
            .values_list("shown", flat=True)
        )

    assert in_database == in_python
    expected = {"en": NAMES[0][0], "vi": NAMES[0][1]}[language]
    assert in_database[0] == expected
    # A missing name falls back to the other language, in either language.
    assert in_database[1:] == ["Hai An District Police", "Công an quận Hải An"]
