"""Emission factors set by officials and admins only (issue 14, item 7): each with its value, the
unit it applies to, its source, the year it was published and who set it; a change keeps the
earlier factor in the history, and the impact pages name the factor and source behind each
figure."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agreements.impact import impact
from agreements.models import EmissionFactor, Resource, ResourceFlow
from agreements.services import set_emission_factor
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_organisation, make_resource, make_user

pytestmark = pytest.mark.django_db

MONRE_2022 = "Viet Nam grid emission factor 2022, MONRE"
# Public pages only read: they run outside ATOMIC_REQUESTS' transaction, the factor page within.
TRANSACTION = 2  # SAVEPOINT and RELEASE of ATOMIC_REQUESTS' transaction (a page that writes)


def text_of(response):
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    content = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def factor_url(resource):
    return reverse("agreements:resource-factor", kwargs={"slug": resource.slug})


def solar():
    return make_resource(
        name_en="Rooftop solar electricity",
        slug="rooftop-solar",
        category=Resource.Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
    )


def solar_agreement(world, resource, *, quantity="100", period=ResourceFlow.Period.MONTHLY):
    """A verified agreement of the world's park in force today, with one flow of ``resource``."""
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.receiver],
        flows=[],
        starts_on=datetime.date(2023, 9, 12),
    )
    ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=world.provider,
        receiver=world.receiver,
        quantity=Decimal(quantity),
        period=period,
    )
    return agreement


def factor_data(**changes):
    return {"value": "0.681", "unit": "kWh", "source": MONRE_2022, "year": "2022", **changes}


@pytest.fixture
def world():
    return make_world()


# Setting a factor


def test_an_official_sets_a_factor_per_kwh_and_the_agreement_page_shows_the_figure_it_gives(
    world,
):
    resource = solar()
    agreement = solar_agreement(world, resource)  # 100 MWh a month: 1,200 MWh a year
    official = client_for(world.official)

    response = official.post(factor_url(resource), factor_data(), follow=True)

    assert response.redirect_chain == [(factor_url(resource), 302)]
    assert (
        "Rooftop solar electricity now has an emission factor of 0.681 kg CO2e per kWh "
        f"({MONRE_2022}, 2022). The earlier one stays in its history." in text_of(response)
    )
    resource.refresh_from_db()
    # Kept per the resource's unit for the figures: 0.681 kg per kWh is 681 kg per MWh.
    assert resource.emission_factor == Decimal("681")
    factor = resource.current_factor
    assert (factor.value, factor.unit, factor.source, factor.year, factor.set_by) == (
        Decimal("0.681"),
        "kWh",
        MONRE_2022,
        2022,
        world.official,
    )

    page = Client().get(agreement.get_absolute_url())
    [row] = page.context["impacts"]
    assert row.tonnes_co2e_avoided == Decimal("817.2")  # 1,200 MWh x 681 kg / 1000
    assert row.factor == factor
    text = text_of(page)
    assert "817.2" in text
    assert "681 kg CO2e per MWh (set as 0.681 kg CO2e per kWh)" in text
    assert f"source: {MONRE_2022}, published in 2022" in text


def test_an_admin_sets_a_factor_too(world):
    resource = solar()

    response = client_for(world.admin).post(factor_url(resource), factor_data(unit="MWh"))

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.emission_factor == Decimal("0.681")
    assert resource.current_factor.set_by == world.admin


def test_an_official_of_any_agency_sets_a_factor_the_resource_has_in_every_park(world):
    resource = solar()

    response = client_for(world.other_official).post(factor_url(resource), factor_data())

    assert response.status_code == 302
    assert EmissionFactor.objects.filter(resource=resource).count() == 1


