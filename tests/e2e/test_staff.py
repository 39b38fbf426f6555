"""Park staff enter the founding agreement in a real browser, an official verifies it, and a
signed-out visitor finds it on the public pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.sample_data.demo import FOUNDING_REFERENCE
from parks.models import Organisation, Park
from tests.vietnamese import english_words, page_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
TITLE_EN = (
    "Industrial-urban symbiosis cooperation agreement on fire prevention, fire-fighting and "
    "rescue between Dinh Vu Industrial Park JSC and Hai An District Police"
)
TITLE_VI = (
    "Quy chế phối hợp cộng sinh công nghiệp - đô thị về phòng cháy, chữa cháy và cứu nạn, "
    "cứu hộ giữa Công ty Cổ phần Khu công nghiệp Đình Vũ và Công an quận Hải An"
)


def sign_in(page, username, lands_on="My agreements"):
    """Sign in; staff land on "My agreements", officials on their dashboard."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=lands_on)).to_be_visible()


def sign_in_to_review(page, username):
    """An official signs in, landing on the dashboard, and opens "My agreements", where the
    agreements awaiting their review have a Review link each."""
    sign_in(page, username, lands_on="Officials' dashboard")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My agreements"
    ).click()
    expect(page.get_by_role("heading", level=1, name="My agreements")).to_be_visible()


def sign_out(page, username):
    page.get_by_role("button", name=f"Sign out ({username})").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def choose_organisation(page, row, typed, option):
    """Type a few letters in a party row's organisation field and pick the match."""
    field = page.locator(f"#id_parties-{row}-organisation-search")
    field.fill(typed)
    page.locator(f"#id_parties-{row}-organisation-options").get_by_role(
        "option", name=option
    ).first.click()
    expect(field).to_have_value(re.compile(re.escape(option.split(" (")[0])))


def organisation(slug):
    return str(Organisation.objects.get(slug=slug).pk)


