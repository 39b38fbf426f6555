"""The API's tests share a registry with things that must never show: an agreement in each
unpublished review state and proposals no official has confirmed, each named with ``HIDDEN`` so
that any answer mentioning one gives it away."""

import pytest

from agreements.models import Agreement
from tests.factories import make_agreement, make_organisation, make_resource, make_user

UNPUBLISHED = [
    Agreement.ReviewState.DRAFT,
    Agreement.ReviewState.SUBMITTED,
    Agreement.ReviewState.RETURNED,
]
TELL_TALE = "hidden"


@pytest.fixture
def hidden(deep_c_network):
    """The demo's network, plus: an agreement in each unpublished state, between an unconfirmed
    organisation and a confirmed one, sharing an unconfirmed resource; and an unconfirmed
    organisation and resource that nothing uses. Returns the hidden references and slugs."""
    staff = make_user()
    proposals = {
        "organisations": [
            make_organisation(
                name_en=f"Organisation proposed {TELL_TALE} {n}", slug=f"{TELL_TALE}-org-{n}"
            )
            for n in range(4)
        ],
        "resources": [
            make_resource(name_en=f"Resource proposed {TELL_TALE} {n}", slug=f"{TELL_TALE}-res-{n}")
            for n in range(4)
        ],
    }
    for row in [*proposals["organisations"], *proposals["resources"]]:
        row.proposed_by, row.confirmed_at = staff, None
        row.save()
    confirmed = make_organisation(name_en="Confirmed partner")
    agreements = []
    for n, state in enumerate(UNPUBLISHED):
        organisation = proposals["organisations"][n]
        agreements.append(
            make_agreement(
                deep_c_network.park,
                reference=f"{TELL_TALE.upper()}-{state}",
                title_en=f"Agreement {TELL_TALE} {state}",
                title_vi=f"Thỏa thuận {TELL_TALE} {state}",
                review_state=state,
                parties=[organisation, confirmed],
                flows=[(proposals["resources"][n], organisation, confirmed)],
            )
        )
    return {
        "references": [a.reference for a in agreements],
        "organisations": [o.slug for o in proposals["organisations"]],
        "resources": [r.slug for r in proposals["resources"]],
    }


@pytest.fixture
def real_cache(settings):
    """A cache that keeps what it is given (the tests' default keeps nothing), empty."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    }
    from django.core.cache import cache

    cache.clear()
    return cache
