"""The permission matrix: every URL of the staff-and-review issue (read from the URL resolver:
the views of the register's signed-in pages, ``OWNED_VIEW_MODULES``, and Django's accounts pages)
× every role × GET and POST, against the answer expected. A new URL without a rule here fails."""

import pytest
from django.contrib.auth import views as auth_views
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agreements import permissions
from agreements.models import Agreement, ImportBatch
from tests.agreements.world import make_world
from tests.factories import make_agency, make_agreement, make_official, make_park, make_resource

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "other_staff", "official", "other_official", "admin"]
ROLE_NAMES = {
    "anonymous": "anonymous visitor",
    "staff": "staff of this park",
    "other_staff": "staff of another park",
    "official": "official of the managing agency",
    "other_official": "official of another agency",
    "admin": "admin",
}
LOGIN = "sign-in"  # a redirect to the sign-in page
DRAFT = Agreement.ReviewState.DRAFT
SUBMITTED = Agreement.ReviewState.SUBMITTED
VERIFIED = Agreement.ReviewState.VERIFIED


def answers(*codes):
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


def same(code, anonymous=None):
    return answers(anonymous or code, *[code] * (len(ROLES) - 1))


# name: (state of the agreement the URL is about or None, GET answers, POST answers)
RULES = {
    # The public API answers everyone alike, signed in or not: a draft is no one's to read
    # there, not even its park's staff's or an admin's (they read it on its page).
    "api:agreement-list": (None, same(200), same(405)),
    "api:agreement-detail": (DRAFT, same(404), same(405)),
    "api:park-list": (None, same(200), same(405)),
    "api:park-detail": (None, same(200), same(405)),
    "api:organisation-list": (None, same(200), same(405)),
    "api:organisation-detail": (None, same(200), same(405)),
    "api:resource-list": (None, same(200), same(405)),
    "api:resource-detail": (None, same(200), same(405)),
    "api:flow-list": (None, same(200), same(405)),
    "api:flow-detail": (None, same(200), same(405)),
    "api:schema": (None, same(200), same(405)),
    "api:docs": (None, same(200), same(405)),
    "agreements:mine": (None, same(200, LOGIN), same(405, LOGIN)),
    "agreements:create": (
        None,
        answers(LOGIN, 200, 200, 403, 403, 200),
        answers(LOGIN, 200, 200, 403, 403, 200),
    ),
    "agreements:update": (
        DRAFT,
        answers(LOGIN, 200, 404, 403, 404, 200),
        answers(LOGIN, 200, 404, 403, 404, 200),
    ),
    "agreements:submit": (DRAFT, same(405, LOGIN), answers(LOGIN, 302, 404, 403, 404, 302)),
    "agreements:review": (
        SUBMITTED,
        answers(LOGIN, 403, 404, 200, 404, 200),
        answers(LOGIN, 403, 404, 200, 404, 200),
    ),
    "agreements:document-upload": (
        DRAFT,
        answers(LOGIN, 200, 404, 403, 404, 200),
        answers(LOGIN, 200, 404, 403, 404, 200),
    ),
    "agreements:history": (
        DRAFT,
        answers(LOGIN, 200, 404, 200, 404, 200),
        same(405, LOGIN),
    ),
    # Measured quantities (issue 15): a verified agreement's page is its park's staff's to
    # report on (an empty POST is the form again, with its errors), the officials' over it to
    # read; the review list is every official's (an empty POST accepts nothing, and says so).
    "agreements:quantities": (
        VERIFIED,
        answers(LOGIN, 200, 404, 200, 404, 200),
        answers(LOGIN, 200, 404, 403, 404, 200),
    ),
    "agreements:quantities-review": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 302, 302, 302),
    ),
    "agreements:organisation-search": (None, same(200, LOGIN), same(405, LOGIN)),
    # Officials add organisations too (issue 14: national agencies are theirs to add).
    "agreements:organisation-create": (
        None,
        answers(LOGIN, 200, 200, 200, 200, 200),
        answers(LOGIN, 200, 200, 200, 200, 200),
    ),
    "agreements:resource-create": (
        None,
        answers(LOGIN, 200, 200, 403, 403, 200),
        answers(LOGIN, 200, 200, 403, 403, 200),
    ),
    # The park pages are about the first park (managed by the official's agency).
    "parks:create": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 200, 200, 200),
    ),
    "parks:update": (
        None,
        answers(LOGIN, 403, 403, 200, 403, 200),
        answers(LOGIN, 403, 403, 200, 403, 200),
    ),
    "parks:history": (
        None,
        answers(LOGIN, 200, 403, 200, 403, 200),
        same(405, LOGIN),
    ),
    # A park's symbiosis report and its workbook (issue 15): its staff, its officials, admins.
    "parks:report": (None, answers(LOGIN, 200, 403, 200, 403, 200), same(405, LOGIN)),
    "parks:report-latest": (None, answers(LOGIN, 302, 403, 302, 403, 302), same(405, LOGIN)),
    "parks:report-xlsx": (None, answers(LOGIN, 200, 403, 200, 403, 200), same(405, LOGIN)),
    # Officials of any agency and admins merge duplicates; an empty POST is answered with the
    # form's errors, nothing merged.
    "agreements:organisation-merge": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 200, 200, 200),
    ),
    "agreements:resource-merge": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 200, 200, 200),
    ),
    # A resource's emission factor: officials of any agency and admins (issue 14, item 7).
    "agreements:resource-factor": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 200, 200, 200),
    ),
    "agreements:proposals": (
        None,
        answers(LOGIN, 403, 403, 200, 200, 200),
        answers(LOGIN, 403, 403, 405, 405, 405),
    ),
    # A resource proposed for this park: its officials (and admins) confirm it.
    "agreements:proposal-confirm": (
        None,
        same(405, LOGIN),
        answers(LOGIN, 403, 403, 302, 403, 302),
    ),
    # Importing a spreadsheet (agreements.imports): park staff and officials, into the parks
    # they work for; a batch is its uploader's alone (an empty POST to the upload is the form
    # again; confirming a batch not yet analysed sends back to its preview).
    "agreements:import": (None, same(200, LOGIN), same(200, LOGIN)),
    "agreements:import-template": (None, same(200, LOGIN), same(405, LOGIN)),
    "agreements:import-preview": (
        None,
        answers(LOGIN, 200, 404, 404, 404, 404),
        same(405, LOGIN),
    ),
    "agreements:import-confirm": (
        None,
        same(405, LOGIN),
        answers(LOGIN, 302, 404, 404, 404, 404),
    ),
    "login": (None, same(200), same(200)),
    "logout": (None, same(405), same(302)),
    "password_change": (None, same(200, LOGIN), same(200, LOGIN)),
    "password_change_done": (None, same(200, LOGIN), same(405, LOGIN)),
    "password_reset": (None, same(200), same(200)),
    "password_reset_done": (None, same(200), same(405)),
    "password_reset_confirm": (None, same(200), same(200)),
    "password_reset_complete": (None, same(200), same(405)),
    # Members and accounts (agreements.accounts.members, agreements.accounts.account): a park's
    # members page is its managers', the officials' over it and admins' (an empty POST is an
    # invitation without an address: the page again, with the error); an agency's officials
    # page is its officials' and admins'; a link whose token opens no invitation is refused.
    "parks:members": (
        None,
        answers(LOGIN, 403, 403, 200, 403, 200),
        answers(LOGIN, 403, 403, 200, 403, 200),
    ),
    "accounts:agency-members": (
        None,
        answers(LOGIN, 403, 403, 200, 403, 200),
        answers(LOGIN, 403, 403, 200, 403, 200),
    ),
    "accounts:invitation": (None, same(404), same(404)),
    "accounts:account": (None, same(200, LOGIN), same(200, LOGIN)),
    # Open data (agreements.open_data.views): the verified register, to everyone; read only.
    "open_data:index": (None, same(200), same(405)),
    "open_data:datapackage": (None, same(200), same(405)),
    "open_data:table": (None, same(200), same(405)),
}
# What the URLs that take arguments are given, besides an agreement's reference: fixed values,
# or a function of the world for the pages about one of its parks or agencies (the world's
# first park, managed by the official's agency).
KWARGS = {
    "password_reset_confirm": {"uidb64": "MTIzNDU2", "token": "not-a-token"},
    "parks:update": lambda world: {"slug": world.park.slug},
    "parks:history": lambda world: {"slug": world.park.slug},
    "parks:members": lambda world: {"slug": world.park.slug},
    "parks:report": lambda world: {"slug": world.park.slug, "year": 2024},
    "parks:report-latest": lambda world: {"slug": world.park.slug},
    "parks:report-xlsx": lambda world: {"slug": world.park.slug, "year": 2024},
    "accounts:agency-members": lambda world: {"slug": world.agency.slug},
    "accounts:invitation": {"token": "not-a-token"},
    "open_data:table": {"name": "agreements"},
    "agreements:resource-factor": lambda world: {"slug": world.resource.slug},
    "agreements:import-preview": lambda world: {"pk": staff_batch(world)},
    "agreements:import-confirm": lambda world: {"pk": staff_batch(world)},
    "api:park-detail": lambda world: {"slug": world.park.slug},
    "api:organisation-detail": lambda world: {"slug": world.provider.slug},
    "api:resource-detail": lambda world: {"slug": world.resource.slug},
    "api:flow-detail": lambda world: {"pk": make_agreement(world.park).flows.get().pk},
    "agreements:proposal-confirm": lambda world: {
        "kind": "resource",
        "pk": make_resource(confirmed_at=None, proposed_for_park=world.park).pk,
    },
}


