"""One impact rule everywhere: the dashboard, a park's page, a resource's page and the CSV and
XLSX exports give the same totals for the same flows, and every Total row on a page is the sum
of the rows above it.

One register, dated from today (the pages count for the day they are shown):

ref  park   state      in force today?          flows
CUR  Alpha  verified   yes (open-ended)         E 10/month, W 1000/year, S 20 one-off, W (none)
MUT  Alpha  verified   yes (ends next year)     R 12/year mutual, E 1/year
EXP  Alpha  verified   no: ended last year      E 1000/year
TER  Alpha  verified   no: terminated           W 5000/month
NEW  Alpha  verified   no: starts next month    E 7/month
SUB  Alpha  submitted  (dates in force)         E 999/year
BET  Beta   verified   yes                      E 3/year

Resources: E electricity MWh (500 kg CO2e/MWh), W wastewater m³ (0.5 kg/m³), S slag t and
R rescue call-outs (no emission factor).

Counted (verified, in force): CUR, MUT, BET. Worked out by hand:
electricity 120 + 1 + 3 = 124 MWh a year, 62 t CO2e; wastewater 1000 m³, 0.5 t (and one flow
with no quantity); slag 20 t one-off; rescue 12 call-outs. In all 7 flows, 62.5 t CO2e.
"""

import csv
import datetime
import io
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Resource, ResourceFlow
from tests.factories import (
    make_agreement,
    make_organisation,
    make_park,
    make_resource,
    make_user,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("agreements:dashboard")
CSV = reverse("agreements:export-csv")
XLSX = reverse("agreements:export-xlsx")
Period = ResourceFlow.Period
COUNTED = "Counted in the impact totals"
TONNES = "t CO2e avoided per year"
ANNUAL = "Annual quantity"


# Reading the pages and files


class _Tagged(HTMLParser):
    """The attributes of every element that carries ``attribute``, in the page's order."""

    def __init__(self, attribute):
        super().__init__()
        self.attribute = attribute
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.attribute in attrs:
            self.found.append(attrs)


def tagged(response, attribute):
    parser = _Tagged(attribute)
    parser.feed(response.content.decode())
    return parser.found


def number(text):
    """A figure from a data- attribute: a Decimal, or None where the page shows none."""
    return Decimal(text) if text else None


def add(values):
    values = [value for value in values if value is not None]
    return sum(values, Decimal(0)) if values else None


def impact_table(response):
    """The impact table of a page: {(category, unit): figures} and the total row's figures."""
    rows = {
        tuple(row["data-impact"].split("-", 1)): {
            name: number(row[f"data-{name}"])
            for name in [
                "flows",
                "without-quantity",
                "annual-quantity",
                "one-off-quantity",
                "tonnes",
            ]
        }
        for row in tagged(response, "data-impact")
    }
    [total] = tagged(response, "data-impact-total") or [None]
    if total is not None:
        total = {name: number(total[f"data-{name}"]) for name in ["flows", "without-quantity"]} | {
            "tonnes": number(total["data-tonnes"])
        }
    [left_out] = tagged(response, "data-impact-left-out")
    return (
        rows,
        total,
        {
            "not_in_force": int(left_out["data-not-in-force"]),
            "unverified": int(left_out["data-unverified"]),
        },
    )


def assert_the_total_row_adds_up_its_rows(rows, total):
    assert total is not None
    for name in ["flows", "without-quantity", "tonnes"]:
        assert total[name] == add(row[name] for row in rows.values()), name


def streamed(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(streamed(response).decode("utf-8-sig"))))


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(streamed(response)))
    header, *rows = book["Resource flows"].iter_rows(values_only=True)
    return [
        {name: "" if value is None else str(value) for name, value in zip(header, row, strict=True)}
        for row in rows
    ]


def export_totals(rows):
    """What the counted rows of an export add up to: flows, annual quantity per unit, t CO2e."""
    counted = [row for row in rows if row[COUNTED] == "yes"]
    annual = defaultdict(Decimal)
    for row in counted:
        if row[ANNUAL]:
            annual[row["Totals unit"]] += Decimal(row["Annual quantity in the totals unit"])
    return {
        "flows": len(counted),
        "annual": dict(annual),
        "tonnes": add(number(row[TONNES]) for row in counted),
    }


