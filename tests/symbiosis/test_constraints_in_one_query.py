"""A row's check constraints are validated in one query (``symbiosis.constraints``), with
Django's messages, and without those on a field the form leaves out."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agreements.models import Agreement, ResourceFlow
from tests.factories import make_agreement, make_organisation, make_resource

pytestmark = pytest.mark.django_db


def a_flow(**fields):
    first, second = make_organisation(), make_organisation()
    agreement = make_agreement(parties=[first, second], flows=[])
    return ResourceFlow(
        agreement=agreement,
        resource=make_resource(unit="t"),
        provider=first,
        receiver=second,
        unit="t",
        **fields,
    )


def test_every_broken_check_is_reported_with_its_own_message():
    flow = a_flow(quantity=Decimal("-1"))
    flow.receiver = flow.provider

    with pytest.raises(ValidationError) as error:
        flow.validate_constraints()

    assert set(error.value.messages) == {
        "The provider and the receiver must differ.",
        "The quantity cannot be negative.",
    }


def test_a_check_on_a_field_left_out_is_not_asked():
    flow = a_flow(quantity=Decimal("-1"))

    flow.validate_constraints(exclude={"quantity"})  # raises nothing


def test_a_row_that_keeps_every_rule_passes():
    a_flow(quantity=Decimal("2.5")).validate_constraints()


def test_an_agreements_checks_are_asked_in_one_query(django_assert_num_queries):
    agreement = make_agreement()
    checks = [c for c in Agreement._meta.constraints if type(c).__name__ == "CheckConstraint"]
    assert len(checks) >= 5

    # one query in its savepoint (the test runs in a transaction, as every request does)
    with django_assert_num_queries(3):
        agreement.validate_constraints()

    agreement.title_en = agreement.title_vi = ""
    with pytest.raises(ValidationError) as error:
        agreement.validate_constraints()
    assert error.value.messages == ["Give the title in English, in Vietnamese, or both."]
