"""Migration 0021 gives every stored agreement the kind of symbiosis the rule suggests
(``agreements.symbiosis_kinds``), unconfirmed, and keeps every row as it was, on this test
run's engine (SQLite, or PostgreSQL when DATABASE_URL points at it); unwinding blanks them.

Rows are written with the historical models of migration 0020 in a ``manage.py shell`` of their
own, as ``tests/agreements/test_migration_chains.py`` does."""

import json

from tests.agreements.test_migration_chains import manage

BEFORE = ("agreements", "0020_monitoring_kinds_and_claims")
AFTER = ("agreements", "0021_suggested_symbiosis_kinds")

WRITE_BEFORE = f"""
import datetime
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

apps = MigrationExecutor(connection).loader.project_state({BEFORE!r}).apps
Organisation = apps.get_model("parks", "Organisation")
Park = apps.get_model("parks", "Park")
Resource = apps.get_model("agreements", "Resource")
Agreement = apps.get_model("agreements", "Agreement")
Party = apps.get_model("agreements", "Party")
ResourceFlow = apps.get_model("agreements", "ResourceFlow")
User = apps.get_model("auth", "User")

park = Park.objects.create(name_en="Deep C", slug="deep-c", province="Hải Phòng")
elsewhere = Park.objects.create(name_en="Nam Dinh Vu", slug="nam-dinh-vu", province="Hải Phòng")
tenant = Organisation.objects.create(kind="company", name_en="Tenant", slug="tenant", park=park)
other = Organisation.objects.create(kind="company", name_en="Other", slug="other", park=park)
away = Organisation.objects.create(kind="company", name_en="Away", slug="away", park=elsewhere)
police = Organisation.objects.create(
    kind="agency", name_en="Police", slug="police", level="district"
)
steam = Resource.objects.create(name_en="Steam", slug="steam", category="energy", unit="GJ")
water = Resource.objects.create(name_en="Water", slug="water", category="water", unit="m3")
fire = Resource.objects.create(name_en="Fire", slug="fire", category="service", unit="count")
official = User.objects.create(username="official")

def agreement(reference, kind, signatories, flows, **fields):
    row = Agreement.objects.create(
        reference=reference, title_en=reference, kind=kind, park=park,
        starts_on=datetime.date(2023, 9, 12), **fields,
    )
    for organisation in signatories:
        Party.objects.create(agreement=row, organisation=organisation, role="signatory")
    if police not in signatories:
        Party.objects.create(agreement=row, organisation=police, role="witness")
    for resource, provider, receiver in flows:
        ResourceFlow.objects.create(
            agreement=row, resource=resource, provider=provider, receiver=receiver
        )

agreement("A-EXCHANGE", "industrial", [tenant, other], [(steam, tenant, other)],
          review_state="verified")
agreement("A-URBAN", "industrial_urban", [tenant, police], [(fire, tenant, police)])
agreement(
    "A-INFRA", "shared_service", [tenant, other], [(steam, tenant, other), (water, other, tenant)]
)
agreement(
    "A-SERVICE", "shared_service", [tenant, other], [(fire, tenant, other), (water, tenant, other)]
)
agreement("A-AWAY", "industrial", [tenant, away], [(steam, tenant, away)])
agreement("A-NO-FLOW", "industrial", [tenant, other], [])
# A kind set and confirmed before (by hand, say): the suggestion replaces it, unconfirmed.
agreement("A-STALE", "industrial", [tenant, other], [(steam, tenant, other)],
          symbiosis_kind="shared_services", symbiosis_kind_confirmed_at=timezone.now(),
          symbiosis_kind_confirmed_by=official)
"""

READ = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state({STATE!r}).apps
Agreement = apps.get_model("agreements", "Agreement")
print(json.dumps({
    "agreements": list(Agreement.objects.order_by("reference").values_list(
        "reference", "kind", "review_state", "symbiosis_kind", "symbiosis_kind_confirmed_at",
        "symbiosis_kind_confirmed_by",
    )),
    "parties": apps.get_model("agreements", "Party").objects.count(),
    "flows": apps.get_model("agreements", "ResourceFlow").objects.count(),
}, default=str))
"""


def read(database_url, state):
    code = READ.replace("{STATE!r}", repr(state))
    return json.loads(manage(database_url, "shell", "-c", code).strip().splitlines()[-1])


def test_every_stored_agreement_gets_its_suggested_kind_unconfirmed_and_keeps_its_rows(
    empty_database,
):
    manage(empty_database, "migrate", "--noinput", *BEFORE)
    manage(empty_database, "shell", "-c", WRITE_BEFORE)
    before = read(empty_database, BEFORE)

    manage(empty_database, "migrate", "--noinput", *AFTER)
    after = read(empty_database, AFTER)

    assert (after["parties"], after["flows"]) == (before["parties"], before["flows"]) == (20, 8)
    assert after["agreements"] == [
        ["A-AWAY", "industrial", "draft", "outside_the_park", None, None],
        ["A-EXCHANGE", "industrial", "verified", "input_output_exchange", None, None],
        ["A-INFRA", "shared_service", "draft", "shared_infrastructure", None, None],
        ["A-NO-FLOW", "industrial", "draft", "input_output_exchange", None, None],
        ["A-SERVICE", "shared_service", "draft", "shared_services", None, None],
        ["A-STALE", "industrial", "draft", "input_output_exchange", None, None],
        ["A-URBAN", "industrial_urban", "draft", "outside_the_park", None, None],
    ]

    # And back: the kinds blank again, every row still there.
    manage(empty_database, "migrate", "--noinput", *BEFORE)
    unwound = read(empty_database, BEFORE)
    assert (unwound["parties"], unwound["flows"]) == (20, 8)
    assert [row[3] for row in unwound["agreements"]] == [""] * 7
