"""Vietnamese and English throughout: the catalogue is complete and up to date, every page reads
in the visitor's language, dates and numbers are written the Vietnamese way, names show in the
chosen language, and notification emails speak both."""

import datetime
import io
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import polib
import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements import services
from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.sample_data.demo import FOUNDING_REFERENCE
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership
from tests.agreements.entry import new_agreement_data, party
from tests.factories import make_agreement, make_park, make_user
from tests.vietnamese import english_words, page_text

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}

# %(name)s, %(count)d, %s, %d, and the escaped percent sign %%.
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|\{\w*\}")


def _in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _entries():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


# The catalogue


def test_every_string_has_a_vietnamese_translation_that_is_not_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [
        entry.msgid
        for entry in _entries()
        if "fuzzy" in entry.flags
        or (entry.msgid_plural and not all(entry.msgstr_plural.values()))
        or (not entry.msgid_plural and not entry.msgstr.strip())
    ]
    assert missing == []
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == "vi"
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=1;")


@pytest.mark.parametrize("entry", _entries(), ids=lambda entry: entry.msgid[:60])
def test_translation_keeps_the_placeholders_of_the_english(entry):
    if entry.msgid_plural:
        # Vietnamese has one form: it is used for every count, so it takes the plural's values.
        expected, translations = entry.msgid_plural, list(entry.msgstr_plural.values())
    else:
        expected, translations = entry.msgid, [entry.msgstr]
    for translated in translations:
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(expected))
        if "python-format" in entry.flags:
            # A lone "%" would break the formatting of the whole message.
            assert "%" not in PLACEHOLDER.sub("", translated)


def _extracted_catalogue(tmp_path):
    """The catalogue ``make messages`` would write from the code as it is now: the project
    copied without its virtualenv and its catalogue, and makemessages run on the copy with the
    Makefile's own options."""
    ignored = re.findall(r"--ignore '([^']+)'", (ROOT / "Makefile").read_text())
    assert ignored, "the Makefile's messages target lost its --ignore options"
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "locale", "media", "staticfiles", "*.sqlite3", "__pycache__"
        ),
    )
    (copy / "locale" / "vi" / "LC_MESSAGES").mkdir(parents=True)
    command = [sys.executable, "manage.py", "makemessages", "--locale", "vi", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in ignored]
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "symbiosis.settings",
    }
    result = subprocess.run(
        command, cwd=copy, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))


def test_the_catalogue_holds_every_translatable_string_of_the_code_and_no_other(tmp_path):
    if shutil.which("xgettext") is None:
        message = "extracting the strings needs gettext's xgettext (apt-get install -y gettext)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    extracted = {_key(entry) for entry in _extracted_catalogue(tmp_path) if not entry.obsolete}
    committed = {_key(entry) for entry in _entries()}

    assert sorted(extracted - committed, key=str) == [], "new strings: run `make messages`"
    assert sorted(committed - extracted, key=str) == [], "strings gone: run `make messages`"


def test_the_committed_mo_file_is_the_po_file_compiled():
    def translations(catalogue):
        return {
            _key(entry): (
                tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
            )
            for entry in catalogue
            if entry.msgid
        }

    compiled = translations(polib.mofile(str(COMPILED)))
    source = translations(polib.pofile(str(CATALOGUE)).translated_entries())

    assert compiled == source, "run `make messages` (or manage.py compile_catalogues)"


# Choosing the language


@pytest.fixture
def registry(demo):
    """The demo, with the founding agreement's free text in Vietnamese (the interface is what
    these tests read), a Deep C staff member and a HEZA official."""
    summary = "Chia sẻ lực lượng, phương tiện phòng cháy, chữa cháy và cứu nạn, cứu hộ."
    Agreement.objects.filter(pk=demo.pk).update(summary_vi=summary)
    Agreement.history.filter(id=demo.pk).update(summary_vi=summary)
    for parties in [Party.objects, Party.history]:
        parties.filter(agreement_id=demo.pk, representative_title_en="Deputy Head").update(
            representative_name="Bùi Ngọc Hải", representative_title_vi="Phó Trưởng ban"
        )
    staff = make_user("deepc-staff")
    ParkMembership.objects.create(user=staff, park=demo.park)
    official = make_user("heza-official", first_name="Hải", last_name="Bùi")
    AuthorityMembership.objects.create(user=official, agency=Organisation.objects.get(slug="heza"))
    demo.refresh_from_db()
    return {"agreement": demo, "staff": staff, "official": official}


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_browsers_language_chooses_the_page_language(db):
    vietnamese = Client().get(reverse("home"), **VI)
    english = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    neither = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")

    assert '<html lang="vi">' in vietnamese.content.decode()
    assert "Sổ đăng ký qua các con số" in page_text(vietnamese.content.decode())
    assert "The registry in figures" in page_text(english.content.decode())
    assert '<html lang="en">' in neither.content.decode()
    assert "Accept-Language" in vietnamese["Vary"]


