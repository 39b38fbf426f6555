"""Free text in both languages: an agreement's summary and place signed, a party's
representative's title and a flow's notes are each kept in Vietnamese and English, shown in
the reader's language (the other where it is blank), typed in through the staff's form and
the admin, found by a search in either, and exported in both."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Party, ResourceFlow
from agreements.reporting import exports
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_organisation
from tests.pages import Page
from tests.test_admin import change_page_data, row_data

SUMMARY_EN = "Fire-fighting forces and means shared between the park and the district."
SUMMARY_VI = "Chia sẻ lực lượng, phương tiện phòng cháy, chữa cháy giữa khu công nghiệp và quận."
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(db):
    return make_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def both_languages(world, **fields):
    """A verified agreement of the world's park with every free text in both languages, unless
    ``fields`` blank some of it."""
    values = {
        "signed_on": datetime.date(2023, 9, 12),
        "summary_en": SUMMARY_EN,
        "summary_vi": SUMMARY_VI,
        "signed_at_en": "Hai Phong",
        "signed_at_vi": "Hải Phòng",
        **fields,
    }
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver], **values)
    Party.objects.filter(agreement=agreement, organisation=world.provider).update(
        representative_name="Diep Kim Hoan",
        representative_title_en="General Director",
        representative_title_vi="Tổng Giám đốc",
    )
    agreement.flows.update(notes_en="Drills twice a year.", notes_vi="Diễn tập hai lần mỗi năm.")
    return agreement


# --- Shown in the reader's language, else the other -----------------------------------------


def test_each_text_is_read_in_the_readers_language(world):
    agreement = both_languages(world)
    party = agreement.parties.get(organisation=world.provider)
    flow = agreement.flows.get()

    with translation.override("vi"):
        assert agreement.summary == SUMMARY_VI
        assert agreement.signed_at == "Hải Phòng"
        assert party.representative_title == "Tổng Giám đốc"
        assert flow.notes == "Diễn tập hai lần mỗi năm."
    with translation.override("en"):
        assert agreement.summary == SUMMARY_EN
        assert agreement.signed_at == "Hai Phong"
        assert party.representative_title == "General Director"
        assert flow.notes == "Drills twice a year."


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_text_given_in_one_language_only_is_shown_to_readers_of_either(world, language):
    english_only = make_agreement(world.park, summary_en=SUMMARY_EN, signed_at_en="Hai Phong")
    vietnamese_only = make_agreement(world.park, summary_vi=SUMMARY_VI, signed_at_vi="Hải Phòng")
    (vietnamese_flow,) = ResourceFlow.objects.filter(agreement=vietnamese_only)
    vietnamese_flow.notes_vi = "Chỉ tiếng Việt"

    with translation.override(language):
        assert (english_only.summary, english_only.signed_at) == (SUMMARY_EN, "Hai Phong")
        assert (vietnamese_only.summary, vietnamese_only.signed_at) == (SUMMARY_VI, "Hải Phòng")
        assert vietnamese_flow.notes == "Chỉ tiếng Việt"
        assert make_agreement(world.park).summary == ""


def test_the_public_page_shows_the_readers_language_and_falls_back_to_the_other(world):
    agreement = both_languages(world)
    half = both_languages(world, summary_vi="", signed_at_en="")

    vietnamese = Client().get(agreement.get_absolute_url(), **VI).content.decode()
    english = Client().get(agreement.get_absolute_url(), **EN).content.decode()
    fallback = Client().get(half.get_absolute_url(), **VI).content.decode()

    assert SUMMARY_VI in vietnamese and SUMMARY_EN not in vietnamese
    assert "Hải Phòng" in vietnamese and "Tổng Giám đốc" in vietnamese
    assert "Diễn tập hai lần mỗi năm." in vietnamese
    assert SUMMARY_EN in english and SUMMARY_VI not in english
    assert "Hai Phong" in english and "General Director" in english
    assert "Drills twice a year." in english
    # No Vietnamese summary: the English one; the place, given in Vietnamese only, in it.
    assert SUMMARY_EN in fallback and "Hải Phòng" in fallback


def test_the_review_page_shows_both_summaries(world):
    agreement = both_languages(world, review_state=Agreement.ReviewState.SUBMITTED)

    page = Page(client_for(world.official).get(reverse_for("review", agreement)).content)

    assert SUMMARY_EN in [dd.text for dd in page.find_all("dd", lang="en")]
    assert SUMMARY_VI in [dd.text for dd in page.find_all("dd", lang="vi")]


def reverse_for(name, agreement):
    return reverse(f"agreements:{name}", kwargs={"reference": agreement.reference})


# --- Typed in and kept -----------------------------------------------------------------------


def test_both_languages_of_each_text_survive_the_staff_form_and_show_again(world):
    data = new_agreement_data(
        park=world.park,
        parties=[
            party(
                world.provider,
                representative_title_en="General Director",
                representative_title_vi="Tổng Giám đốc",
            ),
            party(world.receiver),
        ],
        flows=[
            flow(
                world.resource,
                world.provider,
                world.receiver,
                notes_en="Drills twice a year.",
                notes_vi="Diễn tập hai lần mỗi năm.",
            )
        ],
        summary_en=SUMMARY_EN,
        summary_vi=SUMMARY_VI,
        signed_at_vi="Hải Phòng",
    )
    staff = client_for(world.staff)

    assert staff.post(reverse("agreements:create"), data).status_code == 302

    agreement = Agreement.objects.get()
    assert (agreement.summary_en, agreement.summary_vi) == (SUMMARY_EN, SUMMARY_VI)
    assert (agreement.signed_at_en, agreement.signed_at_vi) == ("Hai Phong", "Hải Phòng")
    row = agreement.parties.get(organisation=world.provider)
    assert (row.representative_title_en, row.representative_title_vi) == (
        "General Director",
        "Tổng Giám đốc",
    )
    notes = agreement.flows.values_list("notes_en", "notes_vi").get()
    assert notes == ("Drills twice a year.", "Diễn tập hai lần mỗi năm.")
    # The edit form opens on every one of them, each field marked with its language.
    page = Page(staff.get(reverse_for("update", agreement)).content)
    assert page.find("textarea", name="summary_vi").text == SUMMARY_VI
    assert page.find("textarea", name="summary_vi").attrs["lang"] == "vi"
    assert page.find("textarea", name="summary_en").attrs["lang"] == "en"
    assert page.find("input", name="signed_at_vi").attrs["value"] == "Hải Phòng"
    title = page.find("input", name="parties-0-representative_title_vi")
    assert (title.attrs["value"], title.attrs["lang"]) == ("Tổng Giám đốc", "vi")
    assert page.find("textarea", name="flows-0-notes_vi").text == "Diễn tập hai lần mỗi năm."
    # And posted back as it opens, nothing changes.
    staff.post(reverse_for("update", agreement), edit_data(agreement))
    agreement.refresh_from_db()
    assert (agreement.summary_en, agreement.summary_vi) == (SUMMARY_EN, SUMMARY_VI)


def test_both_languages_of_each_text_survive_the_admin(world):
    client = client_for(world.admin)
    page, data = change_page_data(client)
    data.update(
        reference="HEZA/2024/07",
        title_en="Shared steam",
        kind=Agreement.Kind.INDUSTRIAL,
        park=world.park.pk,
        starts_on="2024-03-01",
        summary_vi=SUMMARY_VI,
        summary_en=SUMMARY_EN,
        signed_at_vi="Hải Phòng",
        **{"parties-TOTAL_FORMS": 2, "flows-TOTAL_FORMS": 1},
    )
    data.update(
        row_data(
            "parties",
            0,
            organisation=world.provider.pk,
            role="signatory",
            representative_title_vi="Tổng Giám đốc",
        )
    )
    data.update(row_data("parties", 1, organisation=world.receiver.pk, role="signatory"))
    data.update(
        row_data(
            "flows",
            0,
            resource=world.resource.pk,
            provider=world.provider.pk,
            receiver=world.receiver.pk,
            direction="one_way",
            period="yearly",
            notes_en="Drills twice a year.",
        )
    )

    response = client.post(page, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert (agreement.summary_en, agreement.summary_vi) == (SUMMARY_EN, SUMMARY_VI)
    assert (agreement.signed_at_en, agreement.signed_at_vi) == ("", "Hải Phòng")
    assert agreement.parties.get(organisation=world.provider).representative_title_vi == (
        "Tổng Giám đốc"
    )
    assert agreement.flows.get().notes_en == "Drills twice a year."
    changed = Page(client.get(page.replace("add", f"{agreement.pk}/change")).content)
    assert changed.find("textarea", name="summary_vi").attrs["lang"] == "vi"


# --- Found by either -------------------------------------------------------------------------


def found(query):
    return set(Agreement.objects.search(query).values_list("reference", flat=True))


def test_a_search_finds_an_agreement_by_its_summary_in_either_language(world):
    make_agreement(world.park, reference="VI-1", summary_vi=SUMMARY_VI)
    make_agreement(world.park, reference="EN-1", summary_en=SUMMARY_EN)
    make_agreement(world.park, reference="NONE-1")

    assert found("phuong tien phong chay") == {"VI-1"}  # without accents
    assert found("Phương tiện") == {"VI-1"}
    assert found("forces and means") == {"EN-1"}
    assert found("khu công nghiệp") == {"VI-1"}


def test_the_public_list_and_the_admin_find_an_agreement_by_its_summary(world):
    agreement = make_agreement(
        world.park,
        reference="VI-1",
        summary_vi=SUMMARY_VI,
        parties=[world.provider, world.receiver],
    )
    make_agreement(world.park, reference="OTHER-1")

    public = Client().get(reverse("agreements:list"), {"q": "phuong tien"}).content.decode()
    admin = client_for(world.admin).get(
        reverse("admin:agreements_agreement_changelist"), {"q": "phuong tien"}
    )

    assert agreement.get_absolute_url() in public
    assert "OTHER-1" not in public
    assert "VI-1" in admin.content.decode() and "OTHER-1" not in admin.content.decode()


def test_a_changed_summary_is_found_by_its_new_words_only(world):
    agreement = make_agreement(world.park, reference="VI-1", summary_en="Old words")

    agreement.summary_en = ""
    agreement.summary_vi = "Từ mới"
    agreement.save()

    assert found("tu moi") == {"VI-1"}
    assert found("old words") == set()


# --- Exported in both ------------------------------------------------------------------------


def test_the_agreement_sheet_gives_the_place_signed_in_both_languages(world):
    agreement = both_languages(world, signed_at_en="")
    make_organisation()  # not a party: no effect
    header = exports.agreement_header(today=agreement.starts_on)
    (row,) = list(
        exports.agreement_rows(Agreement.objects.filter(pk=agreement.pk), today=agreement.starts_on)
    )

    cells = dict(zip(header, row, strict=True))
    assert cells["Place signed in Vietnamese"] == "Hải Phòng"
    assert cells["Place signed in English"] == ""
