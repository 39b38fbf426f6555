"""Parks maintained by their authority: officials create and edit the parks their agency
manages (national officials and admins any park), every change is in the park's history with
who made it, and the park's page says who maintains it and when it last changed."""

import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from parks.models import Organisation, Park
from tests.agreements.world import make_world
from tests.factories import make_organisation, make_park, make_park_staff

pytestmark = pytest.mark.django_db


def text_of(response):
    return html.unescape(response.content.decode())


def upkeep_of(response):
    """The park page's line on who maintains it and when it last changed."""
    page = text_of(response)
    start = page.index('id="park-upkeep"')
    return " ".join(page[start : page.index("</p>", start)].split())


def park_data(**changes):
    data = {
        "name_en": "Nam Dinh Vu Industrial Park",
        "name_vi": "Khu công nghiệp Nam Đình Vũ",
        "slug": "",
        "kind": Park.Kind.INDUSTRIAL_PARK,
        "country": "VN",
        "vietnam_province": "Hải Phòng",
        "province": "",
        "developer": "",
        "developer_query": "",
        "managing_authority": "",
        "area_ha": "1329.5",
        "established_year": "2014",
        "eip_status": Park.EipStatus.NOT_ASSESSED,
        "latitude": "20.8",
        "longitude": "106.8",
        "website": "",
    }
    data.update(changes)
    return data


def edit_data(park, **changes):
    """The edit form as it opens for ``park``, with ``changes``."""
    opened = {
        "name_en": park.name_en,
        "name_vi": park.name_vi,
        "slug": park.slug,
        "kind": park.kind,
        "country": str(park.country),
        "vietnam_province": park.province,
        "developer": park.developer_id or "",
        "managing_authority": park.managing_authority_id or "",
        "area_ha": "" if park.area_ha is None else str(park.area_ha),
        "established_year": park.established_year or "",
        "eip_status": park.eip_status,
        "latitude": "" if park.latitude is None else str(park.latitude),
        "longitude": "" if park.longitude is None else str(park.longitude),
    }
    return park_data(**{**opened, **changes})


@pytest.fixture
def world(db):
    return make_world()


# Creating a park


def test_an_official_creates_a_park_managed_by_their_agency(client, world):
    developer = make_organisation(name_en="Sao Do Group")
    client.force_login(world.official)

    response = client.post(
        reverse("parks:create"),
        park_data(managing_authority=world.agency.pk, developer_query="Sao Do"),
    )

    park = Park.objects.get(name_en="Nam Dinh Vu Industrial Park")
    assert response.status_code == 302
    assert response["Location"] == park.get_absolute_url()
    assert park.slug == "nam-dinh-vu-industrial-park"  # made from the name, left blank
    assert park.managing_authority == world.agency
    assert park.developer == developer  # found by the name typed
    assert park.province == "Hải Phòng"
    assert park.updated_at is not None
    page = text_of(client.get(response["Location"]))
    assert "Nam Dinh Vu Industrial Park is added to the registry." in page
    # A park the official now maintains: they may edit it.
    assert reverse("parks:update", args=[park.slug]) in page