def test_the_language_chosen_in_the_header_is_remembered_and_the_address_stays_the_same(db):
    client = Client()
    parks = reverse("parks:list")
    assert not parks.startswith(("/vi/", "/en/"))

    response = client.post(reverse("set_language"), {"language": "vi", "next": parks})

    assert response.status_code == 302
    assert response["Location"] == parks
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    # Remembered over the browser's own preference, on every page, at the same addresses.
    for url in [parks, reverse("agreements:list"), reverse("home")]:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="vi">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": parks})
    assert "Industrial parks" in page_text(client.get(parks, **VI).content.decode())


# Every page in Vietnamese


def _agreement_url(name, agreement):
    return reverse(f"agreements:{name}", kwargs={"reference": agreement.reference})


PAGES = {
    # page: (who, how to find its address, Vietnamese the page must show)
    "api docs": (
        None,
        lambda r: reverse("api:docs"),
        ["API công khai", "Lược đồ OpenAPI 3 có tại", "chỉ đọc, dưới dạng JSON"],
    ),
    "home": (None, lambda r: reverse("home"), ["Sổ đăng ký qua các con số", "Tìm kiếm thỏa thuận"]),
    "agreement list": (
        None,
        lambda r: reverse("agreements:list"),
        ["Thỏa thuận đã xác minh", "Nhóm tài nguyên", "Năm ký", "Áp dụng", "Tìm thấy 1 thỏa thuận"],
    ),
    "agreement detail": (
        None,
        lambda r: r["agreement"].get_absolute_url(),
        [
            "Quy chế phối hợp cộng sinh công nghiệp - đô thị về phòng cháy, chữa cháy",
            "Cộng sinh công nghiệp - đô thị",
            "Ngày và nơi ký",
            "Bên ký kết",
            "Bên chứng kiến",
            "Nội dung chia sẻ",
            "Các thỏa thuận liên quan",
        ],
    ),
    "resource list": (
        None,
        lambda r: reverse("agreements:resource-list"),
        ["Tài nguyên chia sẻ", "Nước thải đã qua xử lý", "đơn vị tính: m³", "Dịch vụ"],
    ),
    "resource detail": (
        None,
        lambda r: reverse(
            "agreements:resource-detail", kwargs={"slug": "fire-fighting-rescue-capacity"}
        ),
        [
            "Năng lực phòng cháy, chữa cháy và cứu nạn, cứu hộ",
            "Nhóm",
            "Đơn vị tính",
            "1 thỏa thuận đã xác minh chia sẻ",
        ],
    ),
    "open data": (
        None,
        lambda r: reverse("open_data:index"),
        ["Dữ liệu mở", "Giấy phép", "Các bảng", "Cách trích dẫn", "Các bên tham gia"],
    ),
    "park list": (
        None,
        lambda r: reverse("parks:list"),
        ["Khu công nghiệp Deep C", "Chủ đầu tư hạ tầng", "Cơ quan quản lý", "Tình trạng"],
    ),
    "park map": (
        None,
        lambda r: reverse("parks:map"),
        [
            "Bản đồ các khu công nghiệp",
            "Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)",
            "Chưa đánh giá",
            "không có trên bản đồ (chưa ghi tọa độ)",
        ],
    ),
    "park detail": (
        None,
        lambda r: reverse("parks:detail", kwargs={"slug": "deep-c"}),
        [
            "Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)",
            "Mạng lưới cộng sinh",
            "Chưa đánh giá",
            "Các tổ chức đặt tại khu công nghiệp",
            "Hồ sơ của khu này do Ban Quản lý Khu kinh tế Hải Phòng duy trì.",
        ],
    ),
    "new park": (
        "official",
        lambda r: reverse("parks:create"),
        ["Thêm khu mới", "Cơ quan quản lý", "Hoặc tìm chủ đầu tư hạ tầng theo tên", "Thêm khu"],
    ),
    "park edit form": (
        "official",
        lambda r: reverse("parks:update", kwargs={"slug": "deep-c"}),
        [
            "Chỉnh sửa Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)",
            "Định danh trong địa chỉ (slug)",
            "Lịch sử thay đổi của khu",
            "Lưu thông tin khu",
        ],
    ),
    "park history": (
        "staff",
        lambda r: reverse("parks:history", kwargs={"slug": "deep-c"}),
        [
            "Lịch sử thay đổi của Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)",
            "Khu công nghiệp · được tạo",
            "Trường",
            "Sau",
        ],
    ),
    "organisation detail": (
        None,
        lambda r: reverse("parks:organisation-detail", kwargs={"slug": "hai-an-district-police"}),
        ["Công an quận Hải An", "Cơ quan nhà nước", "Cấp huyện", "Địa bàn quản lý"],
    ),
    "sign-in": (None, lambda r: reverse("login"), ["Đăng nhập", "Tên đăng nhập", "Mật khẩu"]),
    "password reset": (
        None,
        lambda r: reverse("password_reset"),
        ["Đặt lại mật khẩu", "Nhập địa chỉ email của tài khoản", "Gửi liên kết cho tôi"],
    ),
    "password change": (
        "staff",
        lambda r: reverse("password_change"),
        ["Đổi mật khẩu", "Mật khẩu cũ", "Mật khẩu mới"],
    ),
    "add an organisation": (
        "staff",
        lambda r: reverse("agreements:organisation-create"),
        ["Thêm tổ chức chưa có trong danh sách", "Tên tiếng Việt", "Tên viết tắt", "Cấp huyện"],
    ),
    "my agreements": (
        "staff",
        lambda r: reverse("agreements:mine"),
        ["Thỏa thuận của tôi", "Nhập thỏa thuận mới", "Đã xác minh và công khai", "Đổi mật khẩu"],
    ),
    # The import's strings are in /tmp/h/vi-import.json until the catalogue takes them.
    "import from a spreadsheet": (
        "staff",
        lambda r: reverse("agreements:import"),
        ["Nhập thỏa thuận từ bảng tính", "Tải tệp mẫu (XLSX)", "Tải lên và xem trước"],
    ),
    "new agreement form": (
        "staff",
        lambda r: reverse("agreements:create"),
        [
            "Thỏa thuận mới",
            "Số hiệu",
            "Tiêu đề tiếng Việt",
            "Ngày có hiệu lực",
            "Các bên tham gia",
            "Dòng tài nguyên",
            "Bên cung cấp",
            "Thêm tổ chức chưa có trong danh sách",
            "Lưu",
        ],
    ),
    "edit form": (
        "staff",
        lambda r: _agreement_url("update", r["agreement"]),
        ["Chỉnh sửa DEEPC-2023-IUS-01", "đã được xác minh và công khai", "Bên ký kết"],
    ),
    "document upload": (
        "staff",
        lambda r: _agreement_url("document-upload", r["agreement"]),
        ["Tải lên tài liệu cho DEEPC-2023-IUS-01", "Tệp", "Được công khai", "Tải lên"],
    ),
    "history": (
        "staff",
        lambda r: _agreement_url("history", r["agreement"]),
        ["Lịch sử thay đổi của DEEPC-2023-IUS-01", "Thỏa thuận · được tạo", "Trường", "Sau"],
    ),
    "review": (
        "official",
        lambda r: _agreement_url("review", r["agreement"]),
        [
            "Xem xét DEEPC-2023-IUS-01",
            "Gửi xác minh lúc",
            "Xác minh: thỏa thuận chính xác và được công khai",
            "Trả lại cho cán bộ khu công nghiệp để chỉnh sửa",
            "Ghi nhận quyết định",
        ],
    ),
    "park members": (
        "official",
        lambda r: reverse("parks:members", kwargs={"slug": r["agreement"].park.slug}),
        [
            "Thành viên của Khu công nghiệp Deep C",
            "Vai trò",
            "Cán bộ",
            "Thu hồi quyền truy cập",
            "Lời mời chưa được chấp nhận",
            "Mời một người",
            "Ngôn ngữ của email mời",
            "Gửi lời mời",
            "Ai đã làm gì",
        ],
    ),
    "my account": (
        "staff",
        lambda r: reverse("accounts:account"),
        [
            "Tài khoản của tôi",
            "Ngôn ngữ",
            "Đổi mật khẩu",
            "Đăng nhập hai lớp",
            "Tư cách thành viên",
        ],
    ),
    "dashboard": (
        "official",
        lambda r: reverse("agreements:dashboard"),
        [
            "Bảng điều khiển của cán bộ quản lý",
            "Tổng quan",
            "Thỏa thuận theo khu công nghiệp",
            "Tác động của các thỏa thuận đã xác minh còn hiệu lực",
            "Cần xử lý",
            "Bảng tính (XLSX)",
        ],
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_reads_in_vietnamese(registry, name):
    who, address, expected = PAGES[name]
    if name == "review":
        Agreement.objects.filter(pk=registry["agreement"].pk).update(
            review_state=Agreement.ReviewState.SUBMITTED,
            submitted_at=datetime.datetime(2023, 9, 13, 9, 0, tzinfo=datetime.UTC),
        )
    client = client_for(registry[who] if who else None)

    response = client.get(address(registry), **VI)

    assert response.status_code == 200
    content = response.content.decode()
    text = page_text(content)
    assert '<html lang="vi">' in content
    assert 'id="language-switcher"' in content
    for words in expected:
        assert words in text
    assert english_words(text) == []


def test_the_agreement_form_passes_its_script_the_vietnamese_words(registry):
    content = client_for(registry["staff"]).get(reverse("agreements:create"), **VI)
    content = content.content.decode()

    assert 'data-add-new="Thêm “%s” thành tổ chức mới…"' in content
    assert 'data-undo="Hoàn tác"' in content


def test_a_form_error_is_in_vietnamese_and_nothing_is_lost(registry):
    world = Organisation.objects.in_bulk(field_name="slug")
    data = new_agreement_data(
        park=registry["agreement"].park,
        parties=[party(world["dinh-vu-ip-jsc"]), party(world["hai-an-district-police"])],
        flows=[],
        reference="DEEPC-2024-LOI",
        kind="",
        title_vi="Thỏa thuận thử",
    )
    data.update(
        {
            "flows-TOTAL_FORMS": "1",
            "flows-0-id": "",
            "flows-0-resource": Resource.objects.get(slug="treated-wastewater").pk,
            "flows-0-provider": world["dinh-vu-ip-jsc"].pk,
            "flows-0-receiver": world["dinh-vu-ip-jsc"].pk,
            "flows-0-direction": "one_way",
            "flows-0-quantity": "-5",
            "flows-0-period": "yearly",
        }
    )

    response = client_for(registry["staff"]).post(reverse("agreements:create"), data, **VI)

    text = page_text(response.content.decode())
    assert "Chưa có gì được lưu: hãy sửa những chỗ được đánh dấu bên dưới." in text
    assert "Trường này là bắt buộc." in text  # Django's own message, for the kind
    assert "Số lượng không được là số âm." in text
    assert "Bên cung cấp và bên tiếp nhận phải khác nhau." in text
    assert 'value="Thỏa thuận thử"' in response.content.decode()
    assert not Agreement.objects.filter(reference="DEEPC-2024-LOI").exists()


def test_pages_refused_or_missing_answer_in_vietnamese(registry):
    other_park = make_park(name_en="Other Park")
    other = make_agreement(other_park, review_state=Agreement.ReviewState.DRAFT)
    staff = client_for(registry["staff"])

    missing = staff.get(_agreement_url("update", other), **VI)
    refused = client_for(make_user()).get(reverse("agreements:dashboard"), **VI)
    forged = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "someone", "password": "x"}, **VI
    )

    assert missing.status_code == 404
    assert "Không tìm thấy trang" in page_text(missing.content.decode())
    assert refused.status_code == 403
    assert "Không được phép" in page_text(refused.content.decode())
    assert forged.status_code == 403
    assert "Không gửi được biểu mẫu" in page_text(forged.content.decode())