def staff_batch(world):
    """An import batch of one row, uploaded by the staff of the world's park."""
    return ImportBatch.objects.create(
        created_by=world.staff, columns=["Reference"], rows=[[2, "MATRIX-1"]], total=1
    ).pk


# The modules whose views the matrix covers, by URL namespace.
OWNED_VIEW_MODULES = {
    "agreements": {
        "agreements.views.staff",
        "agreements.views.merge",
        "agreements.views.factors",
        "agreements.views.measurements",
        "agreements.imports.views",
    },
    "parks": {
        "agreements.views.parks",
        "agreements.accounts.members",
        "agreements.reporting.report_views",
    },
    "accounts": {"agreements.accounts.members", "agreements.accounts.account"},
    "api": {"agreements.api.views", "agreements.api.docs"},
    "open_data": {"agreements.open_data.views"},
}


def owned_url_names():
    """The URL names of this issue, read from the URL configuration."""
    names = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver):
            continue
        for pattern in entry.url_patterns:
            if not isinstance(pattern, URLPattern):
                continue
            module = pattern.callback.__module__
            if module in OWNED_VIEW_MODULES.get(entry.namespace, ()):
                names.append(f"{entry.namespace}:{pattern.name}")
            elif module == auth_views.__name__:
                names.append(pattern.name)
    return names


