"""``assert_rejected`` passes only when the write fails on the rule it names."""

import pytest

from parks.models import Organisation, ParkMembership
from tests.constraints import assert_rejected
from tests.factories import make_organisation, make_park, make_user


@pytest.mark.django_db
def test_a_unique_field_is_not_mistaken_for_a_check():
    make_organisation(slug="same")

    with pytest.raises(AssertionError):
        assert_rejected("parks_organisation_has_a_name", lambda: make_organisation(slug="same"))


@pytest.mark.django_db
def test_a_check_is_not_mistaken_for_a_unique_field_or_another_check():
    def nameless():
        Organisation.objects.create(kind="company", slug="nameless")

    with pytest.raises(AssertionError):
        assert_rejected(Organisation._meta.get_field("slug"), nameless)
    with pytest.raises(AssertionError):
        assert_rejected("parks_organisation_level_only_for_agencies", nameless)
    assert_rejected("parks_organisation_has_a_name", nameless)


@pytest.mark.django_db
def test_a_unique_constraint_on_several_columns_is_told_from_a_unique_field():
    user, park = make_user(), make_park()
    ParkMembership.objects.create(user=user, park=park)

    def again():
        ParkMembership.objects.create(user=user, park=park)

    assert_rejected("parks_parkmembership_unique", again)
    with pytest.raises(AssertionError):
        assert_rejected("parks_authoritymembership_unique", again)


def test_a_name_no_model_declares_is_an_error():
    with pytest.raises(AssertionError, match="no model declares"):
        assert_rejected("parks_no_such_rule", lambda: None)
