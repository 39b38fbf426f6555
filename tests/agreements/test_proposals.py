"""Park staff propose resources and organisations from the agreement form; officials confirm
them, on their own or by verifying an agreement that uses them (issue 14, items 4 and 5).

A proposal is usable at once in the proposer's park's drafts, offered to no other park, and on
no public page until confirmed; staff cannot add a national or international agency."""

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Resource
from parks.models import Organisation
from tests.agreements.entry import flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_park_staff, make_resource

pytestmark = pytest.mark.django_db
State = Agreement.ReviewState
PROJECT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def world(db):
    return make_world()


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response):
    content = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def resource_fields(**fields):
    data = {
        "resource-name_en": "Steam",
        "resource-name_vi": "Hơi nước",
        "resource-category": Resource.Category.ENERGY,
        "resource-unit": Resource.Unit.GIGAJOULE,
        "resource-waste_code": "",
    }
    data.update({f"resource-{key}": value for key, value in fields.items()})
    return data


def propose_resource(client, park, **fields):
    return client.post(
        reverse("agreements:resource-create"),
        resource_fields(park=park.pk if park else "", **fields),
        HTTP_ACCEPT="application/json",
    )


def propose_organisation(client, **fields):
    data = {"organisation-kind": "company", "organisation-name_en": "Dinh Vu Steam Co."}
    data.update({f"organisation-{key}": value for key, value in fields.items()})
    return client.post(
        reverse("agreements:organisation-create"), data, HTTP_ACCEPT="application/json"
    )


def public_get(path):
    return Client().get(path)


# --- Proposing a resource ------------------------------------------------------------------


def test_staff_propose_a_resource_from_the_dialog_and_it_waits_for_an_official(world):
    response = propose_resource(client_for(world.staff), world.park)

    assert response.status_code == 201
    resource = Resource.objects.get(pk=response.json()["id"])
    assert response.json()["label"] == "Steam (GJ), proposed, awaiting confirmation"
    assert (resource.name_vi, resource.category, resource.unit) == ("Hơi nước", "energy", "GJ")
    assert resource.proposed_by == world.staff
    assert resource.proposed_for_park == world.park
    assert not resource.is_confirmed
    assert resource.slug == "steam"


def test_the_page_without_javascript_proposes_a_resource_and_says_it_waits(world):
    client = client_for(world.staff)

    form_page = client.get(reverse("agreements:resource-create"))
    response = client.post(
        reverse("agreements:resource-create"), resource_fields(park=world.park.pk), follow=True
    )

    assert form_page.status_code == 200
    assert "Propose a missing resource" in text_of(form_page)
    assert response.redirect_chain[-1][0] == reverse("agreements:resource-create")
    page = text_of(response)
    assert "Steam is added." in page
    assert "it shows on the public pages once an official has confirmed it" in page
    assert Resource.objects.unconfirmed().filter(name_en="Steam").count() == 1


def test_the_dialog_page_is_in_vietnamese_too(world):
    response = client_for(world.staff).get(
        reverse("agreements:resource-create"), HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name_en": "", "name_vi": ""}, "Give the name in Vietnamese, in English"),
        ({"unit": "furlong"}, "Select a valid choice."),
        ({"waste_code": "101112"}, "Use the European List of Waste form"),
        ({"name_en": "fire-fighting CAPACITY", "name_vi": ""}, "is already in the registry"),
    ],
)
def test_a_bad_resource_comes_back_with_the_message_and_nothing_is_saved(world, fields, message):
    before = Resource.objects.count()

    response = propose_resource(client_for(world.staff), world.park, **fields)

    assert response.status_code == 400
    assert message in html.unescape(response.json()["html"])
    assert Resource.objects.count() == before


def test_staff_cannot_propose_a_resource_for_a_park_they_do_not_work_in(world):
    response = propose_resource(client_for(world.staff), world.other_park)

    assert response.status_code == 400
    assert "Select a valid choice" in response.json()["html"]
    assert not Resource.objects.filter(name_en="Steam").exists()


