"""Issue 14's "done when": a new park goes from nothing to its first verified agreement with an
impact figure without anyone opening the Django admin, except the admin appointing the
authority's first official, who does it on the agency's officials page, not in the admin.

An admin adds the authority (the organisation form, which officials and admins may use for an
agency) and invites its first official; the official creates the park, invites a staff member;
the invitee sets a password from the email's link and enters an agreement that proposes a new
resource and a new organisation; neither shows on public pages until the official verifies the
agreement; the official sets the resource's emission factor, and the agreement's impact shows.
"""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Resource
from parks.models import Organisation, Park
from tests.agreements.entry import flow, new_agreement_data, party
from tests.factories import make_user
from tests.pages import Page

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)")
PASSWORD = "a long pass phrase 2026"


def errors(response):
    return errors_in(response.content)


def errors_in(html):
    page = Page(html)
    return [
        element.text
        for element in page.iter()
        if {"errorlist", "invalid-feedback", "alert-danger"} & set(element.classes)
    ]


def invite(client, url, capture, email, **fields):
    """Send an invitation from a members page; the path of the link its email carries."""
    sent = len(mail.outbox)
    with capture(execute=True):
        response = client.post(
            url, {"action": "invite", "email": email, "language": "vi", **fields}
        )
    assert response.status_code == 302, errors(response)
    [email_sent] = mail.outbox[sent:]
    assert email_sent.to == [email]
    return LINK.search(email_sent.body).group(1)


def accept(path, *, language):
    """The invitee's browser: opens the link, chooses a password and a language."""
    browser = Client()
    assert browser.get(path).status_code == 200
    landed = browser.post(
        path, {"new_password1": PASSWORD, "new_password2": PASSWORD, "language": language}
    )
    assert landed.status_code == 302, errors(landed)
    return browser, landed["Location"]


