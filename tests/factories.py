"""The ``make_*`` helpers the test modules share: each creates what it is named after (an
agreement also gets two signatories and a flow), with defaults that satisfy the models'
constraints and names and slugs made unique by one counter."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from agreements.accounts import two_factor
from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership

_counter = itertools.count(1)


def make_user(username=None, **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="correct horse", **extra
    )


def make_organisation(kind=Organisation.Kind.COMPANY, **fields):
    number = next(_counter)
    fields.setdefault("name_en", f"Organisation {number}")
    fields.setdefault("slug", f"organisation-{number}")
    if kind == Organisation.Kind.AGENCY:
        fields.setdefault("level", Organisation.Level.PROVINCIAL)
    return Organisation.objects.create(kind=kind, **fields)


def make_agency(**fields):
    return make_organisation(kind=Organisation.Kind.AGENCY, **fields)


def make_park(**fields):
    number = next(_counter)
    fields.setdefault("name_en", f"Park {number}")
    fields.setdefault("slug", f"park-{number}")
    fields.setdefault("province", "Hải Phòng")
    return Park.objects.create(**fields)


def make_resource(**fields):
    number = next(_counter)
    fields.setdefault("name_en", f"Resource {number}")
    fields.setdefault("slug", f"resource-{number}")
    fields.setdefault("category", Resource.Category.WATER)
    fields.setdefault("unit", Resource.Unit.CUBIC_METRE)
    return Resource.objects.create(**fields)


def make_agreement(park=None, *, parties=None, flows=None, **fields):
    """An agreement with two signatories and one flow between them, unless told otherwise.

    ``parties``: organisations (signatories); ``flows``: (resource, provider, receiver) tuples.
    """
    number = next(_counter)
    fields.setdefault("reference", f"REF-{number}")
    fields.setdefault("title_en", f"Agreement {number}")
    fields.setdefault("kind", Agreement.Kind.INDUSTRIAL)
    fields.setdefault("starts_on", datetime.date(2023, 9, 12))
    fields.setdefault("review_state", Agreement.ReviewState.VERIFIED)
    agreement = Agreement.objects.create(park=park or make_park(), **fields)
    if parties is None:
        parties = [make_organisation(), make_organisation()]
    for organisation in parties:
        Party.objects.create(agreement=agreement, organisation=organisation)
    if flows is None and len(parties) >= 2:
        flows = [(make_resource(), parties[0], parties[1])]
    for resource, provider, receiver in flows or []:
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=provider, receiver=receiver
        )
    return agreement


def make_park_staff(park, **extra):
    user = make_user(**extra)
    ParkMembership.objects.create(user=user, park=park)
    return user


def make_official(agency, **extra):
    user = make_user(**extra)
    AuthorityMembership.objects.create(user=user, agency=agency)
    return user


def make_two_factor(user):
    """Two-factor sign-in set up for ``user``: returns the authenticator app (its current code is
    ``current_code(device)``) and the ten recovery codes."""
    device = two_factor.unsaved_authenticator(user=user, key=two_factor.new_key())
    codes = two_factor.enrol(user=user, device=device)
    return device, codes


def current_code(device, steps=0):
    """The code the authenticator app shows now (or ``steps`` time steps away), as typed."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    """Six digits the app shows at none of the time steps a code is accepted at."""
    accepted = {current_code(device, steps) for steps in range(-2, 3)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in accepted)


def make_reported_quantity(flow, year, quantity, month=None, state=None, **fields):
    """A measured figure of ``flow`` for ``year`` (or one ``month`` of it), accepted unless told
    otherwise, in the flow's resource's unit unless told otherwise, metered."""
    from agreements.models import ReportedQuantity

    fields.setdefault("unit", flow.resource.unit)
    fields.setdefault("source", ReportedQuantity.Source.METERED)
    return ReportedQuantity.objects.create(
        flow=flow,
        year=year,
        month=month,
        quantity=quantity,
        review_state=state or ReportedQuantity.ReviewState.ACCEPTED,
        **fields,
    )