def test_an_admins_resource_is_confirmed_at_once(world):
    response = propose_resource(client_for(world.admin), None)

    assert response.status_code == 201
    resource = Resource.objects.get(pk=response.json()["id"])
    assert resource.is_confirmed
    assert resource.confirmed_by == world.admin
    assert resource.proposed_for_park is None


def test_a_proposed_resource_is_offered_in_its_park_and_nowhere_else(world):
    steam = Resource.objects.get(
        pk=propose_resource(client_for(world.staff), world.park).json()["id"]
    )
    option = f'<option value="{steam.pk}">Steam (GJ), proposed, awaiting confirmation</option>'

    own = client_for(world.staff).get(reverse("agreements:create"))
    other = client_for(world.other_staff).get(reverse("agreements:create"))

    assert option in own.content.decode()
    assert "Steam (GJ)" not in other.content.decode()


def test_staff_use_their_proposed_resource_in_a_draft_at_once(world):
    client = client_for(world.staff)
    steam = Resource.objects.get(pk=propose_resource(client, world.park).json()["id"])

    response = client.post(
        reverse("agreements:create"),
        new_agreement_data(
            park=world.park,
            parties=[party(world.provider), party(world.receiver)],
            flows=[flow(steam, world.provider, world.receiver)],
        ),
    )

    assert response.status_code == 302
    agreement = Agreement.objects.get(reference="DEEPC-2024-001")
    assert list(agreement.flows.values_list("resource", flat=True)) == [steam.pk]


def test_another_parks_staff_cannot_use_the_proposed_resource(world):
    steam = Resource.objects.get(
        pk=propose_resource(client_for(world.staff), world.park).json()["id"]
    )
    elsewhere = [
        Organisation.objects.create(kind="company", name_en=f"Firm {n}", slug=f"firm-{n}")
        for n in range(2)
    ]

    response = client_for(world.other_staff).post(
        reverse("agreements:create"),
        new_agreement_data(
            park=world.other_park,
            parties=[party(elsewhere[0]), party(elsewhere[1])],
            flows=[flow(steam, *elsewhere)],
        ),
    )

    assert response.status_code == 200
    assert "That resource is not offered in your parks' agreements" in text_of(response)
    assert not Agreement.objects.exists()


def test_the_agreement_form_takes_the_same_number_of_queries_whatever_the_proposals(
    world, django_assert_num_queries
):
    client = client_for(world.staff)
    client.get(reverse("agreements:create"))  # sessions and caches warmed
    with django_assert_num_queries(9) as one:
        client.get(reverse("agreements:create"))
    for number in range(5):
        make_resource(name_en=f"Proposed {number}", confirmed_at=None, proposed_for_park=world.park)
        make_resource(
            name_en=f"Elsewhere {number}", confirmed_at=None, proposed_for_park=world.other_park
        )

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("agreements:create"))

    page = response.content.decode()
    assert all(
        f"Proposed {number} (m³), proposed, awaiting confirmation" in page for number in range(5)
    )
    assert "Elsewhere" not in page


# --- Proposing an organisation (item 5) -----------------------------------------------------


def test_staffs_organisation_waits_for_an_official_and_has_no_public_page(world):
    response = propose_organisation(client_for(world.staff))

    assert response.status_code == 201
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.proposed_by == world.staff
    assert not organisation.is_confirmed
    assert public_get(organisation.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "agency", "level": "national", "name_en": "Ministry of Steam"},
            "Only officials add national and international agencies",
        ),
        (
            {"kind": "agency", "level": "international", "name_en": "Steam Council"},
            "Only officials add national and international agencies",
        ),
        (
            {"kind": "international", "name_en": "Steam Council"},
            "Only officials add international organisations",
        ),
    ],
)
def test_staff_cannot_add_a_national_or_international_body(world, fields, message):
    before = Organisation.objects.count()

    response = propose_organisation(client_for(world.staff), **fields)
    page = client_for(world.staff).post(
        reverse("agreements:organisation-create"),
        {f"organisation-{key}": value for key, value in fields.items()},
    )

    assert response.status_code == 400
    assert message in html.unescape(response.json()["html"])
    assert page.status_code == 200
    assert message in text_of(page)
    assert Organisation.objects.count() == before


