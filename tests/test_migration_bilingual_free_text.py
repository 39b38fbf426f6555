"""Migration agreements 0012 (free text in both languages) keeps every value it finds: rows
written before it, on this test run's database engine, come out with each text in the field
of its language, the history with them, and go back whole.

Like tests/test_migrations.py, the migrations run in a process of their own, on a new empty
database (the rest of the suite builds its tables from the models)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BEFORE = "0011_chains_and_frameworks"
MIGRATION = "0012_bilingual_free_text"

# Rows written with the models as they were before the migration, then the migration.
WRITE_AND_MIGRATE = f"""
import datetime, django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

call_command("migrate", "agreements", "{BEFORE}", verbosity=0)
apps = MigrationExecutor(connection).loader.project_state(("agreements", "{BEFORE}")).apps
model = lambda app, name: apps.get_model(app, name)
Organisation, Park = model("parks", "Organisation"), model("parks", "Park")
Agreement, Party = model("agreements", "Agreement"), model("agreements", "Party")
Resource, ResourceFlow = model("agreements", "Resource"), model("agreements", "ResourceFlow")
HistoricalAgreement = model("agreements", "HistoricalAgreement")
HistoricalParty = model("agreements", "HistoricalParty")
HistoricalResourceFlow = model("agreements", "HistoricalResourceFlow")

park = Park.objects.create(slug="deep-c", name_en="Deep C", province="Hai Phong")
first = Organisation.objects.create(kind="company", slug="dinh-vu", name_en="Dinh Vu JSC")
second = Organisation.objects.create(kind="agency", slug="police", name_vi="Công an quận Hải An")
water = Resource.objects.create(slug="water", category="water", unit="m3", name_en="Water")
day = datetime.date(2023, 9, 12)
vietnamese = Agreement.objects.create(
    reference="VI-1", title_en="Fire", kind="industrial_urban", park=park, starts_on=day,
    summary="Chia sẻ lực lượng phòng cháy, chữa cháy.", signed_at="Hải Phòng",
)
english = Agreement.objects.create(
    reference="EN-1", title_vi="Nước", kind="industrial", park=park, starts_on=day,
    summary="Treated wastewater for Asnæs Power Station.\\nSecond line.", signed_at="Hai Phong",
)
blank = Agreement.objects.create(
    reference="BLANK-1", title_en="Blank", kind="industrial", park=park, starts_on=day
)
titles = {{"Phó Trưởng ban": vietnamese, "Deputy Head": english, "": blank}}
for title, agreement in titles.items():
    Party.objects.create(
        agreement=agreement, organisation=first, role="signatory", representative_title=title
    )
    Party.objects.create(agreement=agreement, organisation=second, role="witness")
notes = {{"Nước thải đã qua xử lý": vietnamese, "Illustrative: not published.": english}}
for note, agreement in notes.items():
    ResourceFlow.objects.create(
        agreement=agreement, resource=water, provider=first, receiver=second, notes=note
    )
now = timezone.now()
for agreement in Agreement.objects.all():
    values = {{f.attname: getattr(agreement, f.attname) for f in Agreement._meta.concrete_fields}}
    for name in ("search_text", "linked_search_text", "shared_categories"):
        values.pop(name)
    HistoricalAgreement.objects.create(**values, history_date=now, history_type="+")
for model, history in ((Party, HistoricalParty), (ResourceFlow, HistoricalResourceFlow)):
    for row in model.objects.all():
        values = {{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}}
        history.objects.create(**values, history_date=now, history_type="+")

call_command("migrate", "agreements", "{MIGRATION}", verbosity=0)
"""

READ = """
import json, django
django.setup()
from django.db import connection

