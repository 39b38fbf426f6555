import pytest
from django.urls import reverse

from symbiosis.addresses import address, addresses
from tests.factories import make_agreement


@pytest.mark.parametrize(
    "reference",
    ["DEEPC-HAIAN-2023", "HĐ 12/2023/HT-PCCC", "A&B #1?x=2", "50% of steam", "~a:b@c"],
)
def test_an_address_is_the_one_reverse_gives(reference):
    for view_name in ("agreements:detail", "agreements:review"):
        address_of = addresses(view_name, "reference")

        assert address_of(reference) == reverse(view_name, kwargs={"reference": reference})


def test_other_arguments_are_kept():
    report_of = addresses("parks:report", "slug", year=2025)

    assert report_of("deep-c") == reverse("parks:report", kwargs={"slug": "deep-c", "year": 2025})


def test_an_address_follows_the_script_prefix(settings):
    from django.urls import set_script_prefix

    set_script_prefix("/registry/")
    try:
        expected = reverse("agreements:detail", kwargs={"reference": "A-1"})
        assert expected.startswith("/registry/")
        assert address("agreements:detail", "reference", "A-1") == expected
    finally:
        set_script_prefix("/")
    assert address("agreements:detail", "reference", "A-1") == "/agreements/A-1/"


def test_an_agreement_links_to_its_page(db):
    agreement = make_agreement(reference="HĐ 12/2023")

    assert agreement.get_absolute_url() == reverse(
        "agreements:detail", kwargs={"reference": "HĐ 12/2023"}
    )
