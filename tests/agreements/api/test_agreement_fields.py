"""An agreement as the API gives it says what its page says: dates as precise as their source,
its kind of symbiosis only once an official has confirmed it, the flow a flow is made from only
where that one's agreement is verified."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, ResourceFlow, SymbiosisKind
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db


def answer(client, agreement):
    return client.get(reverse("api:agreement-detail", args=[agreement.reference])).json()


def test_dates_keep_their_precision_and_an_unknown_start_is_null(client):
    agreement = make_agreement(
        signed_on=datetime.date(1972, 1, 1), signed_on_precision="year", starts_on=None
    )

    data = answer(client, agreement)

    assert data["signed"] == {"date": "1972-01-01", "precision": "year"}
    assert data["start"] is None
    assert data["is_active"] is True


def test_a_kind_of_symbiosis_shows_once_confirmed(client):
    agreement = make_agreement(symbiosis_kind=SymbiosisKind.SHARED_SERVICES)
    flow = agreement.flows.get()
    flow.symbiosis_kind = SymbiosisKind.OUTSIDE_THE_PARK
    flow.save()
    before = answer(client, agreement)

    agreement.symbiosis_kind_confirmed_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    agreement.save()
    after = answer(client, agreement)

    assert (before["symbiosis_kind"], before["flows"][0]["symbiosis_kind"]) == (None, None)
    assert after["symbiosis_kind"] == "shared_services"
    assert after["flows"][0]["symbiosis_kind"] == "outside_the_park"


def test_a_flow_made_from_one_of_an_unpublished_agreement_does_not_name_it(client):
    draft = make_agreement(review_state=Agreement.ReviewState.DRAFT)
    verified = make_agreement(draft.park)
    source = draft.flows.get()
    ResourceFlow.objects.filter(agreement=verified).update(made_from=source)

    assert answer(client, verified)["flows"][0]["made_from"] is None

    Agreement.objects.filter(pk=draft.pk).update(review_state=Agreement.ReviewState.VERIFIED)
    assert answer(client, verified)["flows"][0]["made_from"] == source.pk