def test_changing_a_factor_keeps_the_earlier_one_in_its_history(world):
    resource = solar()
    agreement = solar_agreement(world, resource)
    official = client_for(world.official)
    official.post(factor_url(resource), factor_data())

    official.post(
        factor_url(resource),
        factor_data(value="0.6592", source="Viet Nam grid emission factor 2023, MONRE", year=2023),
    )

    resource.refresh_from_db()
    assert resource.emission_factor == Decimal("659.2")
    history = list(EmissionFactor.objects.filter(resource=resource))
    assert [(f.value, f.year) for f in history] == [
        (Decimal("0.6592"), 2023),
        (Decimal("0.681"), 2022),
    ]
    assert resource.current_factor == history[0]
    # The factor page lists both, the current one first, with who set each.
    page = official.get(factor_url(resource))
    rows = re.findall(r"<tr data-factor=.*?</tr>", page.content.decode(), flags=re.S)
    assert len(rows) == 2
    assert "data-current" in rows[0] and "0.6592" in rows[0] and "2023" in rows[0]
    assert "0.681" in rows[1] and MONRE_2022 in rows[1] and "heza-official" in rows[1]
    # The resource page lists them for everyone too (without naming the officials).
    public = text_of(Client().get(resource.get_absolute_url()))
    assert "Earlier emission factors" in public
    assert MONRE_2022 in public and "published in 2023" in public
    assert "heza-official" not in public
    # The figure follows the new factor: 1,200 MWh x 659.2 kg / 1000.
    [row] = Client().get(agreement.get_absolute_url()).context["impacts"]
    assert row.tonnes_co2e_avoided == Decimal("791.04")


def test_the_form_opens_with_the_current_factors_unit_source_and_year(world):
    resource = solar()
    set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source=MONRE_2022, year=2022, by=None
    )

    form = client_for(world.official).get(factor_url(resource)).context["form"]

    assert form["unit"].value() == "kWh"
    assert form["source"].value() == MONRE_2022
    assert form["year"].value() == 2022
    # Only units of the resource's dimension are offered.
    assert [code for code, _label in form.fields["unit"].choices] == [
        "kWh",
        "MWh",
        "GWh",
        "GJ",
        "TJ",
    ]


# Who may not


@pytest.mark.parametrize("role", ["staff", "other_staff"])
def test_park_staff_cannot_set_an_emission_factor(world, role):
    resource = solar()
    client = client_for(getattr(world, role))

    assert client.get(factor_url(resource)).status_code == 403
    response = client.post(factor_url(resource), factor_data())

    assert response.status_code == 403
    assert "Only officials and admins set emission factors." in response.content.decode()
    resource.refresh_from_db()
    assert resource.emission_factor is None
    assert not EmissionFactor.objects.exists()


def test_a_visitor_is_sent_to_sign_in_and_nothing_is_saved(world):
    resource = solar()

    response = Client().post(factor_url(resource), factor_data())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert not EmissionFactor.objects.exists()


def test_only_officials_see_the_link_to_the_factor_page(world):
    resource = solar()
    link = f'href="{factor_url(resource)}"'

    assert link in client_for(world.official).get(resource.get_absolute_url()).content.decode()
    assert link not in client_for(world.staff).get(resource.get_absolute_url()).content.decode()
    assert link not in Client().get(resource.get_absolute_url()).content.decode()