def test_an_official_of_one_agency_is_offered_only_their_agency_and_cannot_name_another(
    client, world
):
    client.force_login(world.official)

    form = client.get(reverse("parks:create")).context["form"]
    assert list(form.fields["managing_authority"].queryset) == [world.agency]

    response = client.post(
        reverse("parks:create"), park_data(managing_authority=world.other_agency.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["managing_authority"])
    assert not Park.objects.filter(name_en="Nam Dinh Vu Industrial Park").exists()

    # Nor leave it to no agency: they would create a park nobody maintains.
    response = client.post(reverse("parks:create"), park_data())
    assert "managing_authority" in response.context["form"].errors
    assert "Nothing is saved yet" in text_of(response)
    assert not Park.objects.filter(name_en="Nam Dinh Vu Industrial Park").exists()


def test_a_national_official_may_name_any_agency_or_none(client, world):
    client.force_login(world.national_official)

    response = client.post(
        reverse("parks:create"), park_data(managing_authority=world.other_agency.pk)
    )

    assert response.status_code == 302
    assert Park.objects.get(slug="nam-dinh-vu-industrial-park").managing_authority == (
        world.other_agency
    )
    response = client.post(reverse("parks:create"), park_data(name_en="Unmanaged Park"))
    assert response.status_code == 302
    assert Park.objects.get(name_en="Unmanaged Park").managing_authority is None


@pytest.mark.parametrize("role", ["staff", "other_staff"])
def test_park_staff_cannot_create_a_park(client, world, role):
    client.force_login(world.user(role))

    response = client.post(reverse("parks:create"), park_data(managing_authority=world.agency.pk))

    assert response.status_code == 403
    assert not Park.objects.filter(name_en="Nam Dinh Vu Industrial Park").exists()


def test_a_visitor_is_sent_to_sign_in(client, world):
    response = client.get(reverse("parks:create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Bad input


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_en": "", "name_vi": ""}, "name_en", "Give the name in English, in Vietnamese"),
        ({"slug": "deep-c"}, "slug", "Another park already has this slug: choose another one."),
        ({"slug": "new"}, "slug", "is a word the registry's addresses use"),
        ({"slug": "Deep C!"}, "slug", "Enter a valid “slug”"),
        ({"vietnam_province": ""}, "vietnam_province", "Give the province or city."),
        (
            {"vietnam_province": "", "province": "Hai Duong"},
            "vietnam_province",
            "In Viet Nam, choose the province from the list.",
        ),
        ({"latitude": "95"}, "latitude", "less than or equal to 90"),
        ({"area_ha": "-3"}, "area_ha", "greater than or equal to 0"),
        ({"developer_query": "Nowhere Ltd"}, "developer_query", "No company or public utility"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, world, changes, field, message
):
    make_park(slug="deep-c")
    client.force_login(world.official)
    before = Park.objects.count()

    response = client.post(
        reverse("parks:create"), park_data(managing_authority=world.agency.pk, **changes)
    )

    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].errors[field])
    assert message in errors
    assert message.split("“")[0] in text_of(response)
    assert Park.objects.count() == before


def test_a_name_matching_several_developers_offers_them_to_choose_from(client, world):
    first = make_organisation(name_en="Viglacera North")
    second = make_organisation(name_en="Viglacera South")
    make_organisation(kind=Organisation.Kind.AGENCY, name_en="Viglacera Authority", level="")
    client.force_login(world.official)

    response = client.post(
        reverse("parks:create"),
        park_data(managing_authority=world.agency.pk, developer_query="Viglacera"),
    )

    assert response.status_code == 200
    assert "choose the developer in the list above" in text_of(response)
    offered = dict(response.context["form"].fields["developer"].widget.choices)
    assert {first.pk, second.pk} <= set(offered)
    assert all("Authority" not in str(label) for label in offered.values())  # no agency
    assert not Park.objects.filter(name_en="Nam Dinh Vu Industrial Park").exists()

    response = client.post(
        reverse("parks:create"),
        park_data(
            managing_authority=world.agency.pk, developer=second.pk, developer_query="Viglacera"
        ),
    )
    assert response.status_code == 302
    assert Park.objects.get(name_en="Nam Dinh Vu Industrial Park").developer == second


# Editing a park


def test_an_official_edits_their_agencys_park_and_the_history_says_who_changed_what(client, world):
    client.force_login(world.official)

    response = client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, eip_status=Park.EipStatus.TRANSITIONING, area_ha="1800"),
    )

    assert response.status_code == 302
    world.park.refresh_from_db()
    assert world.park.eip_status == Park.EipStatus.TRANSITIONING
    history = client.get(reverse("parks:history", args=[world.park.slug]))
    change = history.context["entries"][0]
    assert change.who == world.official
    assert {(c.label, c.old, c.new) for c in change.changes} == {
        ("area (ha)", "—", "1800.00"),
        (
            "eco-industrial park status",
            "Not assessed",
            "Transitioning to an eco-industrial park",
        ),
    }
    page = text_of(history)
    assert "heza-official" in page
    assert "Transitioning to an eco-industrial park" in page


