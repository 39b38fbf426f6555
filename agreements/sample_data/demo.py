"""The founding case as demo data.

Source: ../shared/reference/deep-c-hai-an-signing-2023-09-12.txt, the article on the signing of
the industrial-urban symbiosis agreement between Dinh Vu Industrial Park JSC and Hai An District
Police on 12 September 2023. No figure is invented: quantities, areas and coordinates the article
does not give stay empty. Deep C's other symbioses are named by the article without their parties
or dates, so their records are marked illustrative and stay drafts: Deep C's staff and HEZA's
officials see them and may complete and submit them; the public never sees them until verified.

Loading only creates what is missing: a row that exists (an organisation, a park, an agreement with
its parties and flows) is never changed, so corrections made in the registry survive a re-run.
"""

import dataclasses
import datetime
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from agreements.accounts import two_factor
from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.symbiosis_kinds import suggested_kind_of
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership

ARTICLE_DATE = datetime.date(2023, 9, 12)

COMPANY = Organisation.Kind.COMPANY
AGENCY = Organisation.Kind.AGENCY
INTERNATIONAL = Organisation.Kind.INTERNATIONAL
Level = Organisation.Level

ORGANISATIONS = [
    # slug, kind, level, name_vi, name_en, short_name, province, jurisdiction
    (
        "dinh-vu-ip-jsc",
        COMPANY,
        "",
        "Công ty Cổ phần Khu công nghiệp Đình Vũ",
        "Dinh Vu Industrial Park Joint Stock Company",
        "Dinh Vu IP JSC",
        "Hải Phòng",
        "",
    ),
    (
        "flat-vietnam",
        COMPANY,
        "",
        "Công ty TNHH Flat (Việt Nam)",
        "Flat Vietnam Co., Ltd.",
        "Flat Vietnam",
        "Hải Phòng",
        "",
    ),
    (
        "shin-etsu-vietnam",
        COMPANY,
        "",
        "Công ty TNHH Shin-Etsu Việt Nam",
        "Shin-Etsu Vietnam",
        "Shinetsu Vietnam",
        "Hải Phòng",
        "",
    ),
    (
        "tan-thuan-phong",
        COMPANY,
        "",
        "Công ty Tân Thuận Phong",
        "Tan Thuan Phong Company",
        "Tan Thuan Phong",
        "Hải Phòng",
        "",
    ),
    (
        "hai-an-district-police",
        AGENCY,
        Level.DISTRICT,
        "Công an quận Hải An",
        "Hai An District Police",
        "",
        "Hải Phòng",
        "Hai An District, Hai Phong",
    ),
    (
        "hai-phong-city-police",
        AGENCY,
        Level.PROVINCIAL,
        "Công an thành phố Hải Phòng",
        "Police of Hai Phong City",
        "",
        "Hải Phòng",
        "Hai Phong City",
    ),
    (
        "hai-phong-fire-police",
        AGENCY,
        Level.PROVINCIAL,
        "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ, Công an thành phố Hải Phòng",
        "Municipal Fire Protection Police Department",
        "",
        "Hải Phòng",
        "Hai Phong City",
    ),
    (
        "hai-phong-military-command",
        AGENCY,
        Level.PROVINCIAL,
        "Bộ Chỉ huy Quân sự thành phố Hải Phòng",
        "City Military Command",
        "",
        "Hải Phòng",
        "Hai Phong City",
    ),
    (
        "hai-an-peoples-committee",
        AGENCY,
        Level.DISTRICT,
        "Ủy ban nhân dân quận Hải An",
        "Hai An District People's Committee",
        "",
        "Hải Phòng",
        "Hai An District, Hai Phong",
    ),
    (
        "heza",
        AGENCY,
        Level.PROVINCIAL,
        "Ban Quản lý Khu kinh tế Hải Phòng",
        "Hai Phong Economic Zone Authority",
        "HEZA",
        "Hải Phòng",
        "Hai Phong City",
    ),
    (
        "ministry-of-finance",
        AGENCY,
        Level.NATIONAL,
        "Bộ Tài chính",
        "Ministry of Finance",
        "MOF",
        "",
        "Viet Nam",
    ),
    (
        "mpi-dezm",
        AGENCY,
        Level.NATIONAL,
        "Bộ Kế hoạch và Đầu tư, Vụ Quản lý các khu kinh tế",
        "Ministry of Planning and Investment, Department of Economic Zones Management",
        "MPI",
        "",
        "Viet Nam",
    ),
    (
        "unido",
        INTERNATIONAL,
        "",
        "Tổ chức Phát triển Công nghiệp Liên Hợp Quốc (UNIDO)",
        "United Nations Industrial Development Organization (UNIDO), Global Eco-Industrial Parks "
        "Programme",
        "UNIDO",
        "",
        "",
    ),
]

