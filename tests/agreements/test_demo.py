"""The founding case loads as the article tells it, and loading it again changes nothing."""

import pytest
from django.core.management import call_command

from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import Organisation, Park

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
    for agreement in Agreement.objects.exclude(pk=demo.pk):
        assert "illustrative" in agreement.title_en.lower()
        assert agreement.summary.startswith("Illustrative record.")


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
