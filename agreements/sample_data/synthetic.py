"""A reproducible synthetic registry for benchmarks: many parks, organisations and agreements.

Every synthetic row is marked: slugs start with ``syn-``, references with ``SYN-``, names end
with "(synthetic)" / "(tổng hợp)". ``clear_synthetic()`` removes them all without touching the
demo or real data. Rows are written with ``bulk_create`` (no per-row save, hence no history rows);
once written (or cleared) and committed, the tables are analysed, so that the planner does not
plan the new rows with the statistics of the tables as they were, and once written their indexes
are rebuilt first, so that they are no larger than for a registry loaded once
(``symbiosis.statistics.reload_on_commit``).

The first park, ``syn-park-0`` (``STEADY_PARK``), is the steady park: it has exactly
``STEADY_PARK_AGREEMENTS`` agreements whatever the registry's size (all of them when there are
fewer), so that a page about one park can be measured at two sizes of the registry on a park of
the same size. Its agreements are drawn first, with the same helpers as the others, from a
random stream that nothing earlier ties to the number of agreements: the same seed gives it the
same agreements (states, parties, flows) at every size. Their review states are the others' mix
(``STATE_WEIGHTS``) exactly, in a random order, so that whatever the seed its officer's work
lists have rows and one of its agreements awaits review. The other
agreements go to the other parks at random, as before (to the steady park too when it is the
only park).
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from agreements.impact import PERIODS_PER_YEAR
from agreements.models import Agreement, Party, ReportedQuantity, Resource, ResourceFlow
from agreements.reporting.figures import forget_sums
from agreements.reporting.models import ParkFigures
from agreements.symbiosis_kinds import suggested_kind
from parks.countries import country_names
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership
from parks.provinces import current_province
from symbiosis.caching import bulk_written
from symbiosis.search import search_text
from symbiosis.statistics import analyze_on_commit, reload_on_commit

MARK_EN = " (synthetic)"
MARK_VI = " (tổng hợp)"
SLUG_PREFIX = "syn-"
REFERENCE_PREFIX = "SYN-"
ANCHOR = datetime.date(2025, 6, 30)  # fixed, so that the same seed gives the same rows
BATCH = 5000
STEADY_PARK = f"{SLUG_PREFIX}park-0"
# Enough to fill a page of 25 on "My agreements" and give its work lists a few rows.
STEADY_PARK_AGREEMENTS = 30
# The tables generate() fills and clear_synthetic() empties with bulk writes.
FILLED = (Organisation, Park, Resource, Agreement, Party, ResourceFlow, ReportedQuantity)
# The measured quantities: for this share of the verified agreements' flows with a quantity, a
# figure for each of these years (the anchor's and the one before).
MEASURED_SHARE = 0.5
MEASURED_YEARS = (ANCHOR.year - 1, ANCHOR.year)
AWAITING_REVIEW_SHARE = 0.1  # of them reported, not yet accepted

SUMMARY_EN = "Synthetic agreement generated for benchmarks."
PROVINCES = [
    ("Hải Phòng", "Hai Phong"),
    ("Hà Nội", "Ha Noi"),
    ("Bắc Ninh", "Bac Ninh"),
    ("Đồng Nai", "Dong Nai"),
    ("Bình Dương", "Binh Duong"),
    ("Đà Nẵng", "Da Nang"),
    ("Quảng Ninh", "Quang Ninh"),
    ("Hưng Yên", "Hung Yen"),
    ("Long An", "Long An"),
    ("Cần Thơ", "Can Tho"),
    ("Thái Nguyên", "Thai Nguyen"),
    ("Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau"),
]
PLACE_WORDS = [
    ("Đình Vũ", "Dinh Vu"),
    ("Nam Cầu Kiền", "Nam Cau Kien"),
    ("Tràng Duệ", "Trang Due"),
    ("An Dương", "An Duong"),
    ("Tân Thuận", "Tan Thuan"),
    ("Hòa Khánh", "Hoa Khanh"),
    ("Yên Phong", "Yen Phong"),
    ("Phố Nối", "Pho Noi"),
    ("Amata", "Amata"),
    ("Nhơn Trạch", "Nhon Trach"),
    ("Sông Mây", "Song May"),
    ("Quế Võ", "Que Vo"),
    ("Đồng Văn", "Dong Van"),
    ("Hiệp Phước", "Hiep Phuoc"),
]
TRADES = [
    ("Thép", "Steel"),
    ("Xi măng", "Cement"),
    ("Giấy", "Paper"),
    ("Hóa chất", "Chemicals"),
    ("Điện tử", "Electronics"),
    ("Dệt may", "Textiles"),
    ("Thực phẩm", "Food"),
    ("Kính", "Glass"),
    ("Nhựa", "Plastics"),
    ("Năng lượng", "Energy"),
    ("Cơ khí", "Engineering"),
    ("Logistics", "Logistics"),
]
AGENCY_KINDS = [
    ("Ban Quản lý Khu kinh tế", "Economic Zone Authority", Organisation.Level.PROVINCIAL),
    ("Công an", "Police", Organisation.Level.DISTRICT),
    ("Ủy ban nhân dân", "People's Committee", Organisation.Level.DISTRICT),
    (
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        Organisation.Level.PROVINCIAL,
    ),
]
RESOURCE_KINDS = [
    (
        Resource.Category.WATER,
        Resource.Unit.CUBIC_METRE,
        "Nước thải đã qua xử lý",
        "Treated wastewater",
        0.3,
    ),
    (Resource.Category.WATER, Resource.Unit.CUBIC_METRE, "Nước làm mát", "Cooling water", None),
    (
        Resource.Category.ENERGY,
        Resource.Unit.MEGAWATT_HOUR,
        "Điện mặt trời áp mái",
        "Rooftop solar electricity",
        680,
    ),
    (Resource.Category.ENERGY, Resource.Unit.GIGAJOULE, "Hơi nước", "Process steam", 56),
    (Resource.Category.MATERIAL, Resource.Unit.TONNE, "Xỉ thép", "Steel slag", 120),
    (Resource.Category.MATERIAL, Resource.Unit.TONNE, "Tro bay", "Fly ash", 800),
    (Resource.Category.MATERIAL, Resource.Unit.TONNE, "Vật liệu san lấp", "Filling material", None),
    (
        Resource.Category.SERVICE,
        Resource.Unit.CALL_OUT,
        "Phòng cháy, chữa cháy",
        "Fire-fighting service",
        None,
    ),
    (
        Resource.Category.INFRASTRUCTURE,
        Resource.Unit.HOUR,
        "Bến cảng dùng chung",
        "Shared jetty",
        None,
    ),
    (
        Resource.Category.KNOWLEDGE,
        Resource.Unit.SESSION,
        "Đào tạo an toàn",
        "Safety training",
        None,
    ),
]
STATE_WEIGHTS = [
    (Agreement.ReviewState.VERIFIED, 70),
    (Agreement.ReviewState.SUBMITTED, 10),
    (Agreement.ReviewState.DRAFT, 12),
    (Agreement.ReviewState.RETURNED, 8),
]


@dataclass
class Counts:
    parks: int
    organisations: int
    agreements: int


def clear_synthetic():
    """Delete every synthetic row (and nothing else), with plain DELETEs: the rows were written
    without history, and deleting them one by one through the ORM (as its signals would
    require) would take minutes and write a history row for each."""
    with transaction.atomic():
        _delete_synthetic()
        bulk_written()
        analyze_on_commit(*FILLED)


def _delete_synthetic():
    # Memberships a benchmark gave to synthetic parks and agencies: few, deleted the usual way.
    ParkMembership.objects.filter(park__slug__startswith=SLUG_PREFIX).delete()
    AuthorityMembership.objects.filter(agency__slug__startswith=SLUG_PREFIX).delete()
    agreements = Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX)
    for queryset in (
        ReportedQuantity.objects.filter(flow__agreement__in=agreements),
        ResourceFlow.objects.filter(agreement__in=agreements),
        Party.objects.filter(agreement__in=agreements),
        agreements,
        Resource.objects.filter(slug__startswith=SLUG_PREFIX),
    ):
        queryset._raw_delete(queryset.db)
    organisations = Organisation.objects.filter(slug__startswith=SLUG_PREFIX)
    organisations.update(park=None, successor=None)
    parks = Park.objects.filter(slug__startswith=SLUG_PREFIX)
    kept = ParkFigures.objects.filter(park__in=parks)
    kept._raw_delete(kept.db)
    forget_sums()
    parks._raw_delete(parks.db)
    organisations._raw_delete(organisations.db)


def _bulk(model, rows):
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH]))
    return created


def generate(*, parks, organisations, agreements, seed, progress=lambda message: None):
    """Write a synthetic registry of the given size; the same seed always gives the same rows."""
    rng = random.Random(seed)
    with transaction.atomic():
        _delete_synthetic()
        progress("cleared earlier synthetic rows")

        agency_count = max(2, organisations // 20)
        agencies = _bulk(Organisation, [_agency(rng, number) for number in range(agency_count)])
        provincial = [a for a in agencies if a.level == Organisation.Level.PROVINCIAL] or agencies
        progress(f"{len(agencies)} agencies")

        park_rows = [_park(rng, number, provincial) for number in range(parks)]
        park_rows = _bulk(Park, park_rows)
        progress(f"{len(park_rows)} parks")

        companies = _bulk(
            Organisation,
            [_company(rng, number, park_rows) for number in range(organisations - agency_count)],
        )
        progress(f"{len(companies)} companies")
        by_park = {}
        for company in companies:
            by_park.setdefault(company.park_id, []).append(company)

        resources = _bulk(
            Resource, [_resource(number, kind) for number, kind in enumerate(RESOURCE_KINDS)]
        )

        steady, others = park_rows[0], park_rows[1:] or park_rows
        steady_states = _mix_of_states(rng, min(agreements, STEADY_PARK_AGREEMENTS))
        agreement_rows, party_rows, flow_plans = [], [], []
        for number in range(agreements):
            # The steady park's first: then nothing before them depends on ``agreements``.
            if number < len(steady_states):
                park, state = steady, steady_states[number]
            else:
                park, state = others[rng.randrange(len(others))], None
            agreement = _agreement(rng, number, park, state=state)
            agreement_rows.append(agreement)
            tenants = by_park.get(park.pk) or companies
            size = min(len(tenants), rng.choice([2, 2, 2, 3, 3, 4]))
            signatories = rng.sample(tenants, size) if size >= 2 else rng.sample(companies, 2)
            witnesses = [park.managing_authority_id] if rng.random() < 0.4 else []
            party_rows.append((signatories, witnesses))
            flows, exchanging, categories = [], set(), set()
            for _ in range(rng.choice([1, 1, 2, 3])):
                provider, receiver = rng.sample(signatories, 2)
                resource = resources[rng.randrange(len(resources))]
                flows.append(_flow(rng, resource, provider, receiver))
                exchanging |= {provider.park_id, receiver.park_id}
                categories.add(resource.category)
            flow_plans.append(flows)
            # Its kind of symbiosis as the rule suggests it, unconfirmed (as migration 0021 did).
            agreement.symbiosis_kind = suggested_kind(
                agreement.kind, categories, all_in_park=exchanging <= {park.pk}
            )
        created = []
        for start in range(0, len(agreement_rows), BATCH):
            created.extend(Agreement.objects.bulk_create(agreement_rows[start : start + BATCH]))
            progress(f"{len(created)} / {agreements} agreements")

        parties, flows = [], []
        for agreement, (signatories, witnesses), plans in zip(
            created, party_rows, flow_plans, strict=True
        ):
            seen = set()
            for company in signatories:
                seen.add(company.pk)
                parties.append(
                    Party(
                        agreement=agreement, organisation_id=company.pk, role=Party.Role.SIGNATORY
                    )
                )
            for agency_id in witnesses:
                if agency_id not in seen:
                    parties.append(
                        Party(
                            agreement=agreement, organisation_id=agency_id, role=Party.Role.WITNESS
                        )
                    )
            for flow in plans:
                flow.agreement = agreement
                flows.append(flow)
        _bulk(Party, parties)
        progress(f"{len(parties)} parties")
        flows = _bulk(ResourceFlow, flows)
        progress(f"{len(flows)} resource flows")
        measured = _bulk(ReportedQuantity, _measured(random.Random(seed + 1), flows, created))
        progress(f"{len(measured)} measured quantities")
        # Bulk writes send no signals: what they would keep true is kept here.
        Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX).keep_linked_copies()
        progress("search copies of the parties' and resources' names")
        bulk_written()
        # The tables were emptied and filled again: their indexes are rebuilt, then analysed.
        reload_on_commit(*FILLED)
    return Counts(
        parks=len(park_rows), organisations=len(agencies) + len(companies), agreements=len(created)
    )


def _named(model_kwargs, name_vi, name_en):
    model_kwargs.update(name_vi=name_vi + MARK_VI, name_en=name_en + MARK_EN)
    # As SearchTextMixin keeps it: the names, then the country's names (every row is in Viet Nam).
    model_kwargs["search_text"] = search_text(
        model_kwargs["name_vi"], model_kwargs["name_en"], country_names("VN")
    )
    return model_kwargs


def _agency(rng, number):
    kind_vi, kind_en, level = AGENCY_KINDS[number % len(AGENCY_KINDS)]
    if number == 0:
        kind_vi, kind_en, level = "Bộ Tài chính", "Ministry of Finance", Organisation.Level.NATIONAL
    province_vi, province_en = PROVINCES[rng.randrange(len(PROVINCES))]
    return Organisation(
        **_named(
            {
                "kind": Organisation.Kind.AGENCY,
                "slug": f"{SLUG_PREFIX}agency-{number}",
                "level": level,
                "province": current_province(province_vi),
                "jurisdiction": province_en,
            },
            f"{kind_vi} {province_vi} {number}",
            f"{province_en} {kind_en} {number}",
        )
    )


def _park(rng, number, authorities):
    place_vi, place_en = PLACE_WORDS[number % len(PLACE_WORDS)]
    province_vi, province_en = PROVINCES[rng.randrange(len(PROVINCES))]
    return Park(
        **_named(
            {
                "slug": f"{SLUG_PREFIX}park-{number}",
                "province": current_province(province_vi),
                "managing_authority": authorities[rng.randrange(len(authorities))],
                "eip_status": rng.choice(Park.EipStatus.values),
            },
            f"Khu công nghiệp {place_vi} {number}",
            f"{place_en} Industrial Park {number}",
        )
    )


def _company(rng, number, parks):
    trade_vi, trade_en = TRADES[rng.randrange(len(TRADES))]
    park = parks[rng.randrange(len(parks))]
    return Organisation(
        **_named(
            {
                "kind": Organisation.Kind.COMPANY,
                "slug": f"{SLUG_PREFIX}company-{number}",
                "park": park,
                "province": park.province,
                "sector_classification": "VSIC 2018",
            },
            f"Công ty TNHH {trade_vi} {number}",
            f"{trade_en} Company {number}",
        )
    )


def _resource(number, kind):
    category, unit, name_vi, name_en, factor = kind
    return Resource(
        **_named(
            {
                "slug": f"{SLUG_PREFIX}resource-{number}",
                "category": category,
                "unit": unit,
                "emission_factor": factor,
                "emission_factor_source": "Synthetic factor for benchmarks" if factor else "",
            },
            name_vi,
            name_en,
        )
    )


def _mix_of_states(rng, count):
    """``count`` review states in ``STATE_WEIGHTS``' proportions (the largest remainders
    rounded up), in an order drawn from ``rng``."""
    total = sum(weight for _, weight in STATE_WEIGHTS)
    shares = {state: count * weight / total for state, weight in STATE_WEIGHTS}
    counts = {state: int(share) for state, share in shares.items()}
    by_remainder = sorted(shares, key=lambda state: shares[state] - counts[state], reverse=True)
    for state in by_remainder[: count - sum(counts.values())]:
        counts[state] += 1
    states = [state for state, n in counts.items() for _ in range(n)]
    rng.shuffle(states)
    return states


def _agreement(rng, number, park, *, state=None):
    """An agreement; its review state drawn with ``STATE_WEIGHTS`` unless given."""
    reference = f"{REFERENCE_PREFIX}{number:06d}"
    starts_on = ANCHOR - datetime.timedelta(days=rng.randrange(0, 3650))
    ends_on = None
    if rng.random() < 0.5:
        ends_on = starts_on + datetime.timedelta(days=rng.randrange(180, 3650))
    terminated_on = None
    if rng.random() < 0.03:
        terminated_on = starts_on + datetime.timedelta(days=rng.randrange(30, 700))
        if ends_on and terminated_on > ends_on:
            terminated_on = ends_on
    if state is None:
        states, weights = zip(*STATE_WEIGHTS, strict=True)
        state = rng.choices(states, weights=weights)[0]
    title_vi = f"Thỏa thuận cộng sinh công nghiệp số {number}{MARK_VI}"
    title_en = f"Industrial symbiosis agreement no. {number}{MARK_EN}"
    return Agreement(
        reference=reference,
        title_vi=title_vi,
        title_en=title_en,
        kind=rng.choice(Agreement.Kind.values),
        park=park,
        summary_en=SUMMARY_EN,
        signed_on=starts_on,
        signed_at_en=park.province,  # the parks' provinces are drawn in English
        starts_on=starts_on,
        ends_on=ends_on,
        terminated_on=terminated_on,
        review_state=state,
        submitted_at=None,
        # Agreement.searched_fields, as its save() would keep them (its Vietnamese summary blank).
        search_text=search_text(reference, title_vi, title_en, SUMMARY_EN),
    )


def _measured(rng, flows, agreements):
    """Measured figures (``MEASURED_YEARS``) for about ``MEASURED_SHARE`` of the verified
    agreements' flows with a quantity, each near its agreed yearly quantity, accepted but
    ``AWAITING_REVIEW_SHARE`` of them. From a
    random stream of their own, in the flows' order (the steady park's first): the steady park
    gets the same figures at every size."""
    verified = {a.pk for a in agreements if a.review_state == Agreement.PUBLIC_STATE}
    rows = []
    for flow in flows:
        chosen = rng.random() < MEASURED_SHARE
        if not chosen or flow.agreement_id not in verified or flow.quantity is None:
            continue
        if flow.period not in PERIODS_PER_YEAR:
            continue  # a one-off quantity has no year to compare with
        for year in MEASURED_YEARS:
            agreed = flow.quantity * PERIODS_PER_YEAR[flow.period]
            rows.append(
                ReportedQuantity(
                    flow_id=flow.pk,
                    year=year,
                    quantity=round(agreed * rng.uniform(0.7, 1.1)),
                    unit=flow.unit,
                    source=ReportedQuantity.Source.METERED,
                    review_state=(
                        ReportedQuantity.ReviewState.SUBMITTED
                        if rng.random() < AWAITING_REVIEW_SHARE
                        else ReportedQuantity.ReviewState.ACCEPTED
                    ),
                )
            )
    return rows


def _flow(rng, resource, provider, receiver):
    """A flow drawn with its agreement (given once that is written): all of an agreement's
    rows come from the random stream in a row, the steady park's first."""
    quantity = None if rng.random() < 0.3 else rng.randrange(1, 100_000)
    return ResourceFlow(
        resource=resource,
        provider_id=provider.pk,
        receiver_id=receiver.pk,
        direction=rng.choice(ResourceFlow.Direction.values),
        quantity=quantity,
        unit=resource.unit,  # written in bulk: no save() to default it
        period=rng.choice(ResourceFlow.Period.values),
    )