# Bad input


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": "-1"}, "value", "An emission factor cannot be negative."),
        ({"value": "many"}, "value", "Enter a number."),
        ({"source": "  "}, "source", "Say where this factor comes from."),
        (
            {"unit": "t"},
            "unit",
            "Choose a unit of energy, the dimension of this resource's unit (MWh).",
        ),
        ({"year": "1850"}, "year", "Ensure this value is greater than or equal to 1990."),
        ({"year": ""}, "year", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(world, changes, field, message):
    resource = solar()
    set_emission_factor(
        resource=resource, value="500", unit="MWh", source="Earlier study", year=2020, by=None
    )

    response = client_for(world.official).post(factor_url(resource), factor_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    resource.refresh_from_db()
    assert resource.emission_factor == Decimal("500")
    assert EmissionFactor.objects.count() == 1


def test_a_factor_that_four_decimals_cannot_keep_per_the_resources_unit_is_refused(world):
    # 0.25 kg per MWh is 0.00025 kg per kWh: four decimals would make it 0.0002 (20% off).
    resource = make_resource(category=Resource.Category.ENERGY, unit=Resource.Unit.KILOWATT_HOUR)

    response = client_for(world.official).post(
        factor_url(resource), factor_data(value="0.25", unit="MWh")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        "Per kWh, the unit this resource is measured in, this factor needs more than four "
        "decimals: give it per a smaller unit of this resource's dimension."
    ]
    assert not EmissionFactor.objects.exists()


def test_the_service_refuses_what_the_form_would(world):
    resource = solar()

    with pytest.raises(ValidationError) as refused:
        set_emission_factor(resource=resource, value="-2", unit="t", source="", year=1800, by=None)

    assert set(refused.value.message_dict) == {"value", "source", "year"}
    with pytest.raises(ValidationError) as wrong_unit:
        set_emission_factor(resource=resource, value="1", unit="t", source="X", year=2020, by=None)
    assert wrong_unit.value.message_dict == {
        "unit": ["A factor per t cannot apply to a resource measured in MWh."]
    }
    assert not EmissionFactor.objects.exists()


@pytest.mark.parametrize(
    ("value", "unit", "field", "message"),
    [
        ("0.12345", "kWh", "value", "Give the factor with at most four decimals, below "),
        ("1", "litres", "unit", "Choose a unit from the list."),
        (
            "681",
            "kWh",
            "unit",
            "Per GWh, the unit this resource is measured in, this factor is too large to be kept",
        ),
    ],
)
def test_the_service_refuses_a_factor_the_resource_cannot_keep(value, unit, field, message):
    resource = make_resource(category=Resource.Category.ENERGY, unit=Resource.Unit.GIGAWATT_HOUR)

    with pytest.raises(ValidationError) as refused:
        set_emission_factor(
            resource=resource, value=value, unit=unit, source="X", year=2020, by=None
        )

    [given] = refused.value.message_dict[field]
    assert given.startswith(message)
    assert not EmissionFactor.objects.exists()


# Impact pages name the factor behind each figure


def test_the_resource_dashboard_and_park_pages_name_the_factor_source_and_year(world):
    resource = solar()
    solar_agreement(world, resource)
    set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source=MONRE_2022, year=2022, by=None
    )
    named = f"681 kg CO2e per MWh (set as 0.681 kg CO2e per kWh) · source: {MONRE_2022}, "
    named += "published in 2022"

    on_resource = text_of(Client().get(resource.get_absolute_url()))
    on_park = text_of(Client().get(world.park.get_absolute_url()))
    on_dashboard = text_of(client_for(world.official).get(reverse("agreements:dashboard")))

    for page in (on_resource, on_park, on_dashboard):
        assert named in page
        assert "817.2" in page


def test_a_factor_recorded_before_factors_had_a_history_names_its_source_without_a_year(world):
    resource = make_resource(
        category=Resource.Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
        emission_factor=Decimal("681"),
        emission_factor_source=MONRE_2022,
    )
    agreement = solar_agreement(world, resource)

    text = text_of(Client().get(agreement.get_absolute_url()))

    assert f"681 kg CO2e per MWh · source: {MONRE_2022}" in text
    assert "published in" not in text


def test_the_impact_totals_use_the_factor_as_restated(world):
    resource = solar()
    solar_agreement(world, resource, quantity="36", period=ResourceFlow.Period.YEARLY)
    # 0.5 kg per GJ is 1.8 kg per MWh: 36 MWh a year avoid 0.0648 t, to the thousandth.
    set_emission_factor(resource=resource, value="0.5", unit="GJ", source="X", year=2024, by=None)

    figures = impact(ResourceFlow.objects.all(), today=datetime.date.today())

    assert figures.tonnes_co2e == Decimal("0.065")


# Cached public pages


@pytest.mark.django_db(transaction=True)
def test_a_new_factor_shows_at_once_on_cached_public_pages(settings, django_assert_num_queries):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"}
    }
    from django.core.cache import cache

    cache.clear()
    world = make_world()
    resource = solar()
    agreement = solar_agreement(world, resource)
    visitor = Client()
    for page in (resource.get_absolute_url(), agreement.get_absolute_url()):
        assert "kg CO2e per MWh" not in text_of(visitor.get(page))
        with django_assert_num_queries(0):
            visitor.get(page)  # served from the cache

    client_for(world.official).post(factor_url(resource), factor_data())

    assert MONRE_2022 in text_of(visitor.get(resource.get_absolute_url()))
    assert "817.2" in text_of(visitor.get(agreement.get_absolute_url()))
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_dashboards_kept_figures_follow_a_new_factor():
    world = make_world()
    resource = solar()
    solar_agreement(world, resource)
    set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source="A", year=2022, by=None
    )
    official = client_for(world.official)
    dashboard = reverse("agreements:dashboard")
    assert official.get(dashboard).context["dashboard"].impact.tonnes_co2e == Decimal("817.2")

    official.post(factor_url(resource), factor_data(value="0.5", source="B", year="2024"))

    figures = official.get(dashboard).context["dashboard"].impact
    assert figures.tonnes_co2e == Decimal("600")  # 1,200 MWh x 500 kg / 1000
    assert [factor.current_factor.source for factor in figures.factors] == ["B"]


