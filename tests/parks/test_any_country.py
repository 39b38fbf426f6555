"""Organisations of any country in their own names, the kinds of parties real agreements have,
sectors from ISIC Rev. 4, places that are not fenced parks, and search that forgives spelling
(issue 13, items 2 to 5 and the first half of 10)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from parks import sectors
from parks.forms import OrganisationForm, ParkAdminForm
from parks.lookup import find_organisations
from parks.models import Organisation, Park
from parks.provinces import current_province, province_choices, province_names
from symbiosis.search import fold
from tests.constraints import assert_rejected
from tests.factories import make_agreement, make_organisation, make_park, make_park_staff
from tests.vietnamese import page_text


def in_language(language, client=None):
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def asnaes(db):
    """A Danish power station: named in Danish and in English, none in Vietnamese."""
    return make_organisation(
        kind=Organisation.Kind.PUBLIC_UTILITY,
        name_own="Asnæsværket",
        name_own_language="da",
        name_en="Asnaes Power Station",
        country="DK",
        province="Kalundborg",
        slug="asnaes",
    )


class TestFolding:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("asnaes", "Asnæs"),
            ("orsted", "Ørsted"),
            ("dinh vu", "Đình Vũ"),
            ("cong an quan hai an", "Công an quận Hải An"),
            ("lodz", "Łódź"),
            ("strasse", "Straße"),
            ("hyeondae jecheol", "현대 제철"),  # Revised Romanization
            ("beijing", "北京"),
        ],
    )
    def test_a_name_is_found_by_what_a_latin_keyboard_types(self, typed, stored):
        assert fold(typed) in fold(stored)


@pytest.mark.django_db
class TestOwnNames:
    def test_each_reader_sees_their_language_then_english_then_the_own_name(self, asnaes):
        korean = make_organisation(
            name_own="현대제철",
            name_own_language="ko",
            name_vi="Hyundai Steel Việt Nam",
            name_en="",
        )
        own_only = make_organisation(name_own="Kalundborg Forsyning", name_own_language="da")
        own_only.name_en = ""
        own_only.save()

        with translation.override("vi"):
            assert asnaes.name == "Asnaes Power Station"
            assert korean.name == "Hyundai Steel Việt Nam"
            assert own_only.name == "Kalundborg Forsyning"
        with translation.override("en"):
            assert asnaes.name == "Asnaes Power Station"
            assert korean.name == "현대제철"
            assert own_only.name == "Kalundborg Forsyning"

    def test_search_finds_it_by_english_name_own_name_transliterated_and_country(self, asnaes):
        for typed in ["asnaes power", "Asnaesvaerket", "asnæsværket", "Denmark", "dan mach"]:
            assert find_organisations(typed).matches == [asnaes], typed
            assert list(Organisation.objects.search(typed)) == [asnaes], typed

    def test_agreements_are_found_by_their_partys_own_name_and_country(self, asnaes):
        # Its parties' names are copied into it as they are saved (agreements/search.py).
        agreement = make_agreement(parties=[asnaes, make_organisation()])

        assert list(Agreement.objects.search("asnaesvaerket")) == [agreement]
        assert list(Agreement.objects.search("Đan Mạch")) == [agreement]

    def test_its_page_shows_its_names_and_country_in_either_language(self, asnaes):
        url = asnaes.get_absolute_url()

        english = page_text(in_language("en").get(url).content.decode())
        vietnamese = page_text(in_language("vi").get(url).content.decode())

        assert "Asnaes Power Station" in english and "Asnæsværket" in english
        assert "Kalundborg, Denmark" in english
        assert "Kalundborg, Đan Mạch" in vietnamese
        assert "Asnæsværket" in vietnamese

    def test_an_own_name_says_its_language(self):
        organisation = Organisation(kind="company", name_own="Asnæsværket", slug="a")
        with pytest.raises(ValidationError) as excinfo:
            organisation.full_clean()
        assert excinfo.value.message_dict == {
            "name_own_language": ["Say which language that name is in."]
        }
        assert_rejected(
            "parks_organisation_own_name_has_its_language",
            lambda: Organisation.objects.create(kind="company", name_own="Asnæs", slug="b"),
        )

    def test_the_same_own_name_is_a_duplicate(self, asnaes):
        organisation = Organisation(kind="company", name_own="ASNAESVAERKET", slug="x")
        organisation.name_own_language = "da"
        with pytest.raises(ValidationError) as excinfo:
            organisation.full_clean()
        assert "already in the registry" in str(excinfo.value)


@pytest.mark.django_db
class TestKindsAndSectors:
    def test_a_sector_needs_its_sector_and_says_it_is_one(self):
        assert_rejected(
            "parks_organisation_sector_kind_has_a_sector",
            lambda: make_organisation(kind=Organisation.Kind.SECTOR),
        )
        grid = make_organisation(kind=Organisation.Kind.SECTOR, name_en="the grid", sector="35")

        with translation.override("en"):
            assert grid.name == "Sector: the grid"
            assert grid.sector_division.name == (
                "Electricity, gas, steam and air conditioning supply"
            )

    def test_a_sector_is_shown_as_one_on_the_agreement_page(self):
        cement = make_organisation(
            kind=Organisation.Kind.SECTOR, name_en="the cement industry", sector="23"
        )
        agreement = make_agreement(parties=[make_organisation(name_en="Gyproc"), cement])

        page = page_text(in_language("en").get(agreement.get_absolute_url()).content.decode())
        organisation_page = page_text(
            in_language("en").get(cement.get_absolute_url()).content.decode()
        )

        assert "Sector: the cement industry" in page
        assert "A sector, not a named organisation" in organisation_page
        assert "Manufacture of other non-metallic mineral products" in organisation_page

    def test_only_firms_utilities_and_institutes_are_located_in_a_park(self):
        park = make_park()
        farmers = Organisation(
            kind=Organisation.Kind.ASSOCIATION, name_en="Local farmers", slug="f", park=park
        )
        with pytest.raises(ValidationError) as excinfo:
            farmers.full_clean()
        assert "park" in excinfo.value.message_dict

    def test_divisions_are_offered_grouped_by_section_in_both_languages(self):
        assert len(sectors.divisions()) == 88 and len(sectors.sections()) == 21
        with translation.override("vi"):
            groups = dict(sectors.division_choices())
        assert dict(
            groups[
                "D Sản xuất và phân phối điện, khí đốt, nước nóng, hơi nước và điều hoà không khí"
            ]
        )["35"].startswith("35 Sản xuất")
        form = OrganisationForm()
        assert ("23", "23 Manufacture of other non-metallic mineral products") in dict(
            form.fields["sector"].choices
        )["C Manufacturing"]

    @pytest.mark.parametrize(
        ("sector", "code", "error"),
        [
            ("23", "2394", None),
            ("35", "35111", None),
            ("", "2394", None),  # the division follows from the class
            ("23", "2410", "A class code starts with its division's two digits (23)."),
            ("23", "23A", "Give 4 digits (an ISIC or VSIC class) or 5 (a VSIC code), e.g. 2394."),
            ("23", "239", "Give 4 digits (an ISIC or VSIC class) or 5 (a VSIC code), e.g. 2394."),
        ],
    )
    def test_a_class_code_is_four_or_five_digits_within_its_division(self, sector, code, error):
        form = OrganisationForm(
            {
                "kind": "company",
                "name_en": "Aalborg Portland",
                "sector": sector,
                "sector_code": code,
                "country": "DK",
            }
        )
        if error is None:
            assert form.is_valid(), form.errors
            assert form.save().sector == code[:2]
        else:
            assert form.errors["sector_code"] == [error]

    def test_a_sector_outside_isic_is_refused_by_the_database(self):
        assert_rejected(
            "parks_organisation_sector_is_an_isic_division",
            lambda: make_organisation(sector="04"),
        )

    def test_the_dashboard_counts_each_kind(self):
        from agreements.reporting.dashboard import organisations_involved

        grid = make_organisation(kind=Organisation.Kind.SECTOR, name_en="the grid", sector="35")
        farmers = make_organisation(kind=Organisation.Kind.ASSOCIATION, name_en="Farmers")
        make_agreement(parties=[grid, farmers])

        counted = organisations_involved(Agreement.objects.all())

        assert counted["sector"] == 1 and counted["association"] == 1 and counted["total"] == 2


@pytest.mark.django_db
class TestStaffDialog:
    def test_staff_add_a_danish_organisation_with_its_own_name_and_country(self):
        park = make_park()
        client = Client()
        client.force_login(make_park_staff(park))
        data = {
            "kind": "public_utility",
            "name_en": "Kalundborg Utility",
            "name_own": "Kalundborg Forsyning",
            "name_own_language": "da",
            "country": "DK",
            "province": "Kalundborg",
            "sector": "36",
        }

        response = client.post(
            reverse("agreements:organisation-create"),
            {f"organisation-{key}": value for key, value in data.items()},
            HTTP_ACCEPT="application/json",
        )

        assert response.status_code == 201, response.content
        utility = Organisation.objects.get(pk=response.json()["id"])
        assert (utility.country.code, utility.province, utility.sector) == (
            "DK",
            "Kalundborg",
            "36",
        )
        assert utility.name_own == "Kalundborg Forsyning"

    def test_the_dialog_offers_country_province_and_sector(self):
        form = OrganisationForm(prefix="organisation")
        assert form["country"].value() == "VN"
        for name in ["name_own", "name_own_language", "vietnam_province", "province", "sector"]:
            assert name in form.fields

    def test_in_viet_nam_the_province_is_chosen_from_the_list(self):
        typed = OrganisationForm(
            {"kind": "company", "name_en": "New Co", "country": "VN", "province": "Hai Duong"}
        )
        chosen = OrganisationForm(
            {
                "kind": "company",
                "name_en": "New Co",
                "country": "VN",
                "vietnam_province": "Hải Phòng",
            }
        )
        abroad = OrganisationForm(
            {
                "kind": "company",
                "name_en": "New Co",
                "country": "DK",
                "vietnam_province": "Hải Phòng",
            }
        )

        assert typed.errors["vietnam_province"] == [
            "In Viet Nam, choose the province from the list."
        ]
        assert chosen.is_valid(), chosen.errors
        assert chosen.save().province == "Hải Phòng"
        assert "province" in abroad.errors


@pytest.mark.django_db
class TestPlaces:
    def test_today_s_34_provinces_and_the_old_names_they_absorbed(self):
        assert len(province_names()) == 34
        assert current_province("Hải Phòng") == "Hải Phòng"
        assert current_province("Hai Duong") == "Hải Phòng"
        assert current_province("Bình Dương") == "Thành phố Hồ Chí Minh"
        assert current_province("Tỉnh Quảng Nam") == "Đà Nẵng"
        assert current_province("Kalundborg") is None
        with translation.override("en"):
            assert ("Hải Phòng", "Hai Phong") in province_choices()

    def test_a_vietnamese_park_s_province_is_from_the_list(self):
        old = Park(name_en="Old", slug="old", province="Hải Dương")
        with pytest.raises(ValidationError) as excinfo:
            old.full_clean()
        assert excinfo.value.message_dict["province"] == [
            "Hải Dương is now part of Hai Phong: choose Hai Phong."
        ]
        Park(
            name_en="Kalundborg Symbiosis",
            slug="k",
            province="Kalundborg",
            country="DK",
            kind=Park.Kind.MUNICIPALITY,
        ).full_clean()

    def test_the_admin_form_takes_a_choice_in_viet_nam_and_text_elsewhere(self):
        base = {
            "name_en": "Kalundborg Symbiosis",
            "slug": "kalundborg",
            "eip_status": "not_assessed",
        }
        danish = ParkAdminForm(
            {**base, "kind": "municipality", "country": "DK", "province": "Kalundborg"}
        )
        vietnamese = ParkAdminForm(
            {**base, "kind": "industrial_park", "country": "VN", "vietnam_province": "Hải Phòng"}
        )
        neither = ParkAdminForm({**base, "kind": "industrial_park", "country": "VN"})

        assert danish.is_valid(), danish.errors
        assert vietnamese.is_valid(), vietnamese.errors
        assert vietnamese.save().province == "Hải Phòng"
        assert neither.errors["vietnam_province"] == ["Give the province or city."]

    def test_a_park_page_shows_its_kind_and_place_in_either_language(self):
        park = make_park(kind=Park.Kind.MUNICIPALITY, country="DK", province="Kalundborg")
        vietnamese_park = make_park(province="Hải Phòng")

        english = page_text(in_language("en").get(park.get_absolute_url()).content.decode())
        vietnamese = page_text(in_language("vi").get(park.get_absolute_url()).content.decode())
        in_viet_nam = page_text(
            in_language("en").get(vietnamese_park.get_absolute_url()).content.decode()
        )

        assert "Municipality-wide symbiosis" in english
        assert "Kalundborg, Denmark" in english
        assert "Kalundborg, Đan Mạch" in vietnamese
        assert "Hai Phong, Vietnam" in in_viet_nam

    def test_a_park_is_found_by_its_country_name(self):
        park = make_park(name_en="Kalundborg Symbiosis", country="DK", province="Kalundborg")
        park.save()
        assert "dan mach" in park.search_text and "denmark" in park.search_text


@pytest.mark.django_db
def test_an_older_province_name_is_offered_as_the_province_it_is_now_part_of():
    organisation = make_organisation(country="VN", province="Hải Dương")

    form = OrganisationForm(instance=organisation)

    assert form["vietnam_province"].value() == "Hải Phòng"
    assert form["province"].value() == ""


@pytest.mark.django_db
def test_a_sector_and_a_kind_of_place_read_in_vietnamese():
    """Needs the Vietnamese catalogue compiled with i13-vi.json's strings."""
    grid = make_organisation(
        kind=Organisation.Kind.SECTOR, name_vi="lưới điện", name_en="the grid", sector="35"
    )
    park = make_park(kind=Park.Kind.MUNICIPALITY, province="Hải Phòng")

    with translation.override("vi"):
        assert grid.name == "Ngành: lưới điện"
        assert str(Park.Kind.MUNICIPALITY.label) == "Cộng sinh trên toàn đô thị"
    page = page_text(in_language("vi").get(park.get_absolute_url()).content.decode())
    assert "Cộng sinh trên toàn đô thị" in page
    assert "Hải Phòng, Việt Nam" in page
