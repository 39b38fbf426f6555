"""Each rule the database can state rejects a bad row, on SQLite and PostgreSQL alike; the rules
it cannot state, and the messages of those it can, are the model's validation."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from parks.models import Agency, Company, Organisation, Park
from tests.constraints import assert_rejected
from tests.factories import make_agency, make_organisation, make_park


@pytest.mark.django_db
class TestOrganisationConstraints:
    def test_an_organisation_needs_a_name_in_one_language(self):
        assert_rejected(
            "parks_organisation_has_a_name",
            lambda: Organisation.objects.create(kind="company", slug="nameless"),
        )

    def test_only_agencies_have_a_level(self):
        assert_rejected(
            "parks_organisation_level_only_for_agencies",
            lambda: make_organisation(level=Organisation.Level.NATIONAL),
        )

    def test_only_tenants_are_located_in_a_park(self):
        park = make_park()
        assert_rejected("parks_organisation_park_only_for_tenants", lambda: make_agency(park=park))
        for kind in Organisation.TENANT_KINDS:
            assert make_organisation(kind=kind, park=park).park == park

    def test_an_organisation_is_not_its_own_successor(self):
        agency = make_agency()
        agency.successor = agency
        assert_rejected("parks_organisation_not_its_own_successor", agency.save)

    def test_slugs_are_unique(self):
        make_organisation(slug="same")
        assert_rejected(
            Organisation._meta.get_field("slug"), lambda: make_organisation(slug="same")
        )


@pytest.mark.django_db
class TestParkConstraints:
    def test_area_is_not_negative(self):
        assert_rejected("parks_park_area_not_negative", lambda: make_park(area_ha=-1))

    def test_latitude_is_on_the_globe(self):
        assert_rejected("parks_park_latitude_in_range", lambda: make_park(latitude=91))

    def test_longitude_is_on_the_globe(self):
        assert_rejected("parks_park_longitude_in_range", lambda: make_park(longitude=-181))

    def test_a_park_needs_a_name(self):
        assert_rejected(
            "parks_park_has_a_name", lambda: Park.objects.create(slug="x", province="Hai Phong")
        )


def messages_of(organisation):
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    return excinfo.value.message_dict


@pytest.mark.django_db
class TestOrganisationValidation:
    """What the model refuses whoever saves it: the staff's form, the admin, an import."""

    def test_an_organisation_needs_a_name_next_to_the_english_one(self):
        organisation = Organisation(kind="company", slug="nameless", short_name="ABC")

        assert messages_of(organisation) == {
            "name_en": ["Give the name in Vietnamese, in English, or in its own language."]
        }

    def test_only_an_agency_has_a_level_said_next_to_the_level(self):
        organisation = Organisation(kind="company", name_en="New Co", slug="new", level="national")

        assert messages_of(organisation) == {"level": ["Only a government agency has a level."]}

    def test_an_agency_made_through_its_proxy_may_have_a_level(self):
        Agency(name_en="New Authority", slug="new-authority", level="provincial").full_clean()

    def test_a_second_organisation_of_the_same_name_is_refused_accents_and_case_ignored(self):
        make_agency(name_vi="Công an quận Hải An", name_en="Hai An District Police")
        organisation = Organisation(kind="agency", name_en="CONG AN QUAN HAI AN", slug="police")

        assert messages_of(organisation) == {
            NON_FIELD_ERRORS: [
                "Hai An District Police is already in the registry: choose it from the list."
            ]
        }

    def test_an_organisation_edited_is_not_a_duplicate_of_itself(self):
        police = make_agency(name_vi="Công an quận Hải An", name_en="Hai An District Police")
        police.province = "Hải Phòng"

        police.full_clean()

    def test_a_name_containing_another_is_not_a_duplicate(self):
        make_organisation(name_en="Flat Vietnam")

        Organisation(kind="company", name_en="Flat Vietnam Glass", slug="flat-glass").full_clean()


@pytest.mark.django_db
def test_company_and_agency_proxies_see_only_their_kind():
    company = Company.objects.create(name_en="Flat Vietnam", slug="flat")
    agency = Agency.objects.create(name_en="HEZA", slug="heza", level="provincial")

    assert list(Company.objects.all()) == [company]
    assert list(Agency.objects.all()) == [agency]
    assert Organisation.objects.get(pk=company.pk).kind == Organisation.Kind.COMPANY
    assert Organisation.objects.get(pk=agency.pk).kind == Organisation.Kind.AGENCY


@pytest.mark.django_db
def test_organisations_are_found_whatever_the_accents_or_case():
    police = make_agency(name_vi="Công an quận Hải An", name_en="Hai An District Police")
    make_agency(name_vi="Ban Quản lý Khu kinh tế Hải Phòng")

    assert list(Organisation.objects.search("cong an")) == [police]
    assert list(Organisation.objects.search("HẢI AN")) == [police]
    assert list(Organisation.objects.search("quan hai an")) == [police]


@pytest.mark.django_db
def test_a_list_of_organisations_links_each_to_its_own_page():
    organisations = [make_organisation(slug=slug) for slug in ("slug", "a-slug-b", "x_1")]
    url_of = Organisation.absolute_urls()
    assert [url_of(organisation) for organisation in organisations] == [
        organisation.get_absolute_url() for organisation in organisations
    ]