# In 2025 the Ministry of Planning and Investment was merged into the Ministry of Finance.
SUCCESSORS = {"mpi-dezm": "ministry-of-finance"}

PARKS = [
    # slug, name_vi, name_en, developer, managing authority, EIP status
    (
        "deep-c",
        "Khu công nghiệp Deep C (Khu công nghiệp Đình Vũ)",
        "Deep C Industrial Park (Dinh Vu Industrial Park)",
        "dinh-vu-ip-jsc",
        "heza",
        # The article does not state Deep C's eco-industrial park status.
        Park.EipStatus.NOT_ASSESSED,
    ),
    (
        "nam-cau-kien",
        "Khu công nghiệp Nam Cầu Kiền",
        "Nam Cau Kien Industrial Park",
        None,
        "heza",
        Park.EipStatus.NOT_ASSESSED,
    ),
]

TENANTS = {
    "dinh-vu-ip-jsc": "deep-c",
    "flat-vietnam": "deep-c",
    "shin-etsu-vietnam": "deep-c",
    "tan-thuan-phong": "nam-cau-kien",
}

RESOURCES = [
    # slug, category, unit, name_vi, name_en
    (
        "fire-fighting-rescue-capacity",
        Resource.Category.SERVICE,
        Resource.Unit.CALL_OUT,
        "Năng lực phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Fire prevention, fire-fighting and rescue capacity",
    ),
    (
        "treated-wastewater",
        Resource.Category.WATER,
        Resource.Unit.CUBIC_METRE,
        "Nước thải đã qua xử lý",
        "Treated wastewater",
    ),
    (
        "rooftop-solar-electricity",
        Resource.Category.ENERGY,
        Resource.Unit.MEGAWATT_HOUR,
        "Điện mặt trời áp mái",
        "Rooftop solar electricity",
    ),
    (
        "waste-as-filling-material",
        Resource.Category.MATERIAL,
        Resource.Unit.TONNE,
        "Chất thải tái sử dụng làm vật liệu san lấp",
        "Waste reused as filling material",
    ),
    (
        "wind-electricity",
        Resource.Category.ENERGY,
        Resource.Unit.MEGAWATT_HOUR,
        "Điện gió",
        "Wind power electricity",
    ),
]

FOUNDING_REFERENCE = "DEEPC-2023-IUS-01"

ILLUSTRATIVE_FLOW_NOTE = "Illustrative: the parties of this flow are not published."

ILLUSTRATIVE_NOTE = (
    "Illustrative record. The article of 12 September 2023 names this symbiosis as implemented at "
    "Deep C Industrial Park but gives neither its parties, its start date nor its quantities: the "
    "parties shown are Deep C's developer and tenants named in the article, the start date is the "
    "article's date, and no quantity is recorded."
)

