"""A new park from nothing to its first verified agreement, in Vietnamese, without the Django
admin: an official creates the park and invites a staff member by email; the invitee sets a
password from the email's link and enters an agreement proposing a new resource and a new
organisation; neither is public until the official verifies the agreement."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Agreement, Resource
from parks.models import Organisation, Park, ParkMembership
from tests.e2e.conftest import watched_page
from tests.e2e.test_staff import (
    PASSWORD,
    assert_in_vietnamese,
    choose_organisation,
)
from tests.factories import make_agency, make_official, make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INVITEE = "thu.nguyen@namdinhvu.example.org"
INVITEE_PASSWORD = "mot ngay dep troi"
REFERENCE = "NDV-2024-01"
TITLE_VI = "Thỏa thuận tái sử dụng vải vụn giữa Công ty Dệt Nam Định và Công ty Môi trường Xanh"
TITLE_EN = "Agreement on reusing textile offcuts between Nam Dinh Textile and Green Environment"
RESOURCE_VI = "Vải vụn từ xưởng may"
RESOURCE_EN = "Textile offcuts from the sewing shop"


@pytest.fixture
def authority(db):
    """A provincial authority with one official, and a company that will be a party."""
    agency = make_agency(
        name_en="Nam Dinh Economic Zone Authority",
        name_vi="Ban Quản lý Khu kinh tế Nam Định",
        slug="nam-dinh-eza",
    )
    official = make_official(agency, username="nd-official")
    company = make_organisation(
        name_en="Nam Dinh Textile Company", name_vi="Công ty Dệt Nam Định", slug="nam-dinh-textile"
    )
    return {"agency": agency, "official": official, "company": company}


def sign_in_as_official(page):
    page.goto(reverse("login"))
    assert_in_vietnamese(page)
    page.get_by_label("Tên đăng nhập").fill("nd-official")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Officials land on their dashboard.
    expect(
        page.get_by_role("heading", level=1, name="Bảng điều khiển của cán bộ quản lý")
    ).to_be_visible()
    assert_in_vietnamese(page)


def create_the_park(page, authority):
    page.goto(reverse("parks:create"))
    expect(page.get_by_role("heading", level=1, name="Thêm khu mới")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_label("Tên tiếng Việt").fill("Khu công nghiệp Nam Đình Vũ")
    page.get_by_label("Tên tiếng Anh").fill("Nam Dinh Vu Industrial Park")
    page.locator("#id_vietnam_province").select_option("Hải Phòng")
    page.locator("#id_managing_authority").select_option(str(authority["agency"].pk))
    page.get_by_role("button", name="Thêm khu", exact=True).click()
    expect(page.get_by_text("Đã thêm Khu công nghiệp Nam Đình Vũ vào sổ đăng ký.")).to_be_visible()
    assert_in_vietnamese(page)
    return Park.objects.get(name_en="Nam Dinh Vu Industrial Park")


def invite_a_staff_member(page, park):
    page.get_by_role("link", name="Thành viên và lời mời").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Thành viên của {park.name_vi}")
    ).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_label("Địa chỉ email").fill(INVITEE)
    page.get_by_label("Vai trò").select_option(label="Cán bộ")
    page.get_by_label("Ngôn ngữ của email mời").select_option("vi")
    page.get_by_role("button", name="Gửi lời mời").click()
    expect(
        page.get_by_text(
            f"Lời mời đang được gửi tới {INVITEE}; đường liên kết chỉ dùng được một lần, "
            "trong bảy ngày."
        )
    ).to_be_visible()
    assert_in_vietnamese(page)
    # The email speaks the language the official chose for it.
    (email,) = [message for message in mail.outbox if message.to == [INVITEE]]
    assert email.subject == (
        f"Lời mời tham gia {park.name_vi} trên Sổ đăng ký cộng sinh công nghiệp"
    )
    assert "Mở đường liên kết này để chấp nhận" in email.body
    return re.search(r"https?://\S+/accounts/invitation/\S+/", email.body).group(0)


def enter_the_agreement(page, park, company):
    """On the new agreement form: a missing resource and a missing organisation proposed in
    their dialogs, two parties and one flow; saved, then submitted."""
    page.goto(reverse("agreements:create"))
    expect(page.get_by_role("heading", level=1, name="Thỏa thuận mới")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_label("Số hiệu").fill(REFERENCE)
    expect(page.locator("#id_park")).to_have_value(str(park.pk))
    page.locator("#id_kind").select_option(Agreement.Kind.INDUSTRIAL)
    page.get_by_label("Tiêu đề tiếng Việt").fill(TITLE_VI)
    page.get_by_label("Tiêu đề tiếng Anh").fill(TITLE_EN)
    page.get_by_label("Ngày có hiệu lực").fill("2024-03-01")

    # One party from the registry; the other, missing, added in its dialog.
    choose_organisation(page, 0, "det nam dinh", "Công ty Dệt Nam Định")
    field = page.locator("#id_parties-1-organisation-search")
    field.fill("Công ty Môi trường Xanh Nam Đình Vũ")
    page.locator("#id_parties-1-organisation-options").get_by_role(
        "option", name="Thêm “Công ty Môi trường Xanh Nam Đình Vũ” thành tổ chức mới…"
    ).click()
    dialog = page.get_by_role("dialog", name="Thêm tổ chức chưa có trong danh sách")
    expect(dialog.get_by_label("Tên tiếng Việt")).to_have_value(
        "Công ty Môi trường Xanh Nam Đình Vũ"
    )
    dialog.get_by_label("Loại hình").select_option(label="Doanh nghiệp")
    dialog.get_by_label("Tên tiếng Anh").fill("Nam Dinh Vu Green Environment Company")
    assert_in_vietnamese(page)
    dialog.get_by_role("button", name="Thêm tổ chức", exact=True).click()
    expect(dialog).to_be_hidden()
    newcomer = Organisation.objects.get(name_en="Nam Dinh Vu Green Environment Company")
    expect(page.locator("#id_parties-1-organisation")).to_have_value(str(newcomer.pk))

    # The resource, missing from the list, proposed in its dialog and chosen in the flow.
    page.get_by_role("link", name="Đề xuất tài nguyên chưa có trong danh sách").click()
    dialog = page.get_by_role("dialog", name="Đề xuất tài nguyên chưa có trong danh sách")
    dialog.get_by_label("Tên tiếng Việt").fill(RESOURCE_VI)
    dialog.get_by_label("Tên tiếng Anh").fill(RESOURCE_EN)
    dialog.get_by_label("Nhóm").select_option(Resource.Category.MATERIAL)
    dialog.get_by_label("Đơn vị tính").select_option(Resource.Unit.TONNE)
    expect(dialog.get_by_label("Cho khu công nghiệp")).to_have_value(str(park.pk))
    assert_in_vietnamese(page)
    dialog.get_by_role("button", name="Đề xuất tài nguyên", exact=True).click()
    expect(dialog).to_be_hidden()
    resource = Resource.objects.get(name_en=RESOURCE_EN)
    expect(page.locator("#id_flows-0-resource")).to_have_value(str(resource.pk))
    page.locator("#id_flows-0-provider").select_option(str(company.pk))
    page.locator("#id_flows-0-receiver").select_option(str(newcomer.pk))
    page.locator("#id_flows-0-quantity").fill("120")
    assert_in_vietnamese(page)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text(f"Đã lưu {REFERENCE}.")).to_be_visible()
    assert_in_vietnamese(page)
    page.get_by_role("button", name=f"Gửi xác minh {REFERENCE}").click()
    expect(page.get_by_text(f"Đã gửi xác minh {REFERENCE}")).to_be_visible()
    assert_in_vietnamese(page)
    return resource, newcomer


def review_agreement(page, resource, newcomer):
    (email,) = [
        message
        for message in mail.outbox
        if message.to == ["nd-official@example.org"] and REFERENCE in message.subject
    ]
    page.goto(re.search(r"https?://\S+/review/", email.body).group(0))
    assert_in_vietnamese(page)
    proposals = page.get_by_role(
        "region", name="Tài nguyên / tổ chức mới được đề xuất cùng thỏa thuận này"
    )
    expect(proposals.get_by_role("cell", name=resource.name_vi, exact=True)).to_be_visible()
    expect(
        proposals.get_by_role("cell", name=f"{newcomer.name_vi} / {newcomer.name_en}", exact=True)
    ).to_be_visible()
    page.get_by_label("Xác minh: thỏa thuận chính xác và được công khai").check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text(f"Đã xác minh {REFERENCE}")).to_be_visible()
    assert_in_vietnamese(page)


def test_an_official_opens_a_park_whose_invited_staff_enter_its_first_verified_agreement(
    browser, live_server, policy_violations, authority
):
    contexts = []

    def new_page(locale):
        context, page = watched_page(browser, live_server, policy_violations, locale=locale)
        contexts.append(context)
        return page

    try:
        # The official creates the park and invites a staff member.
        official = new_page("vi-VN")
        sign_in_as_official(official)
        park = create_the_park(official, authority)
        link = invite_a_staff_member(official, park)

        # The invitee opens the link in their own browser, set to English: the page is in the
        # invitation's language, Vietnamese. They set a password, keep Vietnamese, and land on
        # the park.
        invitee = new_page("en-GB")
        invitee.goto(link)
        expect(invitee.get_by_role("heading", level=1, name="Lời mời của anh/chị")).to_be_visible()
        expect(invitee.get_by_text("nd-official mời anh/chị tham gia")).to_be_visible()
        assert_in_vietnamese(invitee)
        create = invitee.get_by_role("button", name="Tạo tài khoản của tôi")
        form = invitee.locator("form").filter(has=create)
        form.get_by_label(re.compile(r"^Mật khẩu mới\*?$")).fill(INVITEE_PASSWORD)
        form.get_by_label("Xác nhận mật khẩu mới").fill(INVITEE_PASSWORD)
        expect(form.get_by_label("Ngôn ngữ")).to_have_value("vi")
        create.click()
        expect(invitee.get_by_role("heading", level=1)).to_contain_text(park.name_vi)
        expect(
            invitee.get_by_text(f"Chào mừng anh/chị: anh/chị nay là thành viên của {park.name_vi}")
        ).to_be_visible()
        assert_in_vietnamese(invitee)
        assert ParkMembership.objects.filter(park=park, user__email=INVITEE).exists()

        # They enter the park's first agreement, proposing what the registry lacks.
        resource, newcomer = enter_the_agreement(invitee, park, authority["company"])

        # Neither proposal is public yet.
        visitor = new_page("vi-VN")
        for proposal in (resource, newcomer):
            response = visitor.goto(proposal.get_absolute_url())
            assert response.status == 404, proposal
        assert visitor.goto(reverse("agreements:detail", args=[REFERENCE])).status == 404
        visitor.goto(reverse("agreements:resource-list"))
        expect(visitor.get_by_text(RESOURCE_VI)).to_have_count(0)

        # The official follows the email's link to the review, sees both proposals, verifies.
        review_agreement(official, resource, newcomer)

        # Now the visitor finds the agreement, the resource and the organisation.
        for proposal in (resource, newcomer):
            assert visitor.goto(proposal.get_absolute_url()).status == 200, proposal
            expect(visitor.get_by_role("heading", level=1)).to_contain_text(proposal.name_vi)
            assert_in_vietnamese(visitor)
        visitor.goto(reverse("agreements:resource-list"))
        expect(visitor.get_by_role("link", name=RESOURCE_VI)).not_to_have_count(0)
        visitor.goto(reverse("agreements:list"))
        visitor.get_by_role("link", name=re.compile(re.escape(TITLE_VI[:40]))).first.click()
        expect(visitor.get_by_role("heading", level=1)).to_contain_text(TITLE_VI[:40])
        expect(visitor.get_by_role("link", name=RESOURCE_VI)).not_to_have_count(0)
        assert_in_vietnamese(visitor)

        agreement = Agreement.objects.get(reference=REFERENCE)
        assert agreement.review_state == Agreement.ReviewState.VERIFIED
        assert agreement.park == park
        assert agreement.flows.get().resource == resource
    finally:
        for context in contexts:
            context.close()