OWNED = owned_url_names()
CASES = [(name, role, method) for name in OWNED for role in ROLES for method in ("GET", "POST")]


def test_every_url_of_this_issue_has_a_rule_and_every_rule_a_url():
    assert sorted(OWNED) == sorted(RULES)


@pytest.mark.parametrize(
    ("name", "role", "method"),
    CASES,
    ids=[f"{name}-{role}-{method}" for name, role, method in CASES],
)
def test_permission_matrix(name, role, method):
    world = make_world()
    state, get_answers, post_answers = RULES[name]
    given = KWARGS.get(name, {})
    kwargs = dict(given(world) if callable(given) else given)
    if state is not None:
        agreement = make_agreement(
            world.park, parties=[world.provider, world.receiver], review_state=state
        )
        kwargs["reference"] = agreement.reference
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    path = reverse(name, kwargs=kwargs)

    response = client.get(path) if method == "GET" else client.post(path, {})

    expected = (get_answers if method == "GET" else post_answers)[role]
    explanation = f"{method} {path} as {ROLE_NAMES[role]}"
    if expected == LOGIN:
        assert response.status_code == 302, explanation
        assert response["Location"].startswith(reverse("login") + "?next="), explanation
    else:
        assert response.status_code == expected, explanation
        if expected == 302:
            assert not response["Location"].startswith(reverse("login")), explanation


class TestQuestions:
    """The permission module's answers behind the matrix."""

    def test_internal_agreements_are_those_of_ones_parks_or_overseen_parks(self, db):
        world = make_world()
        here = make_agreement(world.park, review_state=DRAFT)
        elsewhere_verified = make_agreement(world.other_park)

        assert list(permissions.internal_agreements(world.staff)) == [here]
        assert list(permissions.internal_agreements(world.official)) == [here]
        assert list(permissions.internal_agreements(world.other_staff)) == [elsewhere_verified]
        assert set(permissions.internal_agreements(world.national_official)) == {
            here,
            elsewhere_verified,
        }

    def test_reviewers_are_the_managing_agency_and_national_officials(self, db):
        world = make_world()
        agreement = make_agreement(world.park)

        assert set(permissions.reviewers(agreement)) == {world.official, world.national_official}

    def test_an_inactive_official_is_not_emailed(self, db):
        world = make_world()
        world.official.is_active = False
        world.official.save()

        assert world.official not in permissions.reviewers(make_agreement(world.park))


def test_a_national_official_oversees_every_park_and_a_provincial_one_its_own(db):
    heza = make_agency()
    ministry = make_agency(level="national")
    deep_c = make_park(managing_authority=heza)
    other = make_park()

    assert list(permissions.overseen_parks(make_official(heza))) == [deep_c]
    assert set(permissions.overseen_parks(make_official(ministry))) == {deep_c, other}