QUERIES = {
    "agreements": "SELECT reference, %s FROM agreements_agreement ORDER BY reference",
    "agreement_history": "SELECT reference, %s FROM agreements_historicalagreement "
    "ORDER BY reference",
    "parties": "SELECT a.reference, %s FROM agreements_party p JOIN agreements_agreement a "
    "ON a.id = p.agreement_id WHERE p.role = 'signatory' ORDER BY a.reference",
    "party_history": "SELECT a.reference, %s FROM agreements_historicalparty p "
    "JOIN agreements_agreement a ON a.id = p.agreement_id WHERE p.role = 'signatory' "
    "ORDER BY a.reference",
    "flows": "SELECT a.reference, %s FROM agreements_resourceflow f JOIN agreements_agreement a "
    "ON a.id = f.agreement_id ORDER BY a.reference",
    "flow_history": "SELECT a.reference, %s FROM agreements_historicalresourceflow f "
    "JOIN agreements_agreement a ON a.id = f.agreement_id ORDER BY a.reference",
}
COLUMNS = {
    "agreements": "summary_en, summary_vi, signed_at_en, signed_at_vi, search_text",
    "agreement_history": "summary_en, summary_vi, signed_at_en, signed_at_vi",
    "parties": "representative_title_en, representative_title_vi",
    "party_history": "representative_title_en, representative_title_vi",
    "flows": "notes_en, notes_vi",
    "flow_history": "notes_en, notes_vi",
}
OLD_COLUMNS = {
    "agreements": "summary, signed_at, search_text",
    "agreement_history": "summary, signed_at",
    "parties": "representative_title",
    "party_history": "representative_title",
    "flows": "notes",
    "flow_history": "notes",
}
import sys
columns = OLD_COLUMNS if sys.argv[1] == "old" else COLUMNS
with connection.cursor() as cursor:
    result = {}
    for name, query in QUERIES.items():
        cursor.execute(query % columns[name])
        result[name] = [list(row) for row in cursor.fetchall()]
print(json.dumps(result))
"""


def run(database_url, *args):
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "symbiosis.settings",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def read(database_url, columns="new"):
    return json.loads(run(database_url, "-c", READ, columns).splitlines()[-1])


SUMMARY_EN = "Treated wastewater for Asnæs Power Station.\nSecond line."
SUMMARY_VI = "Chia sẻ lực lượng phòng cháy, chữa cháy."


def test_each_text_moves_to_its_language_and_none_is_lost(empty_database):
    run(empty_database, "-c", WRITE_AND_MIGRATE)
    rows = read(empty_database)

    # Vietnamese letters (ả, ơ, ư, đ, ...) say Vietnamese; plain or Danish text stays English.
    agreements = {reference: values for reference, *values in rows["agreements"]}
    assert agreements["VI-1"][:4] == ["", SUMMARY_VI, "", "Hải Phòng"]
    assert agreements["EN-1"][:4] == [SUMMARY_EN, "", "Hai Phong", ""]
    assert agreements["BLANK-1"][:4] == ["", "", "", ""]
    # An agreement is found by its summary now, in whichever language it is.
    assert "chia se luc luong" in agreements["VI-1"][4]
    assert "treated wastewater" in agreements["EN-1"][4]
    assert rows["agreement_history"] == [
        ["BLANK-1", "", "", "", ""],
        ["EN-1", SUMMARY_EN, "", "Hai Phong", ""],
        ["VI-1", "", SUMMARY_VI, "", "Hải Phòng"],
    ]
    titles = [["BLANK-1", "", ""], ["EN-1", "Deputy Head", ""], ["VI-1", "", "Phó Trưởng ban"]]
    assert rows["parties"] == rows["party_history"] == titles
    notes = [["EN-1", "Illustrative: not published.", ""], ["VI-1", "", "Nước thải đã qua xử lý"]]
    assert rows["flows"] == rows["flow_history"] == notes


def test_going_back_joins_each_pair_into_the_old_field(empty_database):
    run(empty_database, "-c", WRITE_AND_MIGRATE)
    both = f"""
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("UPDATE agreements_agreement SET summary_vi = 'Tóm tắt', signed_at_vi = 'Hà Nội'"
                   " WHERE reference = 'EN-1'")
from django.core.management import call_command
call_command("migrate", "agreements", "{BEFORE}", verbosity=0)
"""
    run(empty_database, "-c", both)
    rows = read(empty_database, "old")

    agreements = {reference: values for reference, *values in rows["agreements"]}
    # Both summaries kept, one after the other; of two places, the English one.
    assert agreements["EN-1"][:2] == [f"{SUMMARY_EN}\n\nTóm tắt", "Hai Phong"]
    assert agreements["VI-1"][:2] == [SUMMARY_VI, "Hải Phòng"]
    assert "chia se" not in agreements["VI-1"][2]  # found by reference and title only again
    assert rows["parties"] == [["BLANK-1", ""], ["EN-1", "Deputy Head"], ["VI-1", "Phó Trưởng ban"]]
    assert rows["flows"] == [
        ["EN-1", "Illustrative: not published."],
        ["VI-1", "Nước thải đã qua xử lý"],
    ]

    # And forward again, as after a deployment rolled back and redone.
    run(empty_database, "manage.py", "migrate", "--noinput")
    again = {reference: values for reference, *values in read(empty_database)["agreements"]}
    assert again["VI-1"][:4] == ["", SUMMARY_VI, "", "Hải Phòng"]