def test_the_park_history_names_the_developer_and_authority_not_their_keys(client, world):
    developer = make_organisation(name_en="Dinh Vu Industrial Park JSC 2", park=world.park)
    client.force_login(world.national_official)

    client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, developer=developer.pk, managing_authority=world.other_agency.pk),
    )

    changes = {
        c.label: (c.old, c.new)
        for c in client.get(reverse("parks:history", args=[world.park.slug]))
        .context["entries"][0]
        .changes
    }
    assert changes["developer"] == ("—", "Dinh Vu Industrial Park JSC 2")
    assert changes["managing authority"] == (
        "Hai Phong Economic Zone Authority",
        "Quang Ninh Economic Zone Authority",
    )


def test_saved_unchanged_a_park_keeps_its_history_and_date(client, world):
    client.force_login(world.official)
    stored = world.park.updated_at
    records = world.park.history.count()

    response = client.post(reverse("parks:update", args=[world.park.slug]), edit_data(world.park))

    assert response.status_code == 302
    world.park.refresh_from_db()
    assert world.park.updated_at == stored
    assert world.park.history.count() == records
    assert "Nothing was changed" in text_of(client.get(response["Location"]))


def test_a_national_official_edits_any_park(client, world):
    client.force_login(world.national_official)

    response = client.post(
        reverse("parks:update", args=[world.other_park.slug]),
        edit_data(world.other_park, name_vi="Khu công nghiệp Khác"),
    )

    assert response.status_code == 302
    world.other_park.refresh_from_db()
    assert world.other_park.name_vi == "Khu công nghiệp Khác"


@pytest.mark.parametrize("role", ["staff", "other_staff", "other_official"])
def test_staff_and_officials_of_another_agency_cannot_edit_a_park(client, world, role):
    client.force_login(world.user(role))

    response = client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, name_en="Renamed"),
    )

    assert response.status_code == 403
    world.park.refresh_from_db()
    assert world.park.name_en == "Deep C Industrial Park"


def test_an_edit_refused_keeps_the_page_about_the_stored_park(client, world):
    client.force_login(world.official)

    response = client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, name_en="", name_vi="", slug=""),
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "Give the name in English, in Vietnamese, or both." in page
    assert "Edit Deep C Industrial Park" in page
    world.park.refresh_from_db()
    assert world.park.name_en == "Deep C Industrial Park"


def test_a_provincial_official_cannot_hand_their_park_to_another_agency(client, world):
    client.force_login(world.official)

    response = client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, managing_authority=world.other_agency.pk),
    )

    assert response.status_code == 200
    assert "managing_authority" in response.context["form"].errors
    world.park.refresh_from_db()
    assert world.park.managing_authority == world.agency


def test_the_history_is_for_the_parks_staff_and_officials_only(client, world):
    client.force_login(world.other_staff)
    assert client.get(reverse("parks:history", args=[world.park.slug])).status_code == 403
    client.force_login(world.staff)
    page = client.get(reverse("parks:history", args=[world.park.slug]))
    assert page.status_code == 200
    # Staff read the history but do not edit the park.
    assert reverse("parks:update", args=[world.park.slug]) not in text_of(page)


# The public pages