def page_totals(rows, total):
    """The same figures, as an impact table shows them."""
    return {
        "flows": total["flows"],
        "annual": {
            str(Resource.Unit(unit).label): row["annual-quantity"]
            for (_category, unit), row in rows.items()
            if row["annual-quantity"] is not None
        },
        "tonnes": total["tonnes"],
    }


# The register


@pytest.fixture
def register():
    today = timezone.localdate()
    alpha = make_park(name_en="Alpha Park", slug="alpha")
    beta = make_park(name_en="Beta Park", slug="beta")
    electricity = make_resource(
        name_en="Electricity",
        category=Resource.Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
        emission_factor=Decimal(500),
        emission_factor_source="Grid factor",
    )
    wastewater = make_resource(
        name_en="Wastewater",
        category=Resource.Category.WATER,
        unit=Resource.Unit.CUBIC_METRE,
        emission_factor=Decimal("0.5"),
        emission_factor_source="Treatment study",
    )
    slag = make_resource(
        name_en="Slag", category=Resource.Category.MATERIAL, unit=Resource.Unit.TONNE
    )
    rescue = make_resource(
        name_en="Rescue", category=Resource.Category.SERVICE, unit=Resource.Unit.CALL_OUT
    )
    year = datetime.timedelta(days=365)
    month = datetime.timedelta(days=30)

    def agreement(reference, flows, park=alpha, **fields):
        a, b = make_organisation(), make_organisation()
        fields.setdefault("starts_on", today - 2 * year)
        record = make_agreement(park, reference=reference, parties=[a, b], flows=[], **fields)
        for resource, quantity, period, *direction in flows:
            ResourceFlow.objects.create(
                agreement=record,
                resource=resource,
                provider=a,
                receiver=b,
                quantity=quantity,
                period=period,
                direction=direction[0] if direction else ResourceFlow.Direction.ONE_WAY,
            )
        return record

    agreements = {
        "CUR": agreement(
            "CUR",
            [
                (electricity, 10, Period.MONTHLY),
                (wastewater, 1000, Period.YEARLY),
                (slag, 20, Period.ONE_OFF),
                (wastewater, None, Period.YEARLY),
            ],
        ),
        "MUT": agreement(
            "MUT",
            [
                (rescue, 12, Period.YEARLY, ResourceFlow.Direction.MUTUAL),
                (electricity, 1, Period.YEARLY),
            ],
            ends_on=today + year,
        ),
        "EXP": agreement("EXP", [(electricity, 1000, Period.YEARLY)], ends_on=today - year + month),
        "TER": agreement("TER", [(wastewater, 5000, Period.MONTHLY)], terminated_on=today - month),
        "NEW": agreement("NEW", [(electricity, 7, Period.MONTHLY)], starts_on=today + month),
        "SUB": agreement(
            "SUB",
            [(electricity, 999, Period.YEARLY)],
            review_state=Agreement.ReviewState.SUBMITTED,
        ),
        "BET": agreement("BET", [(electricity, 3, Period.YEARLY)], park=beta),
    }
    return {
        "agreements": agreements,
        "alpha": alpha,
        "electricity": electricity,
        "admin": make_user(is_superuser=True, is_staff=True),
    }


EVERYTHING = {
    ("energy", "MWh"): {
        "flows": 3,
        "without-quantity": 0,
        "annual-quantity": Decimal(124),
        "one-off-quantity": None,
        "tonnes": Decimal(62),
    },
    ("material", "t"): {
        "flows": 1,
        "without-quantity": 0,
        "annual-quantity": None,
        "one-off-quantity": Decimal(20),
        "tonnes": None,
    },
    ("service", "call_out"): {
        "flows": 1,
        "without-quantity": 0,
        "annual-quantity": Decimal(12),
        "one-off-quantity": None,
        "tonnes": None,
    },
    ("water", "m3"): {
        "flows": 2,
        "without-quantity": 1,
        "annual-quantity": Decimal(1000),
        "one-off-quantity": None,
        "tonnes": Decimal("0.5"),
    },
}