# Queries


@pytest.mark.parametrize("factors", [1, 30])
def test_the_factor_page_runs_a_fixed_number_of_queries(world, django_assert_num_queries, factors):
    resource = solar()
    for year in range(2024 - factors, 2024):
        set_emission_factor(
            resource=resource, value="1", unit="kWh", source="X", year=year, by=None
        )
    official = client_for(world.official)

    # session, user; its memberships (agencies and parks, one query); the resource with its
    # current factor; the history with who set each
    with django_assert_num_queries(TRANSACTION + 5):
        response = official.get(factor_url(resource))
    assert len(response.context["factors"]) == factors


@pytest.mark.parametrize("rows", [1, 30])
def test_pages_naming_factors_run_a_fixed_number_of_queries(world, django_assert_num_queries, rows):
    resource = solar()
    agreement = solar_agreement(world, resource)
    for number in range(rows):
        set_emission_factor(
            resource=resource, value=str(number + 1), unit="kWh", source="X", year=2020, by=None
        )
        other = make_organisation()
        make_agreement(
            world.park, parties=[world.provider, other], flows=[(resource, world.provider, other)]
        )
    anonymous = Client()

    # The same as without a factor (tests/agreements/test_views_public.py), the current factor
    # joined to the resources; the measured quantities per year (the agreed ones are read with
    # the flows).
    with django_assert_num_queries(10):
        anonymous.get(agreement.get_absolute_url())
    # The resource's page as without a factor, and its history of factors.
    with django_assert_num_queries(9):
        response = anonymous.get(resource.get_absolute_url())
    assert len(response.context["factors"]) == rows


# The Django admin


def test_the_admin_reads_the_factor_and_links_to_its_page(world):
    resource = solar()
    set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source=MONRE_2022, year=2022, by=None
    )
    admin = client_for(world.admin)
    change = reverse("admin:agreements_resource_change", args=[resource.pk])

    page = admin.get(change).content.decode()

    assert 'name="emission_factor"' not in page
    assert 'name="emission_factor_source"' not in page
    assert f'href="{factor_url(resource)}"' in page
    assert "681 kg CO2e per MWh" in page


def test_the_admin_changes_a_resource_without_touching_its_factor(world):
    resource = solar()
    set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source=MONRE_2022, year=2022, by=None
    )
    admin = client_for(world.admin)
    change = reverse("admin:agreements_resource_change", args=[resource.pk])

    response = admin.post(
        change,
        {
            "name_vi": "Điện mặt trời áp mái",
            "name_en": resource.name_en,
            "slug": resource.slug,
            "category": resource.category,
            "unit": "GJ",
            "description": "",
            "waste_code": "",
            "emission_factor": "1",
            "emission_factor_source": "typed in",
        },
    )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.name_vi == "Điện mặt trời áp mái"
    # Restated from the factor as set: 0.681 kg per kWh is 189.1667 kg per GJ.
    assert (resource.unit, resource.emission_factor) == ("GJ", Decimal("189.1667"))
    assert resource.emission_factor_source == MONRE_2022
    assert EmissionFactor.objects.count() == 1