def test_staff_may_add_a_provincial_agency(world):
    response = propose_organisation(
        client_for(world.staff), kind="agency", level="provincial", name_en="Steam Department"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("role", ["official", "admin"])
def test_officials_and_admins_add_a_national_agency_confirmed_at_once(world, role):
    user = getattr(world, role)

    response = propose_organisation(
        client_for(user), kind="agency", level="national", name_en="Ministry of Steam"
    )

    assert response.status_code == 201
    ministry = Organisation.objects.get(pk=response.json()["id"])
    assert (ministry.is_confirmed, ministry.confirmed_by) == (True, user)
    assert public_get(ministry.get_absolute_url()).status_code == 200


# --- Public pages ---------------------------------------------------------------------------


def test_proposals_show_on_no_public_page_until_confirmed(world):
    client = client_for(world.staff)
    steam = Resource.objects.get(pk=propose_resource(client, world.park).json()["id"])
    firm = Organisation.objects.get(pk=propose_organisation(client).json()["id"])
    # A tenant of the park, as an admin could have placed it.
    Organisation.objects.filter(pk=firm.pk).update(park=world.park)

    assert public_get(steam.get_absolute_url()).status_code == 404
    assert public_get(firm.get_absolute_url()).status_code == 404
    assert "Steam" not in text_of(public_get(reverse("agreements:resource-list")))
    assert "Dinh Vu Steam" not in text_of(public_get(world.park.get_absolute_url()))

    steam.confirm(by=world.official)
    firm.confirm(by=world.official)

    assert public_get(steam.get_absolute_url()).status_code == 200
    assert public_get(firm.get_absolute_url()).status_code == 200
    assert "Steam" in text_of(public_get(reverse("agreements:resource-list")))
    assert "Dinh Vu Steam" in text_of(public_get(world.park.get_absolute_url()))


@pytest.mark.django_db(transaction=True)  # real commits: invalidation runs on commit
def test_confirming_drops_the_cached_public_pages(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"}
    }
    cache.clear()
    world = make_world()
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.park)
    listing = reverse("agreements:resource-list")
    assert "Steam" not in text_of(public_get(listing))  # now stored

    client_for(world.official).post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "resource", "pk": steam.pk})
    )

    assert "Steam" in text_of(public_get(listing))
    cache.clear()


# --- Review: submitting puts them in the review, verifying confirms them ----------------------


def test_the_whole_story_staff_propose_submit_and_the_official_verifies(world):
    staff = client_for(world.staff)
    steam = Resource.objects.get(pk=propose_resource(staff, world.park).json()["id"])
    firm = Organisation.objects.get(pk=propose_organisation(staff).json()["id"])
    staff.post(
        reverse("agreements:create"),
        new_agreement_data(
            park=world.park,
            parties=[party(firm), party(world.receiver)],
            flows=[flow(steam, firm, world.receiver)],
        ),
    )
    agreement = Agreement.objects.get(reference="DEEPC-2024-001")
    assert (
        staff.post(
            reverse("agreements:submit", kwargs={"reference": agreement.reference})
        ).status_code
        == 302
    )
    assert public_get(steam.get_absolute_url()).status_code == 404

    official = client_for(world.official)
    review_url = reverse("agreements:review", kwargs={"reference": agreement.reference})
    review = text_of(official.get(review_url))
    assert "New resources / organisations proposed with this agreement" in review
    assert "Hơi nước" in review and "Dinh Vu Steam Co." in review and "deepc-staff" in review

    response = official.post(review_url, {"decision": "verify", "comment": ""})

    assert response.status_code == 302
    steam.refresh_from_db()
    firm.refresh_from_db()
    assert (steam.is_confirmed, steam.confirmed_by) == (True, world.official)
    assert (firm.is_confirmed, firm.confirmed_by) == (True, world.official)
    assert public_get(steam.get_absolute_url()).status_code == 200
    assert "Shared fire-fighting" in text_of(public_get(firm.get_absolute_url()))


