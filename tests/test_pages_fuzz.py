"""Every page's query parameters driven by Hypothesis: whatever a link, a bookmark or a visitor
puts in the address (any text, numbers no database stores, any script, parameters the page does
not know, one given twice), the page answers, never with a server error.

``PAGES`` lists each page with who opens it and the parameters it reads; a page added to the
URLs without a line here fails ``test_every_page_is_fuzzed``.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.models import Agreement, Document, ImportBatch, Resource
from parks.models import AuthorityMembership, Organisation, ParkMembership
from tests.factories import make_agreement, make_user

pytestmark = pytest.mark.django_db

FILTERS = ["q", "park", "kind", "category", "year", "status", "page"]
DASHBOARD_FILTERS = ["park", "province", "kind", "category", "signed_from", "signed_to"]
# (URL name, who opens it, the parameters it reads): the URL's own arguments come from the demo.
PAGES = [
    ("home", "anonymous", []),
    ("healthz", "anonymous", []),
    ("favicon", "anonymous", []),
    ("set_language", "anonymous", ["next", "language"]),
    ("login", "anonymous", ["next"]),
    ("password_reset", "anonymous", []),
    ("agreements:list", "anonymous", FILTERS),
    ("agreements:list", "official", FILTERS),
    ("agreements:detail", "anonymous", []),
    ("agreements:resource-list", "anonymous", []),
    ("agreements:resource-detail", "anonymous", ["page"]),
    ("agreements:resource-factor", "official", []),
    ("agreements:document-download", "staff", []),
    ("agreements:mine", "staff", ["state", "page"]),
    ("agreements:mine", "official", ["state", "page"]),
    ("agreements:create", "staff", ["park"]),
    ("agreements:update", "staff", []),
    ("agreements:review", "official", []),
    ("agreements:document-upload", "staff", []),
    ("agreements:history", "staff", []),
    ("agreements:quantities", "staff", ["correct"]),
    ("agreements:quantities", "official", ["correct"]),
    ("agreements:quantities-review", "official", ["page"]),
    ("agreements:organisation-search", "staff", ["q"]),
    ("agreements:organisation-create", "staff", []),
    ("agreements:organisation-merge", "official", ["duplicate", "keep"]),
    ("agreements:resource-merge", "official", ["duplicate", "keep"]),
    ("agreements:resource-create", "staff", []),
    ("agreements:proposals", "official", []),
    ("agreements:dashboard", "official", DASHBOARD_FILTERS),
    ("agreements:export-csv", "official", DASHBOARD_FILTERS),
    ("agreements:export-xlsx", "official", DASHBOARD_FILTERS),
    ("agreements:import", "staff", []),
    ("agreements:import-template", "staff", []),
    ("agreements:import-preview", "staff", ["page"]),
    ("accounts:two-factor", "staff", []),
    ("accounts:two-factor-enrol", "staff", ["next"]),
    ("accounts:two-factor-qr", "staff", []),
    ("accounts:two-factor-verify", "anonymous", ["next"]),
    ("accounts:two-factor-codes", "staff", []),
    ("accounts:account", "staff", []),
    ("accounts:agency-members", "official", []),
    ("accounts:invitation", "anonymous", []),
    ("parks:members", "official", []),
    ("parks:list", "anonymous", ["page"]),
    ("parks:map", "anonymous", []),
    ("parks:detail", "anonymous", ["page"]),
    ("parks:organisation-detail", "anonymous", ["page", "flows_page"]),
    ("parks:create", "official", []),
    ("parks:update", "official", []),
    ("parks:history", "staff", []),
    ("parks:report", "staff", []),
    ("parks:report-latest", "staff", ["year"]),
    ("parks:report-xlsx", "official", []),
    # The public API (agreements/api/): its lists, details, schema and documentation page;
    # tests/agreements/api/test_contract.py drives it from its schema too.
    ("api:agreement-list", "anonymous", [*FILTERS, "symbiosis_kind", "page_size"]),
    ("api:agreement-detail", "anonymous", []),
    ("api:park-list", "anonymous", ["page", "page_size"]),
    ("api:park-detail", "anonymous", []),
    ("api:organisation-list", "anonymous", ["page", "page_size"]),
    ("api:organisation-detail", "anonymous", []),
    ("api:resource-list", "anonymous", ["page", "page_size"]),
    ("api:resource-detail", "anonymous", []),
    ("api:flow-list", "anonymous", ["page", "page_size"]),
    ("api:flow-detail", "anonymous", []),
    ("api:schema", "anonymous", ["format", "lang"]),
    ("api:docs", "anonymous", []),
    ("open_data:index", "anonymous", []),
    ("open_data:datapackage", "anonymous", []),
    ("open_data:table", "anonymous", []),
    (
        "admin:agreements_agreement_changelist",
        "admin",
        ["q", "p", "o", "review_state__exact", "kind__exact", "park__id__exact"]
        + ["signed_on__year", "signed_on__month", "signed_on__day", "all", "e", "_to_field"],
    ),
    ("admin:parks_organisation_changelist", "admin", ["q", "p", "o", "kind__exact"]),
    ("admin:agreements_agreement_change", "admin", ["_changelist_filters", "_to_field"]),
    ("admin:agreements_agreement_history", "admin", ["p"]),
    (
        "admin:autocomplete",
        "admin",
        ["term", "app_label", "model_name", "field_name", "page"],
    ),
]
# Pages not fuzzed here, and why.
NOT_FUZZED = {
    "logout": "takes POST only",
    "agreements:submit": "takes POST only",
    "agreements:proposal-confirm": "takes POST only",
    "agreements:import-confirm": "takes POST only",
    "accounts:two-factor-off": "takes POST only",
}

# Any text but surrogates (no browser sends them); NUL bytes are fuzzed on their own below.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["0", "-1", "1e400", "٣", "１２", "9" * 60, "2023-02-30", "10000-01-01"]),
)


# A request is quick: five times the profile's examples, so that each page gets a few.
EXAMPLES = settings(max_examples=5 * settings.default.max_examples)


def values(text):
    return st.one_of(text, NUMBERS, st.sampled_from(["", "active", "expired", "verified"]))


def query(text):
    """Pairs of a page's parameter (or any name) and any value, a name now and then twice."""
    return st.lists(st.tuples(st.none() | text, values(text)), max_size=4)