def test_the_server_error_page_needs_no_request_and_speaks_the_language(db):
    with translation.override("vi"):
        page = page_text(render_to_string("500.html"))

    assert "Đã xảy ra lỗi" in page
    assert english_words(page) == []


# Dates, numbers and names


def test_dates_and_numbers_are_written_the_vietnamese_way(registry):
    park = make_park(name_en="Big Park", name_vi="Khu công nghiệp Lớn", area_ha=Decimal("1234.5"))
    agreement = registry["agreement"]
    ResourceFlow.objects.filter(agreement=agreement).update(
        quantity=Decimal("1234.5"), period=ResourceFlow.Period.YEARLY
    )

    detail = page_text(Client().get(agreement.get_absolute_url(), **VI).content.decode())
    area = page_text(Client().get(park.get_absolute_url(), **VI).content.decode())
    english = page_text(Client().get(park.get_absolute_url()).content.decode())

    assert "12/09/2023, Hải Phòng" in detail  # the place signed in Vietnamese too
    assert "1.234,5 lượt huy động mỗi năm" in detail
    assert "1.234,5 ha" in area
    assert "1,234.5 ha" in english


def test_the_review_page_shows_a_date_and_time_the_vietnamese_way(registry):
    Agreement.objects.filter(pk=registry["agreement"].pk).update(
        review_state=Agreement.ReviewState.SUBMITTED,
        submitted_at=datetime.datetime(2023, 9, 13, 2, 30, tzinfo=datetime.UTC),
    )
    response = client_for(registry["official"]).get(
        _agreement_url("review", registry["agreement"]), **VI
    )

    # 02:30 UTC is 09:30 in Hai Phong.
    assert "Gửi xác minh lúc 13/09/2023 09:30." in page_text(response.content.decode())