def test_returning_an_agreement_leaves_its_proposals_waiting(world):
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.park)
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.receiver],
        flows=[(steam, world.provider, world.receiver)],
        review_state=State.SUBMITTED,
    )

    client_for(world.official).post(
        reverse("agreements:review", kwargs={"reference": agreement.reference}),
        {"decision": "return", "comment": "Which steam?"},
    )

    steam.refresh_from_db()
    assert not steam.is_confirmed


def test_a_review_without_proposals_does_not_mention_them(world):
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.SUBMITTED
    )

    page = text_of(
        client_for(world.official).get(
            reverse("agreements:review", kwargs={"reference": agreement.reference})
        )
    )

    assert "proposed with this agreement" not in page


# --- The officials' queue ---------------------------------------------------------------------


def test_officials_see_their_parks_proposals_and_confirm_one(world):
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.park)
    make_resource(name_en="Far steam", confirmed_at=None, proposed_for_park=world.other_park)
    firm = Organisation.objects.get(pk=propose_organisation(client_for(world.staff)).json()["id"])
    official = client_for(world.official)

    queue = text_of(official.get(reverse("agreements:proposals")))
    assert "Confirm Steam" in queue and "Confirm Dinh Vu Steam Co." in queue
    assert "Far steam" not in queue

    response = official.post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "resource", "pk": steam.pk}),
        follow=True,
    )

    assert "Steam is confirmed: it shows on the public pages." in text_of(response)
    steam.refresh_from_db()
    firm.refresh_from_db()
    assert (steam.is_confirmed, steam.confirmed_by) == (True, world.official)
    assert not firm.is_confirmed


def test_an_official_of_another_agency_cannot_confirm_a_parks_resource(world):
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.park)

    response = client_for(world.other_official).post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "resource", "pk": steam.pk})
    )

    assert response.status_code == 403
    steam.refresh_from_db()
    assert not steam.is_confirmed


def test_a_national_official_confirms_any_parks_resource(world):
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.other_park)

    client_for(world.national_official).post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "resource", "pk": steam.pk})
    )

    steam.refresh_from_db()
    assert steam.confirmed_by == world.national_official


def test_an_unknown_kind_of_proposal_is_not_found(world):
    response = client_for(world.admin).post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "park", "pk": world.park.pk})
    )

    assert response.status_code == 404


def test_the_queue_takes_the_same_number_of_queries_whatever_the_proposals(
    world, django_assert_num_queries
):
    official = client_for(world.official)
    make_resource(name_en="Steam 0", confirmed_at=None, proposed_for_park=world.park)
    with django_assert_num_queries(7) as one:
        official.get(reverse("agreements:proposals"))
    staff = make_park_staff(world.park)
    for number in range(1, 6):
        make_resource(
            name_en=f"Steam {number}",
            confirmed_at=None,
            proposed_for_park=world.park,
            proposed_by=staff,
        )
        Organisation.objects.create(
            kind="company",
            name_en=f"Firm {number}",
            slug=f"firm-{number}",
            confirmed_at=None,
            proposed_by=staff,
        )

    with django_assert_num_queries(len(one.captured_queries)):
        response = official.get(reverse("agreements:proposals"))

    assert text_of(response).count("Confirm Steam") == 6


def test_the_queue_says_when_nothing_waits(world):
    page = text_of(client_for(world.official).get(reverse("agreements:proposals")))

    assert "Nothing awaits confirmation." in page


# --- The migration: rows stored before it are confirmed ----------------------------------------


WRITE_BEFORE = """
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state(
    [("parks", "0003_organisations_of_any_country_and_kinds_of_place"),
     ("agreements", "0015_agreement_date_precision")]
).apps
Organisation = apps.get_model("parks", "Organisation")
Resource = apps.get_model("agreements", "Resource")
Organisation.objects.create(kind="company", name_en="Asnaes Power Station", slug="asnaes")
Organisation.objects.create(kind="agency", name_en="HEZA", slug="heza", level="provincial")
Resource.objects.create(name_en="Steam", slug="steam", category="energy", unit="GJ")
"""