@pytest.fixture
def site(demo):
    """A client for each kind of visitor, and the URL arguments of each page: the demo's park,
    its organisations and resources, its verified agreement, a draft, a submitted one."""
    staff = make_user("deepc-staff")
    ParkMembership.objects.create(user=staff, park=demo.park)
    official = make_user("heza-official")
    AuthorityMembership.objects.create(user=official, agency=Organisation.objects.get(slug="heza"))
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    clients = {"anonymous": Client()}
    for role, user in [("staff", staff), ("official", official), ("admin", admin)]:
        clients[role] = Client()
        clients[role].force_login(user)
    draft = Agreement.objects.filter(park=demo.park, review_state=Agreement.ReviewState.DRAFT)[0]
    submitted = make_agreement(demo.park, review_state=Agreement.ReviewState.SUBMITTED)
    document = Document.objects.filter(agreement=demo).first()
    arguments = {
        "agreements:detail": {"reference": demo.reference},
        "agreements:resource-detail": {"slug": Resource.objects.first().slug},
        "agreements:resource-factor": {"slug": Resource.objects.first().slug},
        "agreements:update": {"reference": draft.reference},
        "agreements:review": {"reference": submitted.reference},
        "agreements:document-upload": {"reference": draft.reference},
        "agreements:history": {"reference": draft.reference},
        "agreements:quantities": {"reference": demo.reference},
        "agreements:document-download": {"pk": document.pk if document else 1},
        "agreements:import-preview": {
            "pk": ImportBatch.objects.create(
                created_by=staff, columns=["Reference"], rows=[[2, "FUZZ-1"]], total=1
            ).pk
        },
        "api:agreement-detail": {"reference": demo.reference},
        "api:park-detail": {"slug": demo.park.slug},
        "api:organisation-detail": {"slug": "dinh-vu-ip-jsc"},
        "api:resource-detail": {"slug": Resource.objects.first().slug},
        "api:flow-detail": {"pk": demo.flows.first().pk},
        "parks:detail": {"slug": demo.park.slug},
        "parks:members": {"slug": demo.park.slug},
        "accounts:agency-members": {"slug": "heza"},
        "accounts:invitation": {"token": "not-a-token"},
        "parks:organisation-detail": {"slug": "dinh-vu-ip-jsc"},
        "parks:update": {"slug": demo.park.slug},
        "parks:history": {"slug": demo.park.slug},
        "parks:report": {"slug": demo.park.slug, "year": 2024},
        "parks:report-latest": {"slug": demo.park.slug},
        "parks:report-xlsx": {"slug": demo.park.slug, "year": 2024},
        "open_data:table": {"name": "flows"},
        "admin:agreements_agreement_change": {"object_id": demo.pk},
        "admin:agreements_agreement_history": {"object_id": demo.pk},
    }
    return clients, arguments


def page_with(site, page, pairs):
    clients, arguments = site
    name, role, params = page
    address = reverse(name, kwargs=arguments.get(name))
    return clients[role], f"{address}?{urlencode(pairs)}"


@st.composite
def requests(draw, text):
    page = draw(st.sampled_from(PAGES))
    names = st.sampled_from(page[2]) if page[2] else text
    pairs = [(draw(names) if name is None else name, value) for name, value in draw(query(text))]
    return page, pairs


@EXAMPLES
@given(requests(TEXT))
def test_no_query_parameter_makes_a_server_error(site, sent):
    page, pairs = sent
    client, address = page_with(site, page, pairs)

    response = client.get(address)

    assert response.status_code < 500, address


NUL_TEXT = st.tuples(TEXT, TEXT).map(lambda parts: f"{parts[0]}\x00{parts[1]}")


@EXAMPLES
@given(requests(NUL_TEXT))
def test_a_nul_byte_in_a_query_parameter_is_a_bad_request(site, sent):
    """PostgreSQL refuses to be asked for a NUL byte: every page answers 400 before asking
    (symbiosis/request_limits.py)."""
    page, pairs = sent
    client, address = page_with(site, page, pairs)

    response = client.get(address)

    sent_nul = any("\x00" in f"{name}{value}" for name, value in pairs)
    assert response.status_code == 400 if sent_nul else response.status_code < 500, address


def url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_page_is_fuzzed():
    fuzzed = {name for name, _, _ in PAGES} | set(NOT_FUZZED)
    ours = {
        name
        for name in url_names()
        if not name.startswith("admin:") and not name.startswith("password_")
    }
    assert ours - fuzzed == set()