def save_the_fire_fighting_flow_and_upload_the_signed_agreement(page):
    """On the founding agreement's form: its one mutual flow between the two signatories,
    saved; then the signed document uploaded, as may be shown publicly."""
    page.locator("#id_flows-0-resource").select_option(
        label="Fire prevention, fire-fighting and rescue capacity (call-outs)"
    )
    page.locator("#id_flows-0-provider").select_option(organisation("dinh-vu-ip-jsc"))
    page.locator("#id_flows-0-receiver").select_option(organisation("hai-an-district-police"))
    page.locator("#id_flows-0-direction").select_option("mutual")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{FOUNDING_REFERENCE} is saved.")).to_be_visible()
    page.get_by_role("link", name=f"Upload a document to {FOUNDING_REFERENCE}").click()
    page.get_by_label("Title").fill("Signed cooperation agreement")
    page.get_by_label("File").set_input_files(
        {"name": "quy-che-phoi-hop.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("May be shown publicly").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("“Signed cooperation agreement” is added")).to_be_visible()


def test_staff_enter_the_founding_agreement_an_official_verifies_it_and_the_public_finds_it(
    page, registry
):
    # A Deep C staff member signs in and enters the agreement from scratch.
    sign_in(page, "deepc-staff")
    page.get_by_role("link", name="Enter a new agreement").click()
    page.get_by_label("Reference").fill(FOUNDING_REFERENCE)
    expect(page.locator("#id_park")).to_have_value(str(Park.objects.get(slug="deep-c").pk))
    page.locator("#id_kind").select_option("industrial_urban")
    page.get_by_label("Title in English", exact=True).fill(TITLE_EN)
    page.get_by_label("Title in Vietnamese", exact=True).fill(TITLE_VI)
    page.get_by_label("Signed on").fill("2023-09-12")
    page.get_by_label("Place signed in English").fill("Hai Phong")
    page.get_by_label("Starts on").fill("2023-09-12")

    # Two signatories found by typing a few letters, in English and in unaccented Vietnamese.
    choose_organisation(
        page, 0, "dinh vu", "Dinh Vu Industrial Park Joint Stock Company (Dinh Vu IP JSC)"
    )
    choose_organisation(page, 1, "cong an quan", "Hai An District Police")
    # A witness.
    choose_organisation(page, 2, "heza", "Hai Phong Economic Zone Authority (HEZA)")
    page.locator("#id_parties-2-role").select_option("witness")
    page.locator("#id_parties-2-representative_name").fill("Bui Ngoc Hai")
    page.locator("#id_parties-2-representative_title_en").fill("Deputy Head")

    # One mutual flow of the fire-fighting service, between the two signatories; the signed
    # document; then the submission.
    save_the_fire_fighting_flow_and_upload_the_signed_agreement(page)
    page.get_by_role("button", name=f"Submit for verification {FOUNDING_REFERENCE}").click()
    expect(page.get_by_text(f"{FOUNDING_REFERENCE} is submitted")).to_be_visible()
    sign_out(page, "deepc-staff")

    # The HEZA official verifies it.
    sign_in_to_review(page, "heza-official")
    awaiting = page.get_by_role("region", name=re.compile("Awaiting your review"))
    awaiting.get_by_role("link", name=f"Review {FOUNDING_REFERENCE}").click()
    expect(page.get_by_role("cell", name="Bui Ngoc Hai, Deputy Head")).to_be_visible()
    page.get_by_label("Verify: the agreement is correct and becomes public").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_text(f"{FOUNDING_REFERENCE} is verified")).to_be_visible()
    sign_out(page, "heza-official")

    # What was entered is what is stored, and those concerned were told.
    agreement = Agreement.objects.get(reference=FOUNDING_REFERENCE)
    assert agreement.review_state == Agreement.ReviewState.VERIFIED
    assert agreement.reviewed_by == registry["official"]
    assert sorted(agreement.parties.values_list("organisation__slug", "role")) == [
        ("dinh-vu-ip-jsc", Party.Role.SIGNATORY),
        ("hai-an-district-police", Party.Role.SIGNATORY),
        ("heza", Party.Role.WITNESS),
    ]
    flow = agreement.flows.get()
    assert (flow.resource.slug, flow.direction) == (
        "fire-fighting-rescue-capacity",
        ResourceFlow.Direction.MUTUAL,
    )
    document = agreement.documents.get()
    assert (document.original_name, document.content_type) == (
        "quy-che-phoi-hop.pdf",
        "application/pdf",
    )
    told = {(message.to[0], message.subject) for message in mail.outbox}
    # Each notification speaks Vietnamese, then English.
    assert (
        "heza-official@example.org",
        f"{FOUNDING_REFERENCE} đang chờ anh/chị xác minh / "
        f"{FOUNDING_REFERENCE} awaits your verification",
    ) in told
    assert (
        "deepc-staff@example.org",
        f"{FOUNDING_REFERENCE} đã được xác minh / {FOUNDING_REFERENCE} is verified",
    ) in told

    # A signed-out visitor finds it.
    find_on_the_public_pages(page, agreement)


def assert_in_vietnamese(page):
    """The page is in Vietnamese and shows none of the interface's English words."""
    assert page.locator("html").get_attribute("lang") == "vi"
    leftovers = english_words(page_text(page.content()))
    assert leftovers == [], f"{page.url}: {leftovers}"


def sign_in_in_vietnamese(page, username, lands_on="Thỏa thuận của tôi"):
    page.goto(reverse("login"))
    assert_in_vietnamese(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1, name=lands_on)).to_be_visible()
    assert_in_vietnamese(page)