def propose(client, url_name, data):
    response = client.post(reverse(url_name), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 201, errors_in(response.json().get("html", ""))
    return response.json()["id"]


def test_a_new_park_reaches_its_first_verified_agreement_with_an_impact_figure_without_the_admin(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    admin = Client()
    admin.force_login(make_user("admin", is_staff=True, is_superuser=True))

    # The admin adds the authority and appoints its first official, on the registry's pages.
    agency_id = propose(
        admin,
        "agreements:organisation-create",
        {
            "organisation-kind": "agency",
            "organisation-name_en": "Nam Dinh Economic Zone Authority",
            "organisation-name_vi": "Ban Quản lý các Khu công nghiệp tỉnh Nam Định",
            "organisation-country": "VN",
            "organisation-vietnam_province": "Ninh Bình",
            "organisation-level": "provincial",
        },
    )
    agency = Organisation.objects.get(pk=agency_id)
    path = invite(
        admin,
        reverse("accounts:agency-members", kwargs={"slug": agency.slug}),
        capture,
        "official@nd-eza.example.vn",
    )
    official, landing = accept(path, language="en")
    assert landing.startswith(reverse("agreements:dashboard"))

    # The official creates the park their authority manages.
    response = official.post(
        reverse("parks:create"),
        {
            "name_en": "My Trung Industrial Park",
            "name_vi": "Khu công nghiệp Mỹ Trung",
            "slug": "",
            "kind": Park.Kind.INDUSTRIAL_PARK,
            "country": "VN",
            "vietnam_province": "Ninh Bình",
            "province": "",
            "developer": "",
            "developer_query": "",
            "managing_authority": agency.pk,
            "area_ha": "150",
            "established_year": "2005",
            "eip_status": Park.EipStatus.TRANSITIONING,
            "latitude": "20.4",
            "longitude": "106.2",
            "website": "",
        },
    )
    assert response.status_code == 302, errors(response)
    park = Park.objects.get(name_en="My Trung Industrial Park")
    assert park.managing_authority == agency
    assert (
        "Nam Dinh Economic Zone Authority" in Client().get(park.get_absolute_url()).content.decode()
    )

    # ... and invites its first staff member, who sets a password from the email's link.
    path = invite(
        official,
        reverse("parks:members", kwargs={"slug": park.slug}),
        capture,
        "lan@mytrung.example.vn",
        role="manager",
    )
    staff, landing = accept(path, language="vi")
    assert landing == park.get_absolute_url()

    # The staff member proposes a resource and a company missing from the registry, from the
    # agreement form's dialogs, and enters the park's first agreement with them.
    resource_id = propose(
        staff,
        "agreements:resource-create",
        {
            "resource-name_en": "Rooftop solar electricity",
            "resource-name_vi": "Điện mặt trời áp mái",
            "resource-category": Resource.Category.ENERGY,
            "resource-unit": Resource.Unit.MEGAWATT_HOUR,
            "resource-waste_code": "",
            "resource-park": park.pk,
        },
    )
    tenant_id = propose(
        staff,
        "agreements:organisation-create",
        {
            "organisation-kind": "company",
            "organisation-name_en": "My Trung Garment Co.",
            "organisation-country": "VN",
            "organisation-park": park.pk,
        },
    )
    solar_id = propose(
        staff,
        "agreements:organisation-create",
        {
            "organisation-kind": "company",
            "organisation-name_en": "My Trung Solar JSC",
            "organisation-country": "VN",
        },
    )
    resource = Resource.objects.get(pk=resource_id)
    tenant, solar = Organisation.objects.get(pk=tenant_id), Organisation.objects.get(pk=solar_id)
    assert not resource.is_confirmed and not tenant.is_confirmed
    response = staff.post(
        reverse("agreements:create"),
        new_agreement_data(
            park=park,
            reference="MT-2026-SOLAR-01",
            kind="industrial",
            title_en="Rooftop solar power for the garment factory",
            parties=[party(solar), party(tenant)],
            flows=[flow(resource, solar, tenant, quantity="100", period="monthly")],
            signed_on="2026-03-01",
            starts_on="2026-03-01",
        ),
    )
    assert response.status_code == 302, errors(response)
    agreement = Agreement.objects.get(reference="MT-2026-SOLAR-01")

    # Nothing proposed is public yet.
    visitor = Client()
    resource_page = reverse("agreements:resource-detail", kwargs={"slug": resource.slug})
    tenant_page = reverse("parks:organisation-detail", kwargs={"slug": tenant.slug})
    assert visitor.get(resource_page).status_code == 404
    assert visitor.get(tenant_page).status_code == 404
    assert (
        "Rooftop solar electricity"
        not in visitor.get(reverse("agreements:resource-list")).content.decode()
    )

    # Submitted, the proposals are in the official's review; verifying confirms them.
    assert staff.post(reverse("agreements:submit", args=[agreement.reference])).status_code == 302
    review = official.get(reverse("agreements:review", args=[agreement.reference]))
    assert "Rooftop solar electricity" in review.content.decode()
    assert "My Trung Garment Co." in review.content.decode()
    response = official.post(
        reverse("agreements:review", args=[agreement.reference]),
        {"decision": "verify", "comment": ""},
    )
    assert response.status_code == 302, errors(response)
    assert visitor.get(resource_page).status_code == 200
    assert visitor.get(tenant_page).status_code == 200

    # The official sets the solar electricity's emission factor, and the impact shows.
    response = official.post(
        reverse("agreements:resource-factor", kwargs={"slug": resource.slug}),
        {
            "value": "0.681",
            "unit": "kWh",
            "source": "Viet Nam grid emission factor",
            "year": "2023",
        },
    )
    assert response.status_code == 302, errors(response)
    page = visitor.get(agreement.get_absolute_url())
    assert page.status_code == 200
    [row] = page.context["impacts"]
    assert row.tonnes_co2e_avoided == Decimal("817.2")  # 1,200 MWh a year x 681 kg / 1000
    assert "Viet Nam grid emission factor" in page.content.decode()