AGREEMENTS = [
    {
        "reference": FOUNDING_REFERENCE,
        "title_vi": "Quy chế phối hợp cộng sinh công nghiệp - đô thị về phòng cháy, chữa cháy "
        "và cứu nạn, cứu hộ giữa Công ty Cổ phần Khu công nghiệp Đình Vũ và Công an quận Hải An",
        "title_en": "Industrial-urban symbiosis cooperation agreement on fire prevention, "
        "fire-fighting and rescue between Dinh Vu Industrial Park JSC and Hai An District Police",
        "kind": Agreement.Kind.INDUSTRIAL_URBAN,
        "park": "deep-c",
        # The article is in English: the summary and the titles of people in English only.
        "summary_en": "Dinh Vu Industrial Park Joint Stock Company (developer of Deep C Industrial "
        "Park) and Hai An District Police share fire prevention, fire-fighting and rescue forces "
        "and means between the industrial park and the surrounding urban district. Signed in the "
        "presence of the Ministry of Planning and Investment, UNIDO, the Hai Phong Economic Zone "
        "Authority and the city's police, fire police, military command and district people's "
        "committee.",
        "signed_on": ARTICLE_DATE,
        "signed_at_en": "Hai Phong",
        "signed_at_vi": "Hải Phòng",  # the city's name in reference/names.md
        "starts_on": ARTICLE_DATE,
        "review_state": Agreement.ReviewState.VERIFIED,
        "parties": [
            ("dinh-vu-ip-jsc", Party.Role.SIGNATORY, "", ""),
            ("hai-an-district-police", Party.Role.SIGNATORY, "", ""),
            ("mpi-dezm", Party.Role.WITNESS, "", ""),
            ("unido", Party.Role.WITNESS, "", ""),
            ("heza", Party.Role.WITNESS, "Bui Ngoc Hai", "Deputy Head"),
            ("hai-phong-city-police", Party.Role.WITNESS, "", ""),
            ("hai-phong-fire-police", Party.Role.WITNESS, "", ""),
            ("hai-phong-military-command", Party.Role.WITNESS, "", ""),
            ("hai-an-peoples-committee", Party.Role.WITNESS, "", ""),
        ],
        "flows": [
            (
                "fire-fighting-rescue-capacity",
                "dinh-vu-ip-jsc",
                "hai-an-district-police",
                ResourceFlow.Direction.MUTUAL,
                "",
            ),
        ],
    },
    *[
        {
            "reference": reference,
            "title_vi": title_vi,
            "title_en": title_en,
            "kind": Agreement.Kind.INDUSTRIAL,
            "park": "deep-c",
            "summary_en": ILLUSTRATIVE_NOTE,
            "signed_on": None,
            "starts_on": ARTICLE_DATE,
            # Never public until completed, submitted and verified.
            "review_state": Agreement.ReviewState.DRAFT,
            "parties": [
                (provider, Party.Role.SIGNATORY, "", ""),
                (receiver, Party.Role.SIGNATORY, "", ""),
            ],
            "flows": [
                (
                    resource,
                    provider,
                    receiver,
                    ResourceFlow.Direction.ONE_WAY,
                    ILLUSTRATIVE_FLOW_NOTE,
                )
            ],
        }
        for reference, title_vi, title_en, resource, provider, receiver in [
            (
                "DEEPC-ILLUSTRATIVE-SOLAR",
                "Điện mặt trời áp mái tại Khu công nghiệp Deep C (minh họa)",
                "Rooftop solar power at Deep C (illustrative)",
                "rooftop-solar-electricity",
                "dinh-vu-ip-jsc",
                "shin-etsu-vietnam",
            ),
            (
                "DEEPC-ILLUSTRATIVE-WATER",
                "Tái sử dụng nước thải đã qua xử lý tại Khu công nghiệp Deep C (minh họa)",
                "Reuse of treated wastewater at Deep C (illustrative)",
                "treated-wastewater",
                "dinh-vu-ip-jsc",
                "flat-vietnam",
            ),
            (
                "DEEPC-ILLUSTRATIVE-FILL",
                "Tái sử dụng chất thải làm vật liệu san lấp tại Khu công nghiệp Deep C (minh họa)",
                "Reuse of waste as filling material at Deep C (illustrative)",
                "waste-as-filling-material",
                "flat-vietnam",
                "dinh-vu-ip-jsc",
            ),
            (
                "DEEPC-ILLUSTRATIVE-WIND",
                "Điện gió tại Khu công nghiệp Deep C (minh họa)",
                "Wind power at Deep C (illustrative)",
                "wind-electricity",
                "dinh-vu-ip-jsc",
                "shin-etsu-vietnam",
            ),
        ]
    ],
]

DEMO_USERS = [
    # username, is_superuser, park membership, authority membership
    ("admin", True, None, None),
    ("deepc-staff", False, "deep-c", None),
    ("heza-official", False, None, "heza"),
]