def dashboard(client, register, **filters):
    client.force_login(register["admin"])
    response = client.get(DASHBOARD, filters)
    assert response.status_code == 200
    client.logout()
    return response


def exports(client, register, **filters):
    client.force_login(register["admin"])
    files = csv_rows(client.get(CSV, filters)), xlsx_rows(client.get(XLSX, filters))
    client.logout()
    return files


# The same totals everywhere


def test_the_dashboard_counts_only_verified_agreements_in_force_and_its_total_adds_up(
    client, register
):
    rows, total, left_out = impact_table(dashboard(client, register))

    assert rows == EVERYTHING
    assert total == {"flows": 7, "without-quantity": 1, "tonnes": Decimal("62.5")}
    assert_the_total_row_adds_up_its_rows(rows, total)
    # Expired, terminated and not yet started; the submitted one.
    assert left_out == {"not_in_force": 3, "unverified": 1}


def test_the_csv_and_xlsx_counted_rows_add_up_to_the_dashboards_totals(client, register):
    rows, total, _left_out = impact_table(dashboard(client, register))
    csv_file, xlsx_file = exports(client, register)

    expected = {
        "flows": 7,
        "annual": {"MWh": Decimal(124), "m³": Decimal(1000), "call-outs": Decimal(12)},
        "tonnes": Decimal("62.5"),
    }
    assert page_totals(rows, total) == expected
    assert export_totals(csv_file) == expected
    assert export_totals(xlsx_file) == expected
    # A flow of an agreement not in force is on its row, with its figures, but not counted.
    expired = next(row for row in csv_file if row["Reference"] == "EXP")
    assert (expired[TONNES], expired[COUNTED]) == ("500.000", "no")
    assert {row[COUNTED] for row in csv_file if row["Reference"] == "SUB"} == {"no"}


def test_the_park_page_shows_the_dashboards_impact_for_the_park(client, register):
    park_page = client.get(register["alpha"].get_absolute_url())
    on_park = impact_table(park_page)
    on_dashboard = impact_table(dashboard(client, register, park="alpha"))
    csv_file, xlsx_file = exports(client, register, park="alpha")

    rows, total, left_out = on_park
    # The dashboard's rows and total; only its count of unverified flows is the officials' own.
    assert (rows, total) == on_dashboard[:2]
    assert total == {"flows": 6, "without-quantity": 1, "tonnes": Decimal(61)}
    assert_the_total_row_adds_up_its_rows(rows, total)
    assert left_out == {"not_in_force": 3, "unverified": 0}
    assert on_dashboard[2] == {"not_in_force": 3, "unverified": 1}
    assert export_totals(csv_file) == export_totals(xlsx_file) == page_totals(rows, total)
    assert "3 flows of verified agreements not in force today" in park_page.content.decode()


def test_the_resource_page_shows_the_dashboards_impact_for_the_resource(client, register):
    electricity = register["electricity"]
    resource_page = client.get(electricity.get_absolute_url())
    rows, total, left_out = impact_table(resource_page)
    # Electricity is the only energy resource: the dashboard's energy view is its impact.
    on_dashboard = impact_table(dashboard(client, register, category="energy"))
    csv_file, xlsx_file = exports(client, register, category="energy")

    assert rows == {("energy", "MWh"): EVERYTHING["energy", "MWh"]}
    assert (rows, total) == on_dashboard[:2]
    assert total == {"flows": 3, "without-quantity": 0, "tonnes": Decimal(62)}
    assert_the_total_row_adds_up_its_rows(rows, total)
    assert left_out == {"not_in_force": 2, "unverified": 0}  # EXP and NEW; SUB is not public
    assert export_totals(csv_file) == export_totals(xlsx_file) == page_totals(rows, total)