def sign_out_in_vietnamese(page, username):
    page.get_by_role("button", name=f"Đăng xuất ({username})").click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_a_vietnamese_speaking_officer_enters_the_founding_agreement_and_it_is_verified(
    vietnamese_page, registry
):
    """The main story again, with browsers set to Vietnamese: every page visited speaks it."""
    page = vietnamese_page
    sign_in_in_vietnamese(page, "deepc-staff")
    page.get_by_role("link", name="Nhập thỏa thuận mới").click()
    expect(page.get_by_role("heading", level=1, name="Thỏa thuận mới")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_label("Số hiệu").fill(FOUNDING_REFERENCE)
    expect(page.locator("#id_park")).to_have_value(str(Park.objects.get(slug="deep-c").pk))
    page.locator("#id_kind").select_option(label="Cộng sinh công nghiệp - đô thị")
    page.get_by_label("Tiêu đề tiếng Anh").fill(TITLE_EN)
    page.get_by_label("Tiêu đề tiếng Việt").fill(TITLE_VI)
    page.get_by_label("Ngày ký").fill("2023-09-12")
    page.get_by_label("Nơi ký tiếng Việt").fill("Hải Phòng")
    page.get_by_label("Ngày có hiệu lực").fill("2023-09-12")

    # Organisations are offered under their Vietnamese names, found with or without accents.
    choose_organisation(
        page, 0, "dinh vu", "Công ty Cổ phần Khu công nghiệp Đình Vũ (Dinh Vu IP JSC)"
    )
    choose_organisation(page, 1, "công an quận", "Công an quận Hải An")
    choose_organisation(page, 2, "heza", "Ban Quản lý Khu kinh tế Hải Phòng (HEZA)")
    page.locator("#id_parties-2-role").select_option(label="Bên chứng kiến")
    page.locator("#id_parties-2-representative_name").fill("Bùi Ngọc Hải")
    page.locator("#id_parties-2-representative_title_vi").fill("Phó Trưởng ban")
    page.locator("#id_flows-0-resource").select_option(
        label="Năng lực phòng cháy, chữa cháy và cứu nạn, cứu hộ (lượt huy động)"
    )
    page.locator("#id_flows-0-provider").select_option(organisation("dinh-vu-ip-jsc"))
    page.locator("#id_flows-0-receiver").select_option(organisation("hai-an-district-police"))
    page.locator("#id_flows-0-direction").select_option(label="Hai chiều")
    assert_in_vietnamese(page)  # with the rows the script added
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text(f"Đã lưu {FOUNDING_REFERENCE}.")).to_be_visible()
    assert_in_vietnamese(page)

    page.get_by_role("link", name=f"Tải lên tài liệu cho {FOUNDING_REFERENCE}").click()
    assert_in_vietnamese(page)
    page.get_by_label("Tiêu đề").fill("Quy chế phối hợp đã ký")
    page.get_by_label("Tệp").set_input_files(
        {"name": "quy-che-phoi-hop.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Được công khai").check()
    page.get_by_role("button", name="Tải lên", exact=True).click()
    expect(page.get_by_text("Đã thêm “Quy chế phối hợp đã ký”")).to_be_visible()
    page.get_by_role("button", name=f"Gửi xác minh {FOUNDING_REFERENCE}").click()
    expect(page.get_by_text(f"Đã gửi xác minh {FOUNDING_REFERENCE}")).to_be_visible()
    assert_in_vietnamese(page)
    sign_out_in_vietnamese(page, "deepc-staff")

    sign_in_in_vietnamese(page, "heza-official", lands_on="Bảng điều khiển của cán bộ quản lý")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Thỏa thuận của tôi"
    ).click()
    awaiting = page.get_by_role("region", name="Đang chờ anh/chị xem xét")
    awaiting.get_by_role("link", name=f"Xem xét {FOUNDING_REFERENCE}").click()
    expect(page.get_by_role("cell", name="Bùi Ngọc Hải, Phó Trưởng ban")).to_be_visible()
    expect(page.get_by_text("12/09/2023, Hải Phòng")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_label("Xác minh: thỏa thuận chính xác và được công khai").check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text(f"Đã xác minh {FOUNDING_REFERENCE}")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_role("link", name="Bảng điều khiển").click()
    expect(
        page.get_by_role("heading", level=1, name="Bảng điều khiển của cán bộ quản lý")
    ).to_be_visible()
    assert_in_vietnamese(page)
    sign_out_in_vietnamese(page, "heza-official")

    agreement = Agreement.objects.get(reference=FOUNDING_REFERENCE)
    assert agreement.review_state == Agreement.ReviewState.VERIFIED
    assert agreement.flows.get().direction == ResourceFlow.Direction.MUTUAL
    told = {(message.to[0], message.subject) for message in mail.outbox}
    assert (
        "heza-official@example.org",
        f"{FOUNDING_REFERENCE} đang chờ anh/chị xác minh / "
        f"{FOUNDING_REFERENCE} awaits your verification",
    ) in told

    # A signed-out visitor finds it under its Vietnamese title.
    page.goto(reverse("agreements:list"))
    page.get_by_role("link", name=re.compile(re.escape(TITLE_VI[:40]))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE_VI[:40])
    assert_in_vietnamese(page)


def find_on_the_public_pages(page, agreement):
    """A signed-out visitor finds the agreement on the public list and opens it."""
    page.goto(reverse("agreements:list"))
    page.get_by_role("link", name=re.compile(re.escape(agreement.title_en[:40]))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(agreement.title_en[:40])


def test_rows_are_added_and_removed_without_losing_what_is_typed(page, registry):
    sign_in(page, "deepc-staff")
    page.goto(reverse("agreements:create"))
    page.get_by_label("Reference").fill("DEEPC-2024-ROWS")
    page.locator("#id_kind").select_option("industrial")
    page.get_by_label("Title in English", exact=True).fill("Typed before adding rows")
    page.get_by_label("Starts on").fill("2024-01-01")
    choose_organisation(page, 0, "dinh vu", "Dinh Vu Industrial Park Joint Stock Company")
    choose_organisation(page, 1, "flat", "Flat Vietnam Co., Ltd.")
    choose_organisation(page, 2, "shin", "Shin-Etsu Vietnam (Shinetsu Vietnam)")

    # A fourth party, added in place.
    page.get_by_role("button", name="Add a party").click()
    choose_organisation(page, 3, "tan thuan", "Tan Thuan Phong Company")
    # The third is removed, then brought back, then removed for good.
    third = page.locator('[data-formset="parties"] [data-row]').nth(2)
    third.get_by_role("button", name="Remove this party").click()
    third.get_by_role("button", name="Undo").click()
    expect(page.locator("#id_parties-2-organisation-search")).to_have_value(
        "Shin-Etsu Vietnam (Shinetsu Vietnam)"
    )
    third.get_by_role("button", name="Remove this party").click()

    # Provider and receiver lists offer the parties entered above, not the removed one.
    provider = page.locator("#id_flows-0-provider")
    offered = provider.locator("option:not([hidden])").all_inner_texts()
    assert "Shin-Etsu Vietnam (Shinetsu Vietnam)" not in offered
    assert "Tan Thuan Phong Company" in offered
    page.get_by_role("button", name="Add a resource flow").click()
    for row, (resource, source, target) in enumerate(
        [
            ("treated-wastewater", "dinh-vu-ip-jsc", "flat-vietnam"),
            ("waste-as-filling-material", "flat-vietnam", "tan-thuan-phong"),
        ]
    ):
        page.locator(f"#id_flows-{row}-resource").select_option(
            str(Resource.objects.get(slug=resource).pk)
        )
        page.locator(f"#id_flows-{row}-provider").select_option(organisation(source))
        page.locator(f"#id_flows-{row}-receiver").select_option(organisation(target))
    page.locator("#id_flows-1-quantity").fill("-3")
    page.get_by_role("button", name="Save").click()

    # The server refuses the negative quantity and shows everything as typed.
    expect(page.get_by_text("The quantity cannot be negative.")).to_be_visible()
    expect(page.get_by_label("Title in English", exact=True)).to_have_value(
        "Typed before adding rows"
    )
    expect(page.locator("#id_parties-3-organisation-search")).to_have_value(
        "Tan Thuan Phong Company"
    )
    assert not Agreement.objects.filter(reference="DEEPC-2024-ROWS").exists()
    page.locator("#id_flows-1-quantity").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("DEEPC-2024-ROWS is saved.")).to_be_visible()

    agreement = Agreement.objects.get(reference="DEEPC-2024-ROWS")
    assert set(agreement.parties.values_list("organisation__slug", flat=True)) == {
        "dinh-vu-ip-jsc",
        "flat-vietnam",
        "tan-thuan-phong",
    }
    assert agreement.flows.count() == 2


def test_a_missing_organisation_is_added_without_leaving_the_form(page, registry):
    sign_in(page, "deepc-staff")
    page.goto(reverse("agreements:create"))
    page.get_by_label("Title in English", exact=True).fill("Typed before adding an organisation")

    field = page.locator("#id_parties-1-organisation-search")
    field.fill("Hai An Fire Brigade")
    page.locator("#id_parties-1-organisation-options").get_by_role(
        "option", name="Add “Hai An Fire Brigade” as a new organisation…"
    ).click()
    dialog = page.get_by_role("dialog", name="Add a missing organisation")
    expect(dialog.get_by_label("Name in English")).to_have_value("Hai An Fire Brigade")
    dialog.get_by_label("Kind").select_option("agency")
    dialog.get_by_label("Name in Vietnamese").fill("Đội chữa cháy Hải An")
    dialog.get_by_role("button", name="Add the organisation").click()

    expect(dialog).to_be_hidden()
    expect(field).to_have_value("Hai An Fire Brigade")
    expect(page.get_by_label("Title in English", exact=True)).to_have_value(
        "Typed before adding an organisation"
    )
    created = Organisation.objects.get(name_en="Hai An Fire Brigade")
    expect(page.locator("#id_parties-1-organisation")).to_have_value(str(created.pk))
    # It is offered in every list, including rows added afterwards.
    page.get_by_role("button", name="Add a party").click()
    expect(page.locator(f"#id_parties-3-organisation option[value='{created.pk}']")).to_have_count(
        1
    )

    # A duplicate is refused in the dialog, with the message next to the form.
    page.get_by_role("link", name="Add a missing organisation").click()
    dialog.get_by_label("Kind").select_option("agency")
    dialog.get_by_label("Name in English").fill("hai an district police")
    dialog.get_by_role("button", name="Add the organisation").click()
    expect(dialog.get_by_text("Hai An District Police is already in the registry")).to_be_visible()


def test_the_form_works_without_javascript(browser, live_server, registry):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "deepc-staff")
        page.goto(reverse("agreements:create"))
        page.get_by_label("Reference").fill("DEEPC-2024-NOJS")
        page.locator("#id_kind").select_option("industrial")
        page.get_by_label("Title in English", exact=True).fill("Entered without JavaScript")
        page.get_by_label("Starts on").fill("2024-01-01")
        # The parties' names typed (several organisations match "vietnam"), the flow's resource.
        page.locator("#id_parties-0-organisation_query").fill("dinh vu")
        page.locator("#id_parties-1-organisation_query").fill("vietnam")
        page.locator("#id_flows-0-resource").select_option(label="Treated wastewater (m³)")
        expect(page.get_by_role("link", name="Add a missing organisation")).to_have_attribute(
            "target", "_blank"
        )
        page.get_by_role("button", name="Save").click()

        # Back with the first party found, the matches of the second to choose from, and the
        # found parties offered as provider and receiver.
        expect(page.get_by_text("organisations match “vietnam”: choose one")).to_be_visible()
        expect(page.locator("#id_parties-0-organisation")).to_have_value(
            organisation("dinh-vu-ip-jsc")
        )
        expect(page.get_by_label("Title in English", exact=True)).to_have_value(
            "Entered without JavaScript"
        )
        page.locator("#id_parties-1-organisation").select_option(organisation("flat-vietnam"))
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Choose the provider among the parties.")).to_be_visible()
        page.locator("#id_flows-0-provider").select_option(organisation("dinh-vu-ip-jsc"))
        page.locator("#id_flows-0-receiver").select_option(organisation("flat-vietnam"))
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("DEEPC-2024-NOJS is saved.")).to_be_visible()
        assert Agreement.objects.get(reference="DEEPC-2024-NOJS").parties.count() == 2
    finally:
        context.close()