def create_missing(model, lookup, values):
    """The row matching ``lookup``, created with ``values`` if missing. An existing row is left as
    it is (a correction made in the registry survives a re-run); returns (row, created)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return model._default_manager.create(**lookup, **values), True


def fill_if_empty(obj, field, value):
    """Set a link a first pass could not set, only if nobody has set it since."""
    if getattr(obj, f"{field}_id") is None:
        setattr(obj, field, value)
        obj.save(update_fields=[field])


@transaction.atomic
def load_demo():
    """Create whatever of the founding case is missing; never change a row that exists."""
    organisations = {}
    for slug, kind, level, name_vi, name_en, short_name, province, jurisdiction in ORGANISATIONS:
        organisations[slug], _ = create_missing(
            Organisation,
            {"slug": slug},
            {
                "kind": kind,
                "level": level,
                "name_vi": name_vi,
                "name_en": name_en,
                "short_name": short_name,
                "country": "VN" if kind != INTERNATIONAL else "",
                "province": province,
                "jurisdiction": jurisdiction,
            },
        )
    for slug, successor in SUCCESSORS.items():
        fill_if_empty(organisations[slug], "successor", organisations[successor])

    parks = {}
    for slug, name_vi, name_en, developer, authority, status in PARKS:
        parks[slug], _ = create_missing(
            Park,
            {"slug": slug},
            {
                "name_vi": name_vi,
                "name_en": name_en,
                "province": "Hải Phòng",
                "country": "VN",
                "developer": organisations[developer] if developer else None,
                "managing_authority": organisations[authority],
                "eip_status": status,
            },
        )
    for slug, park in TENANTS.items():
        fill_if_empty(organisations[slug], "park", parks[park])

    resources = {}
    for slug, category, unit, name_vi, name_en in RESOURCES:
        resources[slug], _ = create_missing(
            Resource,
            {"slug": slug},
            {"category": category, "unit": unit, "name_vi": name_vi, "name_en": name_en},
        )

    for data in AGREEMENTS:
        values = {
            key: value
            for key, value in data.items()
            if key not in {"reference", "park", "parties", "flows"}
        }
        agreement, created = create_missing(
            Agreement, {"reference": data["reference"]}, {**values, "park": parks[data["park"]]}
        )
        if not created:
            # Its parties and flows are the agreement's content: a party or flow removed in
            # the registry stays removed.
            continue
        for slug, role, name, title in data["parties"]:
            Party.objects.create(
                agreement=agreement,
                organisation=organisations[slug],
                role=role,
                representative_name=name,
                representative_title_en=title,
            )
        for resource, provider, receiver, direction, notes in data["flows"]:
            ResourceFlow.objects.create(
                agreement=agreement,
                resource=resources[resource],
                provider=organisations[provider],
                receiver=organisations[receiver],
                direction=direction,
                notes_en=notes,
            )
        # Its kind of symbiosis as the rule suggests it, unconfirmed (no official verified it).
        Agreement.objects.filter(pk=agreement.pk).update(
            symbiosis_kind=suggested_kind_of(agreement)
        )


@dataclasses.dataclass
class DemoAccount:
    username: str
    password: str
    # For an admin, who must use two-factor sign-in: the key to type into an authenticator
    # app, and its recovery codes.
    two_factor_key: str = ""
    recovery_codes: list = dataclasses.field(default_factory=list)


@transaction.atomic
def create_demo_users():
    """One account per role, the admin with two-factor sign-in set up (a new key each time an
    account is created). Returns a ``DemoAccount`` for each account it created."""
    User = get_user_model()
    created = []
    for username, is_superuser, park_slug, agency_slug in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.org",
                password=password,
                is_staff=is_superuser,
                is_superuser=is_superuser,
            )
            account = DemoAccount(username, password)
            if is_superuser:
                device = two_factor.unsaved_authenticator(user=user, key=two_factor.new_key())
                account.recovery_codes = two_factor.enrol(user=user, device=device)
                account.two_factor_key = two_factor.key_for_typing(device.key)
            created.append(account)
        if park_slug:
            ParkMembership.objects.get_or_create(user=user, park=Park.objects.get(slug=park_slug))
        if agency_slug:
            AuthorityMembership.objects.get_or_create(
                user=user, agency=Organisation.objects.get(slug=agency_slug)
            )
    return created
