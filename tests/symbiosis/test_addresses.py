import pytest
from django.urls import reverse

from symbiosis.addresses import addresses


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
