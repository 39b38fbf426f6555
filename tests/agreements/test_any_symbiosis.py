"""Issue 13's "done when": a municipality-wide cluster from another country, whose exchanges
date back decades, entered through the web forms alone, every item in a structured field and
nothing invented: Kalundborg Symbiosis (Denmark), as its partners describe it.

The admin adds the place and the resources (park staff cannot yet: that is the self-service
issue); park staff add the twelve organisations from the agreement form's dialog and the
agreements from the agreement form, and a national official verifies them. Quantities are left
blank (not disclosed): the test invents no figure.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Resource, ResourceFlow
from parks.models import Organisation, Park
from tests.agreements.entry import flow, new_agreement_data, party
from tests.factories import make_agency, make_official, make_park_staff, make_user
from tests.pages import Page

pytestmark = pytest.mark.django_db

# (key, kind, English name, own name in Danish, sector, level)
ORGANISATIONS = [
    ("power", "company", "Asnæs Power Station", "Asnæsværket", "35", ""),
    ("refinery", "company", "Kalundborg Refinery", "Kalundborg Raffinaderi", "19", ""),
    ("gyproc", "company", "Gyproc", "", "23", ""),
    ("novo", "company", "Novo Nordisk", "", "21", ""),
    ("novozymes", "company", "Novozymes", "", "20", ""),
    ("bioenergy", "company", "Kalundborg Bioenergy", "Kalundborg Bioenergi", "35", ""),
    ("utility", "public_utility", "Kalundborg Utility", "Kalundborg Forsyning", "36", ""),
    ("municipality", "agency", "Kalundborg Municipality", "Kalundborg Kommune", "", "district"),
    ("farmers", "association", "Local farmers", "Lokale landmænd", "01", ""),
    ("cement", "sector", "The cement industry", "", "23", ""),
    ("grid", "sector", "The electricity grid", "Elnettet", "35", ""),
    ("centre", "association", "Symbiosis Center Denmark", "Symbiosecenter Danmark", "", ""),
]

# (slug, English name, category, unit)
RESOURCES = [
    ("refinery-gas", "Surplus refinery gas", "energy", "GJ"),
    ("district-heat", "District heating", "energy", "MWh"),
    ("steam", "Process steam", "energy", "GJ"),
    ("fly-ash", "Fly ash", "material", "t"),
    ("gypsum", "FGD gypsum", "material", "t"),
    ("biomass", "Fermentation biomass (fertiliser)", "material", "t"),
    ("wastewater", "Industrial wastewater with organic matter", "water", "m3"),
    ("biogas", "Biogas", "energy", "kWh"),
]


def admin_add(client, url_name, fields):
    """Post the admin's add form with ``fields``, its inlines' management forms as the page
    draws them (none added)."""
    page = Page(client.get(reverse(url_name)).content)
    data = {
        field.attrs["name"]: field.attrs.get("value", "")
        for field in page.find_all("input", type="hidden")
        if field.attrs.get("name", "").endswith(("TOTAL_FORMS", "INITIAL_FORMS"))
    }
    response = client.post(reverse(url_name), {**data, **fields})
    assert response.status_code == 302, errors(response)


def errors(response):
    """The messages a form came back with."""
    page = Page(response.content)
    return [
        element.text
        for element in page.iter()
        if {"errorlist", "invalid-feedback", "alert-danger"} & set(element.classes)
    ]


def add_organisation(client, kind, name_en, own, sector, level):
    data = {
        "kind": kind,
        "name_en": name_en,
        "name_own": own,
        "name_own_language": "da" if own else "",
        "country": "DK",
        "province": "Kalundborg",
        "sector": sector,
        "level": level,
    }
    response = client.post(
        reverse("agreements:organisation-create"),
        {f"organisation-{key}": value for key, value in data.items()},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    return Organisation.objects.get(pk=response.json()["id"])


@pytest.fixture
def kalundborg():
    admin = Client()
    admin.force_login(make_user("admin", is_staff=True, is_superuser=True))
    admin_add(
        admin,
        "admin:parks_park_add",
        {
            "name_en": "Kalundborg Symbiosis",
            "slug": "kalundborg",
            "kind": Park.Kind.MUNICIPALITY,
            "eip_status": Park.EipStatus.NOT_ASSESSED,
            "country": "DK",
            "province": "Kalundborg",
        },
    )
    for slug, name, category, unit in RESOURCES:
        admin_add(
            admin,
            "admin:agreements_resource_add",
            {"name_en": name, "slug": slug, "category": category, "unit": unit},
        )
    park = Park.objects.get(slug="kalundborg")
    staff = Client()
    staff.force_login(make_park_staff(park))
    return park, staff


def enter_the_cluster(park, staff):
    """Everything the cluster's partners publish about its exchanges, as park staff type it."""
    orgs = {key: add_organisation(staff, *rest) for key, *rest in ORGANISATIONS}
    res = {resource.slug: resource for resource in Resource.objects.all()}

    def enter(reference, title, parties, flows, **fields):
        data = new_agreement_data(
            park=park,
            parties=[party(orgs[key], role=role) for key, role in parties],
            flows=[
                flow(res[resource], orgs[provider], orgs[receiver], **extra)
                for resource, provider, receiver, extra in flows
            ],
            reference=reference,
            kind="industrial",
            title_en=title,
            signed_at_en="Kalundborg",
            **fields,
        )
        response = staff.post(reverse("agreements:create"), data)
        assert response.status_code == 302, errors(response)
        return Agreement.objects.get(reference=reference)

    enter(
        "KAL-1972-GAS",
        "Surplus refinery gas to the plasterboard factory",
        signing("refinery", "gyproc"),
        [("refinery-gas", "refinery", "gyproc", {})],
        signed_on="1972",
        starts_on="1972",
    )
    enter(
        "KAL-1976-BIOMASS",
        "Fermentation biomass to local farms as fertiliser",
        signing("novo", "farmers"),
        [("biomass", "novo", "farmers", {"notes_en": "Known as NovoGro."})],
        signed_on="1976",
        starts_on="",  # the start is not recorded
    )
    enter(
        "KAL-1979-ASH",
        "Fly ash to the cement industry",
        signing("power", "cement"),
        [("fly-ash", "power", "cement", {})],
        signed_on="",
        starts_on="1979",
    )
    enter(
        "KAL-1981-HEAT",
        "District heating from Asnæs for the town",
        [("power", "signatory"), ("utility", "signatory"), ("municipality", "witness")],
        [("district-heat", "power", "utility", {})],
        signed_on="1981",
        starts_on="1981",
    )
    enter(
        "KAL-Æ-1993",
        "Gypsum from flue-gas desulphurisation to Gyproc",
        signing("power", "gyproc"),
        [("gypsum", "power", "gyproc", {})],
        signed_on="1993",
        starts_on="1993",
    )
    framework = enter(
        "KAL-PARTNERSHIP",
        "Kalundborg Symbiosis partnership",
        [
            ("power", "signatory"),
            ("novo", "signatory"),
            ("novozymes", "signatory"),
            ("refinery", "signatory"),
            ("centre", "facilitator"),
        ],
        [("steam", "power", "novo", {})],
        signed_on="",
        starts_on="",
    )
    enter(
        "KAL-1982-STEAM",
        "Process steam from Asnæs to Novo Nordisk",
        signing("power", "novo"),
        [("steam", "power", "novo", {})],
        signed_on="1982",
        starts_on="1982",
        framework=framework.reference,
    )
    wastewater = enter(
        "KAL-WASTEWATER",
        "Wastewater to the biogas plant",
        signing("novozymes", "bioenergy"),
        [("wastewater", "novozymes", "bioenergy", {})],
        signed_on="09/2019",
        starts_on="2019",
    )
    enter(
        "KAL-BIOGAS",
        "Biogas to the grid",
        signing("bioenergy", "grid"),
        [("biogas", "bioenergy", "grid", {"made_from": wastewater.flows.get().pk})],
        signed_on="2019",
        starts_on="2019",
    )
    return orgs


