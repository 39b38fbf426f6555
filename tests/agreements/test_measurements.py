"""Measured quantities (``agreements.measurements``): what the park's staff may report, the
rules every figure obeys (each refusal saying why, in the user's language), and the review
cycle an official takes it through."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from agreements import measurements
from agreements.models import Agreement, Document, ReportedQuantity
from agreements.reporting.models import ParkFigures
from symbiosis import caching
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_resource

pytestmark = pytest.mark.django_db
State = ReportedQuantity.ReviewState
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def world(db, monkeypatch):
    # "This year" and "this month" are June 2026 for every test here.
    monkeypatch.setattr("agreements.measurements.timezone.localdate", lambda: TODAY)
    return make_world()


@pytest.fixture
def agreement(world):
    return make_agreement(
        world.park,
        parties=[world.provider, world.receiver],
        flows=[(world.resource, world.provider, world.receiver)],  # in m³
    )


@pytest.fixture
def flow(agreement):
    return agreement.flows.get()


def document_of(agreement, title="Meter readings 2025"):
    return Document.objects.create(
        agreement=agreement, title=title, file=ContentFile(b"%PDF-1.7\n", name="readings.pdf")
    )


def report(flow, user, **fields):
    fields.setdefault("year", 2025)
    fields.setdefault("quantity", Decimal("1200"))
    fields.setdefault("unit", "m3")
    fields.setdefault("source", ReportedQuantity.Source.METERED)
    return measurements.report_quantity(flow=flow, user=user, **fields)


def refusal(language, call):
    """The messages of the ValidationError ``call()`` raises, by field, in ``language``."""
    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            call()
        error = raised.value
        if hasattr(error, "error_dict"):
            return {name: [str(m) for m in texts] for name, texts in error.message_dict.items()}
        return {None: [str(m) for m in error.messages]}


# --- Reporting ----------------------------------------------------------------------------


def test_park_staff_report_a_year_and_it_awaits_review(world, flow):
    evidence = document_of(flow.agreement)

    figure = report(flow, world.staff, evidence=evidence, notes_en="Read off the main meter.")

    figure.refresh_from_db()
    assert (figure.year, figure.month, figure.quantity, figure.unit) == (
        2025,
        None,
        Decimal("1200"),
        "m3",
    )
    assert figure.review_state == State.SUBMITTED
    assert figure.reported_by == world.staff
    assert figure.evidence == evidence
    assert figure.history.count() == 1


def test_a_year_reported_month_by_month(world, flow):
    for month in (1, 2, 3):
        report(flow, world.staff, month=month, quantity=Decimal(100 * month))

    assert list(flow.reported_quantities.values_list("month", "quantity")) == [
        (1, Decimal("100")),
        (2, Decimal("200")),
        (3, Decimal("300")),
    ]


def test_a_unit_of_the_same_dimension_is_taken(world, flow):
    figure = report(flow, world.staff, quantity=Decimal("5000"), unit="L")

    assert figure.unit == "L"


MESSAGES = {
    "unit": {
        "en": "Fire-fighting capacity is measured in volume: give the quantity in L, m³.",
        "vi": "Fire-fighting capacity được đo theo thể tích: hãy nhập số lượng theo lít, m³.",
    },
    "year_ahead": {
        "en": "2027 is not over yet: give this year or an earlier one.",
        "vi": "Năm 2027 chưa kết thúc: hãy nhập năm nay hoặc một năm trước đó.",
    },
    "month_ahead": {
        "en": "That month has not begun yet: give this month or an earlier one.",
        "vi": "Tháng đó chưa bắt đầu: hãy nhập tháng này hoặc một tháng trước đó.",
    },
    "whole_year_taken": {
        "en": "2025 has a figure for the whole year: a year is reported whole or month by "
        "month, not both. Correct the year's figure instead.",
        "vi": "Năm 2025 đã có số liệu cả năm: mỗi năm được báo cáo cả năm hoặc theo từng "
        "tháng, không được cả hai. Hãy sửa số liệu của năm.",
    },
    "months_taken": {
        "en": "2025 is reported month by month: a year is reported whole or month by month, "
        "not both. Correct its months instead.",
        "vi": "Năm 2025 được báo cáo theo từng tháng: mỗi năm được báo cáo cả năm hoặc theo "
        "từng tháng, không được cả hai. Hãy sửa số liệu các tháng.",
    },
    "year_taken": {
        "en": "This flow already has a figure for 2025: correct it instead.",
        "vi": "Dòng tài nguyên này đã có số liệu cho 2025: hãy sửa số liệu đó.",
    },
    "month_taken": {
        "en": "This flow already has a figure for 03/2025: correct it instead.",
        "vi": "Dòng tài nguyên này đã có số liệu cho 03/2025: hãy sửa số liệu đó.",
    },
    "evidence": {
        "en": "The evidence must be a document of this agreement.",
        "vi": "Bằng chứng phải là một tài liệu của thỏa thuận này.",
    },
    "negative": {
        "en": "The quantity cannot be negative.",
        "vi": "Số lượng không được là số âm.",
    },
    "not_verified": {
        "en": "Measured quantities are reported once the agreement is verified: {reference} "
        "is draft.",
        "vi": "Số lượng đo đạc chỉ được báo cáo khi thỏa thuận đã được xác minh: {reference} "
        "đang ở trạng thái bản nháp.",
    },
    "comment": {
        "en": "Say what needs correcting before you return it.",
        "vi": "Hãy nêu rõ những gì cần sửa trước khi trả lại.",
    },
    "not_awaiting": {
        "en": "The figure for 2025 is not awaiting review (it is accepted).",
        "vi": "Số liệu cho 2025 không ở trạng thái chờ xem xét (trạng thái: đã chấp nhận).",
    },
    "nothing": {"en": "Choose at least one figure.", "vi": "Hãy chọn ít nhất một số liệu."},
}


@pytest.mark.parametrize("language", ["en", "vi"])
class TestEveryRuleSaysWhy:
    def test_a_unit_of_another_dimension(self, world, flow, language):
        errors = refusal(language, lambda: report(flow, world.staff, unit="MWh"))

        assert errors == {"unit": [MESSAGES["unit"][language]]}
        assert not ReportedQuantity.objects.exists()

    def test_a_year_not_over(self, world, flow, language):
        errors = refusal(language, lambda: report(flow, world.staff, year=2027))

        assert errors == {"year": [MESSAGES["year_ahead"][language]]}

    def test_a_month_not_begun(self, world, flow, language):
        errors = refusal(language, lambda: report(flow, world.staff, year=2026, month=7))

        assert errors == {"month": [MESSAGES["month_ahead"][language]]}
        # This month is taken, and last year's December.
        assert report(flow, world.staff, year=2026, month=6).month == 6
        assert report(flow, world.staff, year=2025, month=12).month == 12

    def test_a_month_of_a_year_reported_whole(self, world, flow, language):
        report(flow, world.staff)

        errors = refusal(language, lambda: report(flow, world.staff, month=3))

        assert errors == {"month": [MESSAGES["whole_year_taken"][language]]}
        assert flow.reported_quantities.count() == 1

    def test_a_whole_year_of_a_year_reported_month_by_month(self, world, flow, language):
        report(flow, world.staff, month=3)

        errors = refusal(language, lambda: report(flow, world.staff))

        assert errors == {"year": [MESSAGES["months_taken"][language]]}
        assert flow.reported_quantities.count() == 1

    def test_a_year_twice(self, world, flow, language):
        report(flow, world.staff)

        errors = refusal(language, lambda: report(flow, world.staff, quantity=Decimal(1)))

        assert errors == {"year": [MESSAGES["year_taken"][language]]}
        assert flow.reported_quantities.get().quantity == Decimal("1200")

    def test_a_month_twice(self, world, flow, language):
        report(flow, world.staff, month=3)

        errors = refusal(language, lambda: report(flow, world.staff, month=3))

        assert errors == {"month": [MESSAGES["month_taken"][language]]}

    def test_evidence_from_another_agreement(self, world, flow, language):
        elsewhere = document_of(make_agreement(world.park))

        errors = refusal(language, lambda: report(flow, world.staff, evidence=elsewhere))

        assert errors == {"evidence": [MESSAGES["evidence"][language]]}

    def test_a_negative_quantity(self, world, flow, language):
        errors = refusal(language, lambda: report(flow, world.staff, quantity=Decimal("-1")))

        assert errors == {"quantity": [MESSAGES["negative"][language]]}

    def test_an_agreement_not_verified(self, world, language):
        draft = make_agreement(
            world.park,
            parties=[world.provider, world.receiver],
            review_state=Agreement.ReviewState.DRAFT,
        )

        errors = refusal(language, lambda: report(draft.flows.get(), world.staff))

        expected = MESSAGES["not_verified"][language].format(reference=draft.reference)
        assert errors == {None: [expected]}

    def test_returning_without_a_comment(self, world, flow, language):
        figure = report(flow, world.staff)

        errors = refusal(
            language,
            lambda: measurements.return_quantity(
                reported=figure, comment="  ", user=world.official
            ),
        )

        assert errors == {"comment": [MESSAGES["comment"][language]]}
        figure.refresh_from_db()
        assert figure.review_state == State.SUBMITTED

    def test_accepting_a_figure_already_accepted(self, world, flow, language):
        figure = report(flow, world.staff)
        measurements.accept_quantities(reported_list=[figure], user=world.official)

        errors = refusal(
            language,
            lambda: measurements.accept_quantities(reported_list=[figure], user=world.official),
        )

        assert errors == {None: [MESSAGES["not_awaiting"][language]]}

    def test_accepting_nothing(self, world, language):
        errors = refusal(
            language,
            lambda: measurements.accept_quantities(reported_list=[], user=world.official),
        )

        assert errors == {None: [MESSAGES["nothing"][language]]}


def test_several_errors_are_told_at_once(world, flow):
    errors = refusal("en", lambda: report(flow, world.staff, unit="t", quantity=Decimal(-5)))

    assert set(errors) == {"unit", "quantity"}


def test_a_count_unit_takes_only_itself(world, park_agreement_of_call_outs):
    flow = park_agreement_of_call_outs.flows.get()

    assert report(flow, world.staff, unit="call_out").unit == "call_out"
    errors = refusal("en", lambda: report(flow, world.staff, year=2024, unit="session"))
    assert set(errors) == {"unit"}


@pytest.fixture
def park_agreement_of_call_outs(world):
    resource = make_resource(name_en="Fire-fighting call-outs", unit="call_out")
    return make_agreement(
        world.park,
        parties=[world.provider, world.receiver],
        flows=[(resource, world.provider, world.receiver)],
    )


@pytest.mark.parametrize("role", ["other_staff", "official", "national_official"])
def test_only_the_parks_staff_report(world, flow, role):
    with pytest.raises(PermissionDenied):
        report(flow, getattr(world, role))

    assert not ReportedQuantity.objects.exists()


def test_an_admin_may_report(world, flow):
    assert report(flow, world.admin).reported_by == world.admin


# --- Review --------------------------------------------------------------------------------


def test_the_review_cycle(world, flow):
    """Reported, returned with a comment, corrected, accepted: public."""
    figure = report(flow, world.staff)

    measurements.return_quantity(reported=figure, comment="Is this litres?", user=world.official)
    figure.refresh_from_db()
    assert (figure.review_state, figure.review_comment, figure.reviewed_by) == (
        State.RETURNED,
        "Is this litres?",
        world.official,
    )

    figure, was_accepted = measurements.correct_quantity(
        reported=figure,
        quantity=Decimal("1.2"),
        unit="m3",
        source=ReportedQuantity.Source.INVOICED,
        user=world.staff,
    )
    assert not was_accepted
    figure.refresh_from_db()
    assert (figure.review_state, figure.quantity, figure.source, figure.review_comment) == (
        State.SUBMITTED,
        Decimal("1.2"),
        "invoiced",
        "",
    )

    assert measurements.accept_quantities(reported_list=[figure], user=world.official) == 1
    figure.refresh_from_db()
    assert figure.review_state == ReportedQuantity.PUBLIC_STATE
    assert figure.reviewed_by == world.official
    # Every step is in its history: reported, returned, corrected, accepted.
    assert figure.history.count() == 4
    assert figure.history.earliest().review_comment == ""
    assert figure.history.filter(review_state=State.RETURNED).get().review_comment == (
        "Is this litres?"
    )


def test_a_corrected_accepted_figure_leaves_the_public_until_accepted_again(world, flow):
    figure = report(flow, world.staff)
    measurements.accept_quantities(reported_list=[figure], user=world.official)

    figure, was_accepted = measurements.correct_quantity(
        reported=figure, quantity=Decimal("1300"), unit="m3", source="metered", user=world.staff
    )

    assert was_accepted
    assert not ReportedQuantity.objects.filter(review_state=ReportedQuantity.PUBLIC_STATE).exists()
    assert measurements.awaiting_review(world.official).get() == figure


def test_figures_are_accepted_several_at_once_or_not_at_all(world, flow):
    figures = [report(flow, world.staff, month=month) for month in (1, 2, 3)]
    measurements.accept_quantities(reported_list=[figures[2]], user=world.official)

    with pytest.raises(ValidationError):
        measurements.accept_quantities(reported_list=figures, user=world.official)
    assert set(ReportedQuantity.objects.values_list("month", "review_state")) == {
        (1, State.SUBMITTED),
        (2, State.SUBMITTED),
        (3, State.ACCEPTED),
    }

    assert measurements.accept_quantities(reported_list=figures[:2], user=world.official) == 2
    assert not measurements.awaiting_review(world.official).exists()


@pytest.mark.parametrize("role", ["staff", "other_official", "other_staff"])
def test_only_the_officials_over_the_park_review(world, flow, role):
    figure = report(flow, world.staff)

    with pytest.raises(PermissionDenied):
        measurements.accept_quantities(reported_list=[figure], user=getattr(world, role))
    with pytest.raises(PermissionDenied):
        measurements.return_quantity(reported=figure, comment="No.", user=getattr(world, role))

    figure.refresh_from_db()
    assert figure.review_state == State.SUBMITTED


def test_a_national_official_and_an_admin_review_every_park(world, flow):
    first, second = report(flow, world.staff, month=1), report(flow, world.staff, month=2)

    measurements.accept_quantities(reported_list=[first], user=world.national_official)
    measurements.accept_quantities(reported_list=[second], user=world.admin)

    assert not ReportedQuantity.objects.filter(review_state=State.SUBMITTED).exists()


def test_what_awaits_an_officials_review_is_their_parks(world, flow):
    figure = report(flow, world.staff)
    elsewhere = make_agreement(world.other_park)
    report(elsewhere.flows.get(), world.admin)

    assert list(measurements.awaiting_review(world.official)) == [figure]
    assert measurements.awaiting_review(world.national_official).count() == 2
    assert not measurements.awaiting_review(world.staff).exists()


# --- What else moves on -------------------------------------------------------------------


def test_every_change_moves_the_parks_kept_figures_on(
    world, flow, django_capture_on_commit_callbacks
):
    def generation():
        row = ParkFigures.objects.filter(park=world.park).first()
        return row.generation if row else 0

    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        figure = report(flow, world.staff)
    reported = generation()
    with django_capture_on_commit_callbacks(execute=True):
        measurements.accept_quantities(reported_list=[figure], user=world.official)
    accepted = generation()
    with django_capture_on_commit_callbacks(execute=True):
        ReportedQuantity.objects.get(pk=figure.pk).delete()

    assert before < reported < accepted < generation()
    assert not ParkFigures.objects.filter(park=world.other_park, generation__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_every_committed_change_makes_the_cached_pages_stale(settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "m"}
    }
    monkeypatch.setattr("agreements.measurements.timezone.localdate", lambda: TODAY)
    world = make_world()
    flow = make_agreement(world.park, parties=[world.provider, world.receiver]).flows.get()
    before = caching.generation()

    figure = report(flow, world.staff)
    reported = caching.generation()
    measurements.accept_quantities(reported_list=[figure], user=world.official)

    assert before < reported < caching.generation()