def test_names_show_in_the_chosen_language_with_the_other_as_fallback(db):
    both = make_park(name_en="Deep C Industrial Park", name_vi="Khu công nghiệp Deep C")
    english_only = make_park(name_en="Nam Dinh Vu Industrial Park")

    with translation.override("vi"):
        assert (str(both), both.name, english_only.name) == (
            "Khu công nghiệp Deep C",
            "Khu công nghiệp Deep C",
            "Nam Dinh Vu Industrial Park",
        )
    with translation.override("en"):
        assert str(both) == "Deep C Industrial Park"


def test_search_finds_an_agreement_by_its_title_in_either_language(registry):
    for language, query in [("vi", "quy che phoi hop"), ("en", "fire prevention")]:
        for accept in ["vi", "en"]:
            response = Client().get(
                reverse("agreements:list"), {"q": query}, HTTP_ACCEPT_LANGUAGE=accept
            )
            assert FOUNDING_REFERENCE in page_text(response.content.decode()), (language, accept)


def test_the_network_drawing_labels_organisations_in_vietnamese(registry):
    content = Client().get(reverse("parks:detail", kwargs={"slug": "deep-c"}), **VI)
    svg = re.search(r"<svg.*?</svg>", content.content.decode(), flags=re.S).group(0)

    assert "Mạng lưới cộng sinh của Khu công nghiệp Deep C" in svg
    assert ">Công an quận Hải An<" in svg
    assert "Hai An District Police" not in svg