def test_the_resource_page_marks_each_listed_flow_it_does_not_count_and_adds_no_total(
    client, register
):
    response = client.get(register["electricity"].get_absolute_url())

    flows = {
        ResourceFlow.objects.get(pk=row["data-flow"]).agreement.reference: (
            number(row["data-tonnes"]),
            row["data-counted"],
        )
        for row in tagged(response, "data-flow-impact")
    }
    assert flows == {
        "CUR": (Decimal(60), "yes"),
        "MUT": (Decimal("0.5"), "yes"),
        "BET": (Decimal("1.5"), "yes"),
        "EXP": (Decimal(500), "no"),
        "NEW": (Decimal(42), "no"),
    }
    assert tagged(response, "data-flow-impact-total") == []
    assert "not in force today: not counted" in response.content.decode()


@pytest.mark.parametrize("reference", ["CUR", "MUT", "EXP"])
def test_an_agreements_total_row_is_the_sum_of_its_flows(client, register, reference):
    response = client.get(register["agreements"][reference].get_absolute_url())

    rows = [number(row["data-tonnes"]) for row in tagged(response, "data-flow-impact")]
    totals = [number(row["data-tonnes"]) for row in tagged(response, "data-flow-impact-total")]

    assert rows
    if len(rows) > 1:
        assert totals == [add(rows)]
    else:
        assert totals == []  # one row needs no total
    if reference == "CUR":
        assert rows == [Decimal(60), Decimal("0.5")]


# The bug this file was written for


def test_a_resources_total_agrees_with_its_rows_when_one_agreement_has_expired(client):
    """Two flows of 1 t CO2e a year, one of an expired agreement: the rows said 1 and 1 and
    the Total under them 1."""
    resource = make_resource(
        unit=Resource.Unit.TONNE, emission_factor=Decimal(1000), emission_factor_source="Study"
    )
    today = timezone.localdate()
    for ends_on in [None, today - datetime.timedelta(days=1)]:
        a, b = make_organisation(), make_organisation()
        agreement = make_agreement(parties=[a, b], flows=[], ends_on=ends_on)
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=a, receiver=b, quantity=1
        )

    response = client.get(resource.get_absolute_url())

    flow_rows = [number(row["data-tonnes"]) for row in tagged(response, "data-flow-impact")]
    assert flow_rows == [Decimal(1), Decimal(1)]
    # No Total under those two rows; the impact counts one flow, and says what it leaves out.
    assert tagged(response, "data-flow-impact-total") == []
    rows, total, left_out = impact_table(response)
    assert total == {"flows": 1, "without-quantity": 0, "tonnes": Decimal(1)}
    assert_the_total_row_adds_up_its_rows(rows, total)
    assert left_out == {"not_in_force": 1, "unverified": 0}
    assert (
        "1 flow of a verified agreement not in force today (ended, terminated or not yet "
        "started) is not counted." in " ".join(response.content.decode().split())
    )


# What it costs


@pytest.mark.parametrize("agreements", [1, 30])
def test_the_park_and_resource_pages_count_the_impact_in_a_fixed_number_of_queries(
    client, django_assert_num_queries, agreements
):
    park = make_park()
    resource = make_resource(emission_factor=Decimal(1), emission_factor_source="Study")
    for _ in range(agreements):
        a, b = make_organisation(), make_organisation()
        make_agreement(park, parties=[a, b], flows=[(resource, a, b)])

    # park; count and page of its agreements with their parties and flows; the park's kept
    # figures, computed and kept the first time (the dashboard's eleven queries, the flow
    # diagrams' bands among them, and the upsert; the network's organisations, links and chains
    # of flows, and their update); their emission factors; tenants
    with django_assert_num_queries(24):
        client.get(park.get_absolute_url())
    with django_assert_num_queries(8):  # the park's figures and network read from the row kept
        client.get(park.get_absolute_url())
    # resource; count, page and flows of its agreements; the impact (rows, emission factors);
    # agreed and measured per year (two)
    with django_assert_num_queries(8):
        client.get(resource.get_absolute_url())
