"""The founding case loads as the article tells it, and loading it again changes nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.permissions import can_submit_agreement
from agreements.sample_data.demo import create_demo_users
from parks.models import Organisation, Park
from tests.factories import make_park

ILLUSTRATIVE = [
    "DEEPC-ILLUSTRATIVE-FILL",
    "DEEPC-ILLUSTRATIVE-SOLAR",
    "DEEPC-ILLUSTRATIVE-WATER",
    "DEEPC-ILLUSTRATIVE-WIND",
]

COUNTED = [Organisation, Park, Resource, Agreement, Party, ResourceFlow]


def counts():
    return {
        **{model.__name__: model.objects.count() for model in COUNTED},
        "agreement history": Agreement.history.count(),
        "party history": Party.history.count(),
        "flow history": ResourceFlow.history.count(),
    }


@pytest.mark.django_db
def test_loading_the_demo_twice_leaves_the_same_rows():
    call_command("load_demo")
    first = counts()
    call_command("load_demo")

    assert counts() == first
    assert first["Agreement"] == 5


@pytest.mark.django_db
def test_the_founding_agreement_has_its_signatories_witnesses_and_shared_service(demo):
    roles = {p.organisation.slug: p.role for p in demo.parties.select_related("organisation")}
    flow = demo.flows.select_related("resource", "provider", "receiver").get()

    assert demo.signed_on.isoformat() == "2023-09-12"
    assert demo.kind == Agreement.Kind.INDUSTRIAL_URBAN
    assert demo.park.slug == "deep-c"
    assert roles["dinh-vu-ip-jsc"] == Party.Role.SIGNATORY
    assert roles["hai-an-district-police"] == Party.Role.SIGNATORY
    assert {slug for slug, role in roles.items() if role == Party.Role.WITNESS} >= {
        "mpi-dezm",
        "unido",
        "heza",
    }
    assert flow.resource.category == Resource.Category.SERVICE
    assert flow.direction == ResourceFlow.Direction.MUTUAL
    assert {flow.provider.slug, flow.receiver.slug} == {"dinh-vu-ip-jsc", "hai-an-district-police"}
    assert flow.quantity is None  # the article gives no figure


@pytest.mark.django_db
def test_the_demo_invents_no_quantities_and_marks_illustrative_records(demo):
    assert not ResourceFlow.objects.filter(quantity__isnull=False).exists()
    illustrative = Agreement.objects.exclude(pk=demo.pk).order_by("reference")
    assert [agreement.reference for agreement in illustrative] == ILLUSTRATIVE
    for agreement in illustrative:
        assert "illustrative" in agreement.title_en.lower()
        assert agreement.summary.startswith("Illustrative record.")
        for flow in agreement.flows.all():
            assert flow.notes == "Illustrative: the parties of this flow are not published."


@pytest.mark.django_db
def test_only_the_founding_agreement_is_published_the_illustrative_ones_are_drafts(demo):
    assert demo.review_state == Agreement.ReviewState.VERIFIED
    assert list(Agreement.objects.public()) == [demo]
    assert set(
        Agreement.objects.filter(reference__in=ILLUSTRATIVE).values_list("review_state", flat=True)
    ) == {Agreement.ReviewState.DRAFT}
    assert list(ResourceFlow.objects.public().values_list("agreement__reference", flat=True)) == [
        demo.reference
    ]


@pytest.mark.django_db
def test_visitors_never_see_an_illustrative_draft_deep_c_staff_and_heza_do(client, demo):
    create_demo_users()
    users = {user.username: user for user in get_user_model().objects.all()}
    draft = Agreement.objects.get(reference="DEEPC-ILLUSTRATIVE-SOLAR")

    assert client.get(draft.get_absolute_url()).status_code == 404
    for username in ["deepc-staff", "heza-official"]:
        client.force_login(users[username])
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 200
        assert "Rooftop solar power at Deep C (illustrative)" in response.content.decode()
    # Deep C's staff complete and submit it; HEZA's officials verify it once submitted.
    assert can_submit_agreement(users["deepc-staff"], draft)


@pytest.mark.django_db
def test_the_article_does_not_state_deep_cs_eco_industrial_park_status(demo):
    assert demo.park.eip_status == Park.EipStatus.NOT_ASSESSED


@pytest.mark.django_db
def test_loading_again_keeps_an_edited_and_returned_agreement_as_it_is(demo):
    demo.title_en = "Fire-fighting cooperation, Dinh Vu and Hai An (corrected)"
    demo.review_state = Agreement.ReviewState.RETURNED
    demo.review_comment = "Add the signed document."
    demo.save()
    demo.parties.get(organisation__slug="unido").delete()
    draft = Agreement.objects.get(reference="DEEPC-ILLUSTRATIVE-WATER")
    draft.title_en = "Treated wastewater to a tenant (to be confirmed)"
    draft.save()
    before = counts()

    call_command("load_demo")

    demo.refresh_from_db()
    draft.refresh_from_db()
    assert demo.title_en == "Fire-fighting cooperation, Dinh Vu and Hai An (corrected)"
    assert demo.review_state == Agreement.ReviewState.RETURNED
    assert demo.review_comment == "Add the signed document."
    assert not demo.parties.filter(organisation__slug="unido").exists()
    assert draft.title_en == "Treated wastewater to a tenant (to be confirmed)"
    assert draft.review_state == Agreement.ReviewState.DRAFT
    assert counts() == before  # no row written, no history added


@pytest.mark.django_db
def test_loading_again_keeps_corrected_organisations_and_parks(demo):
    elsewhere = make_park(slug="elsewhere")
    Organisation.objects.filter(slug="flat-vietnam").update(park=elsewhere, name_en="Flat Glass")
    Park.objects.filter(slug="deep-c").update(eip_status=Park.EipStatus.TRANSITIONING)

    call_command("load_demo")

    flat = Organisation.objects.get(slug="flat-vietnam")
    assert (flat.park, flat.name_en) == (elsewhere, "Flat Glass")
    assert Park.objects.get(slug="deep-c").eip_status == Park.EipStatus.TRANSITIONING


@pytest.mark.django_db
def test_loading_again_fills_only_the_links_still_empty(demo):
    Organisation.objects.filter(slug="shin-etsu-vietnam").update(park=None)
    Organisation.objects.filter(slug="mpi-dezm").update(successor=None)

    call_command("load_demo")

    assert Organisation.objects.get(slug="shin-etsu-vietnam").park.slug == "deep-c"
    assert Organisation.objects.get(slug="mpi-dezm").successor.slug == "ministry-of-finance"


@pytest.mark.django_db
def test_the_ministry_of_planning_records_its_successor(demo):
    mpi = Organisation.objects.get(slug="mpi-dezm")

    assert mpi.successor.name_en == "Ministry of Finance"


@pytest.mark.django_db
def test_load_demo_with_users_creates_one_account_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    output = capsys.readouterr().out

    for username in ["admin", "deepc-staff", "heza-official"]:
        assert f"created user {username!r} with password" in output
    call_command("load_demo", "--with-users")
    assert "already exist" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_admin_signs_in_with_the_printed_password_and_a_printed_recovery_code(
    settings, capsys, client
):
    settings.DEBUG = True
    settings.MFA_FOR_ADMINS = True
    call_command("load_demo", "--with-users")
    output = capsys.readouterr().out
    password = re.search(r"created user 'admin' with password '([^']+)'", output).group(1)
    key = re.search(r"authenticator app \(time-based\): ([A-Z2-7 ]+)\n", output).group(1)
    codes = re.search(r"recovery codes: ([a-z2-7 ]+)", output).group(1).split()

    client.post(reverse("login"), {"username": "admin", "password": password})
    response = client.post(reverse("accounts:two-factor-verify"), {"code": codes[0]})

    assert len(key.replace(" ", "")) == 32
    assert len(codes) == 10
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