def test_the_park_page_says_who_maintains_it_and_when_it_last_changed_in_both_languages(
    client, world
):
    world.park.updated_at = None
    Park.objects.filter(pk=world.park.pk).update(updated_at=None)
    page = text_of(client.get(world.park.get_absolute_url()))
    assert "This park's record is maintained by Hai Phong Economic Zone Authority." in page
    assert "Last changed" not in page  # not known for a park saved before its history

    client.force_login(world.official)
    client.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, established_year="1997"),
    )
    client.logout()
    world.park.refresh_from_db()

    day = timezone.localtime(world.park.updated_at)
    english = upkeep_of(client.get(world.park.get_absolute_url()))
    with translation.override("en"):
        assert f"Last changed on {date_format(day, 'DATE_FORMAT')}." in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = upkeep_of(client.get(world.park.get_absolute_url()))
    assert "Hồ sơ của khu này do Hai Phong Economic Zone Authority duy trì." in vietnamese
    with translation.override("vi"):
        assert f"Thay đổi lần cuối ngày {date_format(day, 'DATE_FORMAT')}." in vietnamese


def test_the_edit_link_is_shown_to_who_may_edit_and_new_park_to_officials(client, world):
    edit = reverse("parks:update", args=[world.park.slug])
    new = reverse("parks:create")
    assert edit not in text_of(client.get(world.park.get_absolute_url()))
    assert new not in text_of(client.get(reverse("parks:list")))

    client.force_login(world.staff)
    assert edit not in text_of(client.get(world.park.get_absolute_url()))
    assert new not in text_of(client.get(reverse("parks:list")))

    client.force_login(world.official)
    assert edit in text_of(client.get(world.park.get_absolute_url()))
    assert edit not in text_of(client.get(world.other_park.get_absolute_url()))
    assert new in text_of(client.get(reverse("parks:list")))


# Query counts, whatever the number of rows

# Every signed-in page: the session, the user, and the SAVEPOINT and RELEASE of its
# transaction (ATOMIC_REQUESTS), and the user's memberships (of parks and agencies, one query).
SIGNED_IN = 5


@pytest.mark.parametrize("rows", [1, 30])
def test_the_edit_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    world.park.developer = make_organisation(name_en="Dinh Vu JSC")
    world.park.save()
    for _ in range(rows):
        make_organisation(park=world.park)
        make_park_staff(world.park)
        make_park()
    client.force_login(world.national_official)
    url = reverse("parks:update", args=[world.park.slug])

    # the park, the agencies offered, the park's companies offered as developer
    with django_assert_num_queries(SIGNED_IN + 3):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_the_new_park_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_organisation()
        make_park(managing_authority=world.agency)
    client.force_login(world.official)

    # the agencies offered
    with django_assert_num_queries(SIGNED_IN + 1):
        response = client.get(reverse("parks:create"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_the_history_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    client.force_login(world.national_official)
    for number in range(rows):
        client.post(
            reverse("parks:update", args=[world.park.slug]),
            edit_data(world.park, established_year=str(1990 + number)),
        )
        world.park.refresh_from_db()

    # the park, its records with their users, the names of the agency they point to
    with django_assert_num_queries(SIGNED_IN + 3):
        response = client.get(reverse("parks:history", args=[world.park.slug]))
    assert len(response.context["entries"]) == rows + 1  # and its creation


# The public pages are cached: an edit shows at once


@pytest.mark.django_db(transaction=True)
def test_an_edit_shows_at_once_on_the_cached_public_pages(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"}
    }
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    world = make_world()
    visitor, official = Client(), Client()
    official.force_login(world.official)
    assert "Deep C Industrial Park" in text_of(visitor.get(world.park.get_absolute_url()))
    assert "Deep C Industrial Park" in text_of(visitor.get(reverse("parks:list")))

    response = official.post(
        reverse("parks:update", args=[world.park.slug]),
        edit_data(world.park, name_en="Deep C Industrial Zones"),
    )

    assert response.status_code == 302
    assert "Deep C Industrial Zones" in text_of(visitor.get(world.park.get_absolute_url()))
    assert "Deep C Industrial Zones" in text_of(visitor.get(reverse("parks:list")))
    cache.clear()