READ_AFTER = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state(
    [("parks", "0007_proposed_and_confirmed_organisations"),
     ("agreements", "0019_proposed_and_confirmed_resources")]
).apps
rows = {
    "organisations": list(
        apps.get_model("parks", "Organisation").objects.order_by("slug").values_list(
            "slug", "confirmed_at", "confirmed_by", "proposed_by"
        )
    ),
    "resources": list(
        apps.get_model("agreements", "Resource").objects.values_list(
            "slug", "confirmed_at", "confirmed_by", "proposed_by", "proposed_for_park"
        )
    ),
}
print(json.dumps({
    name: [[value is not None if index == 1 else value for index, value in enumerate(row)]
           for row in values]
    for name, values in rows.items()
}))
"""


def manage(database_url, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rows_stored_before_proposals_are_kept_and_confirmed(empty_database):
    manage(empty_database, "migrate", "--noinput", "agreements", "0015_agreement_date_precision")
    manage(empty_database, "shell", "-c", WRITE_BEFORE)

    manage(
        empty_database,
        "migrate",
        "--noinput",
        "agreements",
        "0019_proposed_and_confirmed_resources",
    )
    after = json.loads(manage(empty_database, "shell", "-c", READ_AFTER).strip().splitlines()[-1])

    # Every row kept, each confirmed (at the migration's time), by no one, proposed by no one.
    assert after == {
        "organisations": [["asnaes", True, None, None], ["heza", True, None, None]],
        "resources": [["steam", True, None, None, None]],
    }
    # And back: the migrations unwind, the rows still there.
    manage(empty_database, "migrate", "--noinput", "agreements", "0015_agreement_date_precision")
    manage(
        empty_database,
        "migrate",
        "--noinput",
        "parks",
        "0003_organisations_of_any_country_and_kinds_of_place",
    )


def test_an_official_confirms_a_proposed_organisation_on_its_own(world):
    firm = Organisation.objects.get(pk=propose_organisation(client_for(world.staff)).json()["id"])

    response = client_for(world.other_official).post(
        reverse("agreements:proposal-confirm", kwargs={"kind": "organisation", "pk": firm.pk}),
        follow=True,
    )

    assert "Dinh Vu Steam Co. is confirmed" in text_of(response)
    assert public_get(firm.get_absolute_url()).status_code == 200


def test_confirming_twice_says_it_was_already_confirmed(world):
    url = reverse(
        "agreements:proposal-confirm", kwargs={"kind": "resource", "pk": world.resource.pk}
    )

    response = client_for(world.official).post(url, follow=True)

    assert "Fire-fighting capacity was already confirmed." in text_of(response)
    world.resource.refresh_from_db()
    assert world.resource.confirmed_by is None  # as it was


def test_the_dashboard_links_to_the_proposals(world):
    page = client_for(world.official).get(reverse("agreements:dashboard")).content.decode()

    assert f'href="{reverse("agreements:proposals")}"' in page


def test_the_proposals_page_is_in_vietnamese_too(world):
    response = client_for(world.official).get(
        reverse("agreements:proposals"), HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_a_draft_names_its_proposals_without_linking_to_pages_they_do_not_have_yet(world):
    steam = make_resource(name_en="Steam", confirmed_at=None, proposed_for_park=world.park)
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.receiver],
        flows=[(steam, world.provider, world.receiver)],
        review_state=State.DRAFT,
    )

    page = client_for(world.staff).get(agreement.get_absolute_url()).content.decode()

    assert "Steam" in page
    assert steam.get_absolute_url() not in page
    assert world.provider.get_absolute_url() in page


def test_a_resource_called_new_gets_a_page_of_its_own(world):
    response = propose_resource(client_for(world.admin), None, name_en="New", name_vi="")

    resource = Resource.objects.get(pk=response.json()["id"])
    assert resource.slug == "new-2"  # /resources/new/ is the form
    assert public_get(resource.get_absolute_url()).status_code == 200
