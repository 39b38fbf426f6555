"""Agreements dated as precisely as their source: a signing known only as "1972", a start not
recorded. The database keeps the stored dates fitting their precision; an unknown start keeps
an agreement in force until it ends; the form, the pages, the figures and the exports all read
the dates to their precision (symbiosis/partial_dates.py).

The Vietnamese pages are checked against the catalogue's translation of each message (what
``gettext`` gives in Vietnamese), so they pass before and after the catalogue is compiled."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from agreements.models import Agreement
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting import dashboard, exports
from agreements.reporting.filters import Filters
from symbiosis.partial_dates import PartialDate, Precision
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.constraints import assert_rejected
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db
State = Agreement.ReviewState
D = datetime.date
TODAY = D(2026, 12, 1)


@pytest.fixture
def world(db):
    return make_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", content)


def in_vietnamese(message):
    with translation.override("vi"):
        return translation.gettext(message)


def the_1972_agreement(world, **fields):
    """Signed in 1972, day and month unknown; its start not recorded."""
    fields = {
        "reference": "KAL-1972-01",
        "title_en": "Surplus heat to the town",
        "signed_on": D(1972, 1, 1),
        "signed_on_precision": Precision.YEAR,
        "starts_on": None,
        **fields,
    }
    return make_agreement(world.park, parties=[world.provider, world.receiver], **fields)


# --- The database's rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "day", "precision"),
    [
        ("signed_on", D(2023, 9, 12), Precision.MONTH),
        ("signed_on", D(1972, 3, 1), Precision.YEAR),
        ("signed_on", D(1972, 1, 5), Precision.YEAR),
        ("starts_on", D(2023, 9, 12), Precision.MONTH),
        ("starts_on", D(1972, 3, 1), Precision.YEAR),
    ],
)
def test_a_stored_date_must_fit_its_precision(world, field, day, precision):
    assert_rejected(
        f"agreements_agreement_{field}_fits_precision",
        lambda: make_agreement(
            world.park, **{field: day, f"{field}_precision": precision}, parties=[]
        ),
    )


def test_a_date_at_the_start_of_its_month_or_year_fits_any_precision_and_unknown_fits_all(world):
    make_agreement(world.park, signed_on=D(2023, 9, 1), signed_on_precision=Precision.MONTH)
    make_agreement(world.park, starts_on=D(1972, 1, 1), starts_on_precision=Precision.YEAR)
    make_agreement(world.park, starts_on=D(1972, 1, 1), starts_on_precision=Precision.MONTH)
    make_agreement(world.park, signed_on=None, signed_on_precision=Precision.MONTH)
    make_agreement(world.park, starts_on=None, starts_on_precision=Precision.YEAR)


def test_a_misfit_date_is_refused_by_validation_with_its_message(world):
    agreement = Agreement(
        reference="X-1",
        title_en="X",
        kind=Agreement.Kind.INDUSTRIAL,
        park=world.park,
        signed_on=D(2023, 9, 12),
        signed_on_precision=Precision.MONTH,
    )

    with pytest.raises(ValidationError) as error:
        agreement.full_clean()

    assert error.value.messages == [
        "A signing date known to the month is stored as its 1st, one known to the year as its "
        "1 January."
    ]


def test_an_end_or_termination_needs_no_known_start(world):
    the_1972_agreement(world, ends_on=D(1990, 1, 1), terminated_on=D(1985, 6, 1))

    assert Agreement.objects.get().starts_on is None


# --- In force with an unknown start ----------------------------------------------------------


def test_an_agreement_whose_start_is_unknown_is_in_force_until_it_ends(world):
    open_ended = the_1972_agreement(world)
    ended = the_1972_agreement(world, reference="KAL-2", ends_on=D(2000, 12, 31))
    terminated = the_1972_agreement(world, reference="KAL-3", terminated_on=D(2020, 5, 1))
    day = D(2024, 1, 1)

    assert open_ended.is_active_on(day)
    assert not ended.is_active_on(day) and ended.is_expired_on(day)
    assert not terminated.is_active_on(day) and terminated.is_expired_on(day)
    assert list(Agreement.objects.active_on(day)) == [open_ended]
    assert set(Agreement.objects.expired_on(day)) == {ended, terminated}
    assert terminated.is_active_on(D(2020, 4, 30))  # before its termination, in force


def test_a_start_known_to_the_year_counts_from_its_1_january(world):
    agreement = make_agreement(
        world.park, starts_on=D(1972, 1, 1), starts_on_precision=Precision.YEAR
    )

    assert not agreement.is_active_on(D(1971, 12, 31))
    assert agreement.is_active_on(D(1972, 1, 1))
    assert list(Agreement.objects.active_on(D(1972, 1, 1))) == [agreement]


def test_the_impact_rules_count_an_agreement_with_an_unknown_start(world):
    from agreements.impact import agreement_counted_in_impact, not_in_force

    agreement = the_1972_agreement(world)

    assert list(Agreement.objects.filter(agreement_counted_in_impact(TODAY))) == [agreement]
    assert not Agreement.objects.filter(not_in_force(TODAY)).exists()


def test_undated_agreements_come_last_on_every_database(world):
    undated = make_agreement(world.park, reference="UNDATED", starts_on=None)
    started = make_agreement(world.park, reference="STARTED", starts_on=D(2020, 1, 1))
    signed = the_1972_agreement(world)

    assert list(Agreement.objects.latest_first()) == [signed, started, undated]
    assert list(Agreement.objects.all()) == [signed, started, undated]


# --- The form: what was typed survives, what is stored is what was known ----------------------


def test_a_year_only_signing_and_an_unknown_start_survive_a_round_trip_with_an_error(world):
    staff = client_for(world.staff)
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver)],
        flows=[flow(world.resource, world.provider, world.receiver)],
        reference="KAL 1972",  # refused: a space
        signed_on="1972",
        starts_on="",
    )

    response = staff.post(reverse("agreements:create"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Use letters, digits, dots, dashes and slashes only" in text_of(response)
    assert re.search(r'<input[^>]*name="signed_on"[^>]*value="1972"', content)
    assert re.search(r'<input[^>]*name="starts_on"(?![^>]*value=)[^>]*>', content)
    assert not Agreement.objects.exists()

    data["reference"] = "KAL-1972"
    response = staff.post(reverse("agreements:create"), data)

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.signed == PartialDate(D(1972, 1, 1), Precision.YEAR)
    assert agreement.starts_on is None and agreement.start is None


def test_a_month_typed_is_stored_as_its_1st_and_shown_back_as_a_month_when_editing(world):
    staff = client_for(world.staff)
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
    )
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})

    response = staff.post(page, edit_data(agreement, signed_on="09/2023", starts_on="2023-10"))

    assert response.status_code == 302, text_of(response)
    agreement.refresh_from_db()
    assert agreement.signed == PartialDate(D(2023, 9, 1), Precision.MONTH)
    assert agreement.start == PartialDate(D(2023, 10, 1), Precision.MONTH)
    english = staff.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'name="signed_on"[^>]*value="2023-09"', english)
    vietnamese = staff.get(page, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert re.search(r'name="starts_on"[^>]*value="10/2023"', vietnamese)


def test_a_day_typed_back_is_day_precise_again(world):
    staff = client_for(world.staff)
    agreement = the_1972_agreement(world, review_state=State.DRAFT)
    agreement.refresh_from_db()
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})

    response = staff.post(page, edit_data(agreement, signed_on="12/09/1972"))

    assert response.status_code == 302, text_of(response)
    agreement.refresh_from_db()
    assert agreement.signed == PartialDate(D(1972, 9, 12), Precision.DAY)


def test_an_end_before_a_start_known_to_the_month_is_refused(world):
    staff = client_for(world.staff)
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver)],
        starts_on="2023-09",
        ends_on="2023-08-31",
    )

    response = staff.post(reverse("agreements:create"), data)

    assert "The end date cannot be before the start date." in text_of(response)


# --- The pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_pages_show_1972_and_start_not_recorded(world, language):
    agreement = the_1972_agreement(world)
    with translation.override(language):
        not_recorded = translation.gettext("start not recorded")
        open_ended = translation.gettext("start not recorded, open-ended")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)

    detail = text_of(client.get(agreement.get_absolute_url()))
    listed = text_of(client.get(reverse("agreements:list")))

    assert "1972" in detail and open_ended in detail
    assert "Jan" not in detail and "01/01/1972" not in detail  # no invented day
    with translation.override(language):
        signed = translation.gettext("signed %(date)s") % {"date": "1972"}
    assert signed in listed

    agreement.review_state = State.SUBMITTED
    agreement.save()
    review = text_of(
        client_for(world.official).get(
            reverse("agreements:review", kwargs={"reference": agreement.reference}),
            HTTP_ACCEPT_LANGUAGE=language,
        )
    )
    assert "1972" in review and not_recorded in review


def test_the_list_says_start_not_recorded_when_nothing_is_dated(world):
    make_agreement(world.park, reference="UNDATED", starts_on=None)

    listed = text_of(Client().get(reverse("agreements:list")))

    assert "start not recorded" in listed


def test_a_month_shows_as_sept_2023_or_09_2023(world):
    agreement = make_agreement(
        world.park, signed_on=D(2023, 9, 1), signed_on_precision=Precision.MONTH
    )

    english = text_of(Client().get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    vietnamese = text_of(Client().get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi"))

    assert "Sept. 2023" in english and "Sept. 1, 2023" not in english
    assert "09/2023" in vietnamese and "01/09/2023" not in vietnamese


def test_the_year_filter_finds_a_year_only_signing(world):
    agreement = the_1972_agreement(world)
    make_agreement(world.park, reference="LATER", signed_on=D(2023, 9, 12))

    response = Client().get(reverse("agreements:list"), {"year": "1972"})

    assert [row.reference for row in response.context["agreements"]] == [agreement.reference]


def test_the_admin_shows_and_takes_dates_to_their_precision(world):
    agreement = the_1972_agreement(world)
    admin = client_for(world.admin)

    listed = admin.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    change = admin.get(
        reverse("admin:agreements_agreement_change", args=[agreement.pk])
    ).content.decode()

    assert "1972" in listed and "start not recorded" in listed
    assert re.search(r'name="signed_on"[^>]*value="1972"', change)


# --- Figures and exports -------------------------------------------------------------------


def test_the_dashboards_figures_by_year_count_a_year_only_signing(world):
    the_1972_agreement(world)
    make_agreement(world.park, reference="LATER", signed_on=D(2023, 9, 12))
    make_agreement(world.park, reference="UNSIGNED", signed_on=None)

    result = dashboard.build(
        agreements=reviewable_agreements(world.official, Agreement.objects.all()),
        parks=overseen_parks(world.official),
        filters=Filters(),
        today=TODAY,
    )

    assert [(row["year"], row["count"]) for row in result.signed_per_year] == [
        (1972, 1),
        (2023, 1),
        (None, 1),
    ]
    assert result.figures["active"] == 3  # the 1972 one too: its start is not recorded


def test_the_exports_write_a_date_to_its_precision(world):
    the_1972_agreement(world)
    header = exports.agreement_header(today=TODAY)

    [row] = list(exports.agreement_rows(Agreement.objects.all(), today=TODAY))

    cells = dict(zip(header, row, strict=False))
    assert cells["Signed on"] == "1972"
    assert cells["Starts on"] is None


# --- References in any script ----------------------------------------------------------------


@pytest.mark.parametrize("reference", ["KAL-Ø-1", "ĐV/2023/01", "Asnæs.2", "札幌-1", "A_1"])
def test_a_reference_takes_the_letters_and_digits_of_every_script(world, reference):
    field = Agreement._meta.get_field("reference")

    field.run_validators(reference)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("KAL Ø 1", "Use letters, digits"),
        ("-Ø", "each part starting with a letter or digit"),
        ("_Ø", "each part starting with a letter or digit"),
        ("Ø/../1", "each part starting with a letter or digit"),
        ("Ø//1", "each part starting with a letter or digit"),
        ("Ø/edit", "cannot contain these words"),
    ],
)
def test_a_reference_keeps_its_shape(reference, message):
    with pytest.raises(ValidationError) as error:
        Agreement._meta.get_field("reference").run_validators(reference)

    assert message in " ".join(error.value.messages)


def test_an_agreement_with_a_non_ascii_reference_has_working_addresses(world):
    agreement = make_agreement(world.park, reference="KAL-Ø/1972/01")

    address = agreement.get_absolute_url()
    match = resolve(unquote(address))

    assert address == "/agreements/KAL-%C3%98/1972/01/"
    assert match.url_name == "detail" and match.kwargs == {"reference": "KAL-Ø/1972/01"}
    assert Client().get(address).status_code == 200
    edit = reverse("agreements:update", kwargs={"reference": agreement.reference})
    assert resolve(unquote(edit)).kwargs == {"reference": "KAL-Ø/1972/01"}
    agreement.review_state = State.DRAFT
    agreement.save()
    assert client_for(world.staff).get(edit).status_code == 200


def test_the_history_shows_a_date_to_the_precision_it_had(world):
    staff = client_for(world.staff)
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
    )
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})
    response = staff.post(page, edit_data(agreement, signed_on="1972"))
    assert response.status_code == 302, text_of(response)

    history = text_of(
        staff.get(reverse("agreements:history", kwargs={"reference": agreement.reference}))
    )

    assert "1972" in history
    assert "Jan. 1, 1972" not in history


def test_a_reference_typed_with_a_combining_accent_is_kept_as_its_letter(world):
    """ "é" sent as "e" and a combining acute accent (as some keyboards do) is accepted and kept
    as the one letter, so the agreement is found at the same address however it was typed."""
    decomposed = "CAF" + "E\u0301" + "-1"
    agreement = make_agreement(world.park, reference="X-1")
    agreement.reference = decomposed

    agreement.full_clean()

    assert agreement.reference == "CAFÉ-1"


def test_an_end_date_typed_day_first_in_vietnamese_is_saved_and_shown_back_the_same(world):
    staff = client_for(world.staff)
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
    )
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})

    response = staff.post(
        page, edit_data(agreement, ends_on="12/09/2031"), HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 302, text_of(response)
    agreement.refresh_from_db()
    assert agreement.ends_on == D(2031, 9, 12)
    vietnamese = staff.get(page, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert re.search(r'name="ends_on"[^>]*value="12/09/2031"', vietnamese)
    assert re.search(r'name="ends_on"[^>]*placeholder="dd/mm/yyyy"', vietnamese)
    english = staff.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'name="ends_on"[^>]*value="2031-09-12"', english)
    assert 'type="date"' not in vietnamese + english


def test_a_bad_end_date_in_vietnamese_is_refused_in_vietnamese_and_nothing_is_saved(world):
    staff = client_for(world.staff)
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
    )
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})

    response = staff.post(
        page, edit_data(agreement, ends_on="31/02/2031"), HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 200
    with translation.override("vi"):
        expected = translation.gettext(
            "This date could not be read: type it as %(pattern)s, for example %(example)s."
        ) % {"pattern": "dd/mm/yyyy", "example": "12/09/2023"}
    assert expected in text_of(response)
    assert re.search(r'name="ends_on"[^>]*value="31/02/2031"', response.content.decode())
    agreement.refresh_from_db()
    assert agreement.ends_on is None