def test_the_admin_of_our_models_is_in_vietnamese(registry):
    admin = client_for(make_user(is_staff=True, is_superuser=True))

    index = page_text(admin.get(reverse("admin:index"), **VI).content.decode())
    agreements = page_text(
        admin.get(reverse("admin:agreements_agreement_changelist"), **VI).content.decode()
    )

    for words in ["Khu công nghiệp", "Tổ chức", "Thỏa thuận", "Dòng tài nguyên", "Tài liệu"]:
        assert words in index
    assert "Cán bộ khu công nghiệp" in index
    for words in ["Số hiệu", "Tiêu đề", "Trạng thái xác minh", "Quy chế phối hợp cộng sinh"]:
        assert words in agreements
    change = page_text(
        admin.get(
            reverse("admin:agreements_agreement_change", args=[registry["agreement"].pk]), **VI
        ).content.decode()
    )
    for words in ["Thay đổi thỏa thuận", "Ngày có hiệu lực", "Bên ký kết", "Dòng tài nguyên"]:
        assert words in change
    for text in [index, agreements, change]:
        assert english_words(text) == []


def test_exports_name_their_columns_in_the_language_and_keep_machine_readable_values(registry):
    ResourceFlow.objects.filter(agreement=registry["agreement"]).update(quantity=Decimal("1234.5"))
    response = client_for(registry["official"]).get(reverse("agreements:export-csv"), **VI)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    founding = next(line for line in lines if line.startswith(FOUNDING_REFERENCE))

    assert lines[0].startswith("Số hiệu,Tiêu đề,Khu công nghiệp,")
    assert "Quy chế phối hợp cộng sinh công nghiệp - đô thị" in founding
    assert ",2023-09-12," in founding
    assert ",1234.500," in founding