def test_factors_cannot_be_added_edited_or_deleted_in_the_admin(world):
    resource = solar()
    factor = set_emission_factor(
        resource=resource, value="0.681", unit="kWh", source=MONRE_2022, year=2022, by=None
    )
    admin = client_for(world.admin)

    assert admin.get(reverse("admin:agreements_emissionfactor_add")).status_code == 403
    admin.post(
        reverse("admin:agreements_emissionfactor_change", args=[factor.pk]),
        {"value": "9", "unit": "kWh", "source": "edited", "year": "2022"},
    )
    admin.post(reverse("admin:agreements_emissionfactor_delete", args=[factor.pk]), {"post": "yes"})

    factor.refresh_from_db()
    assert (factor.value, factor.source) == (Decimal("0.681"), MONRE_2022)


# Constraints


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"value": Decimal("-1")}, "agreements_emissionfactor_value_not_negative"),
        ({"source": ""}, "agreements_emissionfactor_has_source"),
        ({"year": 1800}, "agreements_emissionfactor_year_in_range"),
    ],
)
def test_the_database_refuses_a_factor_that_breaks_a_rule(fields, constraint):
    from django.db import IntegrityError, transaction

    resource = solar()
    row = {"value": Decimal("1"), "unit": "kWh", "source": "X", "year": 2020, **fields}

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        EmissionFactor.objects.bulk_create([EmissionFactor(resource=resource, **row)])


def test_a_deleted_officials_factor_stays_in_the_history(world):
    resource = solar()
    official = make_user()
    factor = set_emission_factor(
        resource=resource, value="1", unit="kWh", source="X", year=2020, by=official
    )

    official.delete()

    factor.refresh_from_db()
    assert factor.set_by is None
    page = client_for(world.official).get(factor_url(resource))
    assert page.context["factors"] == [factor]


# The migration: each factor stored before gets its row


BEFORE_FACTORS = ("agreements", "0015_agreement_date_precision")

WRITE_RESOURCES = f"""
from decimal import Decimal
from django.db import connection
from django.db.migrations.loader import MigrationLoader

apps = MigrationLoader(connection).project_state({BEFORE_FACTORS!r}).apps
Resource = apps.get_model("agreements", "Resource")
Resource.objects.create(
    name_en="Rooftop solar electricity", slug="solar", category="energy", unit="MWh",
    emission_factor=Decimal("681"), emission_factor_source="MONRE 2022",
)
Resource.objects.create(
    name_en="Treated wastewater", slug="water", category="water", unit="m3",
    emission_factor=Decimal("0.5"), emission_factor_source="Study",
)
Resource.objects.create(name_en="Fire-fighting", slug="rescue", category="service", unit="h")
"""

READ_RESOURCES = """
from agreements.models import EmissionFactor, Resource
for resource in Resource.objects.select_related("current_factor").order_by("slug"):
    factor = resource.current_factor
    print(resource.slug, resource.emission_factor, resource.emission_factor_source,
          factor and (factor.value, factor.unit, factor.source, factor.year, factor.set_by_id))
print(EmissionFactor.objects.count())
"""


def test_every_stored_factor_becomes_its_resources_first_recorded_factor(empty_database):
    from tests.test_migrations import migrate, run_in_django

    before = migrate(empty_database, *BEFORE_FACTORS)
    assert before.returncode == 0, before.stderr
    written = run_in_django(empty_database, WRITE_RESOURCES)
    assert written.returncode == 0, written.stderr

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    read = run_in_django(empty_database, READ_RESOURCES)

    assert read.returncode == 0, read.stderr
    assert read.stdout.splitlines()[-4:] == [
        "rescue None  None",
        "solar 681.0000 MONRE 2022 (Decimal('681.0000'), 'MWh', 'MONRE 2022', None, None)",
        "water 0.5000 Study (Decimal('0.5000'), 'm3', 'Study', None, None)",
        "2",
    ]

    # Unwound, each resource keeps its factor and its source.
    backward = migrate(empty_database, *BEFORE_FACTORS)
    assert backward.returncode == 0, backward.stderr
    kept = run_in_django(
        empty_database,
        WRITE_RESOURCES.split("Resource.objects.create(", 1)[0]
        + "print(sorted(Resource.objects.values_list('slug', 'emission_factor')))",
    )
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.splitlines()[-1] == (
        "[('rescue', None), ('solar', Decimal('681.0000')), ('water', Decimal('0.5000'))]"
    )
