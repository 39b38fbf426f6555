"""The measured quantities' pages: the park's staff report and correct figures on the page of
each verified agreement, officials read them there and accept or return them there or on
their review list; nothing typed is lost, both languages, and a fixed number of queries."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements import measurements
from agreements.models import Agreement, Document, ReportedQuantity
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_resource

pytestmark = pytest.mark.django_db
State = ReportedQuantity.ReviewState
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr("agreements.measurements.timezone.localdate", lambda: TODAY)
    return make_world()


@pytest.fixture
def agreement(world):
    return make_agreement(
        world.park,
        reference="HEZA/2023/01",
        parties=[world.provider, world.receiver],
        flows=[(world.resource, world.provider, world.receiver)],
    )


@pytest.fixture
def flow(agreement):
    return agreement.flows.get()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def page_url(agreement):
    return reverse("agreements:quantities", kwargs={"reference": agreement.reference})


REVIEW_URL = "/agreements/quantities/review/"


def text_of(response):
    content = response.content.decode()
    content = re.sub(r"<script.*?</script>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def report(flow, user, **fields):
    fields.setdefault("year", 2025)
    fields.setdefault("quantity", Decimal("1200"))
    fields.setdefault("unit", "m3")
    fields.setdefault("source", "metered")
    return measurements.report_quantity(flow=flow, user=user, **fields)


def new_figure(flow, **fields):
    data = {
        "action": "add",
        "flow": flow.pk,
        "year": "2025",
        "month": "",
        "quantity": "1200",
        "unit": "",
        "source": "metered",
        "evidence": "",
        "notes_en": "",
        "notes_vi": "",
    }
    data.update(fields)
    return data


def correction(figure, **fields):
    data = {
        "action": "correct",
        "figure": figure.pk,
        "correct-quantity": "1300",
        "correct-unit": "m3",
        "correct-source": "invoiced",
        "correct-evidence": "",
        "correct-notes_en": "",
        "correct-notes_vi": "",
    }
    data.update(fields)
    return data


# --- Reporting on the page ---------------------------------------------------------------


def test_staff_report_a_figure_in_the_flows_unit_and_see_it_listed(world, agreement, flow):
    client = client_for(world.staff)
    document = Document.objects.create(
        agreement=agreement, title="Meter readings 2025", file=ContentFile(b"%PDF", name="m.pdf")
    )

    response = client.post(
        page_url(agreement), new_figure(flow, evidence=document.pk, notes_en="Main meter.")
    )

    figure = ReportedQuantity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(agreement)}#figure-{figure.pk}"
    assert (figure.unit, figure.quantity, figure.evidence) == ("m3", Decimal("1200"), document)
    page = client.get(page_url(agreement))
    text = text_of(page)
    assert "The figure for 2025 is reported: it awaits an official's review." in text
    assert "Fire-fighting capacity: Dinh Vu Industrial Park JSC → Hai An District Police" in text
    assert "1,200 m³ metered Meter readings 2025 awaiting review" in text
    assert "Main meter." in text
    assert document.get_absolute_url() in page.content.decode()


def test_bad_input_is_shown_with_what_was_typed_and_nothing_is_saved(world, agreement, flow):
    report(flow, world.staff, month=3)

    response = client_for(world.staff).post(
        page_url(agreement), new_figure(flow, quantity="77.5", unit="MWh", notes_en="Kept.")
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "2025 is reported month by month" in text
    assert "Fire-fighting capacity is measured in volume: give the quantity in L, m³." in text
    form = response.context["new_form"]
    assert form["quantity"].value() == "77.5" and form["notes_en"].value() == "Kept."
    assert ReportedQuantity.objects.count() == 1


def test_a_month_is_reported(world, agreement, flow):
    client_for(world.staff).post(page_url(agreement), new_figure(flow, month="4", unit="L"))

    assert ReportedQuantity.objects.values_list("year", "month", "unit").get() == (2025, 4, "L")


def test_a_flow_of_another_agreement_is_not_offered(world, agreement):
    elsewhere = make_agreement(world.park).flows.get()

    response = client_for(world.staff).post(page_url(agreement), new_figure(elsewhere))

    assert response.status_code == 200
    assert "flow" in response.context["new_form"].errors
    assert not ReportedQuantity.objects.exists()


def test_an_agreement_not_verified_says_when_measurements_are_reported(world):
    draft = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state="draft"
    )
    client = client_for(world.staff)

    response = client.get(page_url(draft))

    assert response.status_code == 200
    assert "Measured quantities are reported once the agreement is verified." in text_of(response)
    assert "new_form" not in response.context
    assert client.post(page_url(draft), new_figure(draft.flows.get())).status_code == 403


# --- Correcting ---------------------------------------------------------------------------


def test_correcting_an_accepted_figure_takes_it_off_the_public_until_accepted_again(
    world, agreement, flow
):
    figure = report(flow, world.staff)
    measurements.accept_quantities(reported_list=[figure], user=world.official)
    client = client_for(world.staff)

    form_page = client.get(page_url(agreement), {"correct": figure.pk})
    assert "This figure is accepted and public" in text_of(form_page)
    assert form_page.context["correct_form"]["quantity"].value() == Decimal("1200.000")

    response = client.post(page_url(agreement), correction(figure), follow=True)

    figure.refresh_from_db()
    assert (figure.quantity, figure.source, figure.review_state) == (
        Decimal("1300"),
        "invoiced",
        State.SUBMITTED,
    )
    assert "corrected, it leaves the public pages until an official accepts it again" in (
        text_of(response)
    )


def test_a_bad_correction_keeps_the_stored_figure(world, agreement, flow):
    figure = report(flow, world.staff)

    response = client_for(world.staff).post(
        page_url(agreement), correction(figure, **{"correct-unit": "t"})
    )

    assert response.status_code == 200
    assert "give the quantity in L, m³" in text_of(response)
    assert response.context["correct_form"]["quantity"].value() == "1300"
    figure.refresh_from_db()
    assert (figure.quantity, figure.unit) == (Decimal("1200"), "m3")


def test_a_figure_of_another_agreement_cannot_be_corrected_from_this_page(world, agreement):
    other = report(make_agreement(world.park).flows.get(), world.staff)

    response = client_for(world.staff).post(page_url(agreement), correction(other), follow=True)

    assert "That figure is no longer on this page." in text_of(response)
    other.refresh_from_db()
    assert other.quantity == Decimal("1200")


def test_officials_read_the_page_without_the_forms(world, agreement, flow):
    report(flow, world.staff)
    client = client_for(world.official)

    response = client.get(page_url(agreement))

    assert response.status_code == 200
    assert "new_form" not in response.context
    assert "Correct" not in text_of(response)
    assert "Accept" in text_of(response)
    assert client.post(page_url(agreement), new_figure(flow)).status_code == 403
    assert ReportedQuantity.objects.count() == 1


def test_the_history_of_each_figure_is_on_the_page(world, agreement, flow):
    figure = report(flow, world.staff)
    measurements.return_quantity(reported=figure, comment="Litres?", user=world.official)
    measurements.correct_quantity(
        reported=figure, quantity=Decimal("1.2"), unit="m3", source="metered", user=world.staff
    )

    text = text_of(client_for(world.staff).get(page_url(agreement)))

    assert "History: 3 changes" in text
    assert "Figure for 2025 · changed by heza-official" in text
    assert "Review state awaiting review returned for correction" in text
    assert "Quantity 1200.000 1.200" in text


# --- Reviewing ----------------------------------------------------------------------------


def test_officials_accept_several_figures_at_once(world, agreement, flow):
    first, second, third = (report(flow, world.staff, month=month) for month in (1, 2, 3))
    client = client_for(world.official)

    response = client.post(
        REVIEW_URL, {"action": "accept", "figure": [first.pk, third.pk]}, follow=True
    )

    assert "2 figures accepted: they are now on the public pages." in text_of(response)
    assert dict(ReportedQuantity.objects.values_list("month", "review_state")) == {
        1: State.ACCEPTED,
        2: State.SUBMITTED,
        3: State.ACCEPTED,
    }
    assert [figure.pk for figure in response.context["figures"]] == [second.pk]


def test_an_official_returns_a_figure_with_a_comment_and_staff_read_it(world, agreement, flow):
    figure = report(flow, world.staff)
    client = client_for(world.official)

    empty = client.post(
        REVIEW_URL, {"action": "return", "figure": figure.pk, "comment": " "}, follow=True
    )
    assert "Say what needs correcting before you return it." in text_of(empty)
    response = client.post(
        REVIEW_URL,
        {
            "action": "return",
            "figure": figure.pk,
            "comment": "The meter was replaced in May.",
            "next": page_url(agreement),
        },
    )

    assert response["Location"] == page_url(agreement)
    figure.refresh_from_db()
    assert figure.review_state == State.RETURNED
    text = text_of(client_for(world.staff).get(page_url(agreement)))
    assert "returned for correction Reviewer's comment: The meter was replaced in May." in text


def test_the_review_goes_back_only_to_a_page_of_this_site(world, flow):
    figure = report(flow, world.staff)

    response = client_for(world.official).post(
        REVIEW_URL, {"action": "accept", "figure": figure.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == REVIEW_URL


def test_the_review_list_is_the_officials_parks_oldest_first(world, agreement, flow):
    later = report(flow, world.staff, month=2)
    earlier = report(flow, world.staff, month=1)
    ReportedQuantity.objects.filter(pk=earlier.pk).update(
        reported_at=later.reported_at - datetime.timedelta(days=1)
    )
    report(make_agreement(world.other_park).flows.get(), world.admin)

    response = client_for(world.official).get(REVIEW_URL)

    assert [figure.pk for figure in response.context["figures"]] == [earlier.pk, later.pk]
    text = text_of(response)
    assert "HEZA/2023/01" in text and "01/2025" in text


def test_an_official_of_another_agency_cannot_accept_this_parks_figures(world, flow):
    figure = report(flow, world.staff)

    client_for(world.other_official).post(REVIEW_URL, {"action": "accept", "figure": figure.pk})

    figure.refresh_from_db()
    assert figure.review_state == State.SUBMITTED


def test_the_dashboard_counts_the_figures_awaiting_review(world, flow):
    report(flow, world.staff, month=1)
    report(flow, world.staff, month=2)

    response = client_for(world.official).get(reverse("agreements:dashboard"))

    text = text_of(response)
    assert "2 measured quantities await your review. Review measured quantities" in text
    assert REVIEW_URL in response.content.decode()


def test_the_agreement_page_links_to_its_measured_quantities(world, agreement):
    response = client_for(world.staff).get(agreement.get_absolute_url())

    assert page_url(agreement) in response.content.decode()


# --- Access -------------------------------------------------------------------------------


def test_staff_of_another_park_get_not_found(world, agreement, flow):
    client = client_for(world.other_staff)

    assert client.get(page_url(agreement)).status_code == 404
    assert client.post(page_url(agreement), new_figure(flow)).status_code == 404
    assert client.get(REVIEW_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(agreement):
    for address in (page_url(agreement), REVIEW_URL):
        response = Client().get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- Both languages -----------------------------------------------------------------------


def test_the_pages_read_in_vietnamese(world, agreement, flow):
    report(flow, world.staff)
    with translation.override("vi"):
        page = text_of(client_for(world.staff).get(page_url(agreement), HTTP_ACCEPT_LANGUAGE="vi"))
        review = text_of(client_for(world.official).get(REVIEW_URL, HTTP_ACCEPT_LANGUAGE="vi"))

    assert "Số lượng đo đạc của HEZA/2023/01" in page
    assert "Báo cáo một số lượng đo đạc" in page
    assert "đo bằng đồng hồ" in page and "đang chờ xem xét" in page
    assert "Số lượng đo đạc đang chờ xem xét" in review
    assert "Chấp nhận các số liệu đã đánh dấu" in review


def test_an_error_reads_in_vietnamese(world, agreement, flow):
    response = client_for(world.staff).post(
        page_url(agreement), new_figure(flow, year="2027"), HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert "Năm 2027 chưa kết thúc: hãy nhập năm nay hoặc một năm trước đó." in text_of(response)


# --- Queries ------------------------------------------------------------------------------


def many_figures(world, agreement, count):
    """``count`` figures on each of two flows, monthly then yearly, some accepted or returned,
    with evidence and history."""
    second = make_resource(name_en="Treated wastewater")
    flow_two = agreement.flows.create(
        resource=second, provider=world.provider, receiver=world.receiver
    )
    document = Document.objects.create(
        agreement=agreement, title="Invoices", file=ContentFile(b"%PDF", name="i.pdf")
    )
    figures = []
    for flow in agreement.flows.all():
        for number in range(count):
            year, month = (2025, number + 1) if number < 12 else (2012 + number - 12, None)
            figures.append(report(flow, world.staff, year=year, month=month, evidence=document))
    measurements.accept_quantities(reported_list=figures[::3], user=world.official)
    measurements.return_quantity(reported=figures[1], comment="Check.", user=world.official)
    assert flow_two.reported_quantities.count() == count
    return figures


@pytest.mark.parametrize("count", [1, 14])
def test_the_staff_page_takes_the_same_number_of_queries_whatever_the_figures(
    world, agreement, django_assert_num_queries, count
):
    many_figures(world, agreement, count)
    client = client_for(world.staff)

    # savepoint, session, user, memberships (parks and agencies), agreement, flows, documents,
    # figures, their history, the flows, documents and people it names, release
    with django_assert_num_queries(13):
        response = client.get(page_url(agreement))

    assert response.context["figure_count"] == 2 * count


@pytest.mark.parametrize("count", [1, 14])
def test_the_officials_page_takes_the_same_number_of_queries_whatever_the_figures(
    world, agreement, django_assert_num_queries, count
):
    many_figures(world, agreement, count)
    client = client_for(world.official)

    # as the staff's, without the documents offered as evidence but with the parks the
    # official oversees (for the review buttons)
    with django_assert_num_queries(13):
        response = client.get(page_url(agreement))

    assert response.context["figure_count"] == 2 * count


@pytest.mark.parametrize("count", [1, 14])
def test_the_review_list_takes_the_same_number_of_queries_whatever_the_figures(
    world, agreement, django_assert_num_queries, count
):
    many_figures(world, agreement, count)
    report(agreement.flows.first(), world.staff, year=2000)
    client = client_for(world.official)

    # savepoint, session, user, memberships (parks and agencies), count, page, its reporters
    # (a query apart: joined, the page's query took PostgreSQL longer to plan), release
    with django_assert_num_queries(8):
        response = client.get(REVIEW_URL)

    assert len(response.context["figures"]) == len(
        ReportedQuantity.objects.filter(review_state=State.SUBMITTED)[:25]
    )


def test_the_review_list_shows_25_a_page(world, agreement, flow):
    for year in range(1990, 2020):
        report(flow, world.staff, year=year)

    response = client_for(world.official).get(REVIEW_URL, {"page": 2})

    assert len(response.context["figures"]) == 5
    assert Agreement.objects.count() == 1


def test_no_reference_can_hide_the_measured_quantities_pages():
    from django.core.exceptions import ValidationError

    from agreements.models import validate_reference_words

    with pytest.raises(ValidationError):
        validate_reference_words("HEZA/quantities")