def signing(*keys):
    return [(key, "signatory") for key in keys]


def verify_all(park):
    official = Client()
    official.force_login(make_official(make_agency(name_en="Ministry", level="national")))
    for agreement in Agreement.objects.filter(park=park):
        staff_submit = Client()
        staff_submit.force_login(park.memberships.get().user)
        assert (
            staff_submit.post(reverse("agreements:submit", args=[agreement.reference])).status_code
            == 302
        )
        response = official.post(
            reverse("agreements:review", args=[agreement.reference]),
            {"decision": "verify", "comment": ""},
        )
        assert response.status_code == 302, agreement.reference


def test_park_staff_enter_a_decades_old_foreign_cluster_with_every_item_structured(kalundborg):
    park, staff = kalundborg

    orgs = enter_the_cluster(park, staff)
    verify_all(park)

    assert Organisation.objects.count() == 12 + 1  # and the ministry
    assert {org.country.code for org in orgs.values()} == {"DK"}
    assert orgs["cement"].kind == "sector" and orgs["cement"].sector == "23"
    assert orgs["power"].name_own == "Asnæsværket" and orgs["municipality"].level == "district"
    assert Agreement.objects.filter(park=park, review_state="verified").count() == 9
    gas = Agreement.objects.get(reference="KAL-1972-GAS")
    assert (gas.signed_on.year, gas.signed_on_precision, gas.starts_on_precision) == (
        1972,
        "year",
        "year",
    )
    assert Agreement.objects.get(reference="KAL-1976-BIOMASS").starts_on is None
    biogas = ResourceFlow.objects.get(agreement__reference="KAL-BIOGAS")
    assert biogas.made_from.agreement.reference == "KAL-WASTEWATER"
    assert Agreement.objects.get(reference="KAL-1982-STEAM").framework.reference == (
        "KAL-PARTNERSHIP"
    )

    client = Client()
    for language in ["en", "vi"]:
        with translation.override(language):
            unknown = translation.gettext("start not recorded")
            page = client.get(
                reverse("agreements:detail", args=["KAL-1976-BIOMASS"]),
                HTTP_ACCEPT_LANGUAGE=language,
            ).content.decode()
            assert unknown in page
            page = client.get(
                reverse("agreements:detail", args=["KAL-1972-GAS"]),
                HTTP_ACCEPT_LANGUAGE=language,
            ).content.decode()
            assert "1972" in page and "1/1/1972" not in page and "Jan. 1, 1972" not in page

    # The park network counts the steam once, though the partnership and its bilateral
    # agreement both record it, and draws the biogas chain.
    response = client.get(park.get_absolute_url())
    links = {
        (link["provider"].pk, link["category"], link["receiver"].pk): link["agreements"]
        for link in response.context["network_links"]
    }
    assert links[(orgs["power"].pk, "energy", orgs["novo"].pk)] == 1
    assert response.context["impact"].flows == 8  # nine flows, the steam once

    # Found however it is spelled: by the own name without its letters, by the country.
    found = client.get(reverse("agreements:list"), {"q": "asnaesvaerket"})
    assert {agreement.reference for agreement in found.context["agreements"]} >= {
        "KAL-1979-ASH",
        "KAL-Æ-1993",
    }