def test_the_spreadsheet_names_its_sheets_in_the_language(registry):
    response = client_for(registry["official"]).get(reverse("agreements:export-xlsx"), **VI)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    assert workbook.sheetnames == ["Dòng tài nguyên", "Thỏa thuận", "Thông tin về tệp"]
    about = list(workbook["Thông tin về tệp"].iter_rows(values_only=True))
    assert about[0][0].startswith("Sổ đăng ký cộng sinh công nghiệp")


# Emails


def test_a_notification_email_speaks_vietnamese_first_then_english(
    registry, django_capture_on_commit_callbacks
):
    agreement = registry["agreement"]
    Agreement.objects.filter(pk=agreement.pk).update(review_state=Agreement.ReviewState.DRAFT)
    agreement.refresh_from_db()

    # In English, the language of whoever submits: the email does not depend on it.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.submit_agreement(
            agreement=agreement, user=registry["staff"], base_url="https://r.example"
        )

    (message,) = mail.outbox
    vietnamese, english = message.body.split("\n\n---\n\n")
    assert message.subject == (
        f"{FOUNDING_REFERENCE} đang chờ anh/chị xác minh / "
        f"{FOUNDING_REFERENCE} awaits your verification"
    )
    assert vietnamese.startswith(f"deepc-staff đã gửi xác minh thỏa thuận {FOUNDING_REFERENCE}")
    assert "của Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)" in vietnamese
    assert agreement.title_vi in vietnamese
    assert "Xác minh, hoặc trả lại kèm ý kiến, tại đây:" in vietnamese
    assert english.startswith(f"deepc-staff submitted agreement {FOUNDING_REFERENCE}")
    assert agreement.title_en in english
    assert f"https://r.example/agreements/{FOUNDING_REFERENCE}/review/" in vietnamese
    assert f"https://r.example/agreements/{FOUNDING_REFERENCE}/review/" in english
    assert translation.get_language() == "en"


def test_a_returned_agreement_email_gives_the_comment_in_both_parts(
    registry, django_capture_on_commit_callbacks
):
    agreement = registry["agreement"]
    Agreement.objects.filter(pk=agreement.pk).update(review_state=Agreement.ReviewState.SUBMITTED)
    agreement.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_agreement(
            agreement=agreement, user=registry["official"], comment="Bổ sung văn bản đã ký."
        )

    (message,) = mail.outbox
    assert message.to == ["deepc-staff@example.org"]
    assert message.subject == (
        f"{FOUNDING_REFERENCE} được trả lại để chỉnh sửa / "
        f"{FOUNDING_REFERENCE} is returned for changes"
    )
    vietnamese, english = message.body.split("\n\n---\n\n")
    assert vietnamese.startswith(f"Hải Bùi đã trả lại thỏa thuận {FOUNDING_REFERENCE}")
    assert "Ý kiến của người xem xét:\nBổ sung văn bản đã ký." in vietnamese
    assert "Their comment:\nBổ sung văn bản đã ký." in english


def test_every_choice_label_of_our_models_is_translated():
    with translation.override("vi"):
        labels = {
            str(label)
            for model in [Agreement, Party, Resource, ResourceFlow, Organisation, Park]
            for field in model._meta.get_fields()
            if getattr(field, "choices", None)
            for _value, label in field.flatchoices
        }
    untranslated = {label for label in labels if english_words(label)}
    assert untranslated == set()
