"""What the agreement form posts: build it for a new agreement or from a stored one."""

from agreements.models import Party, ResourceFlow
from symbiosis.partial_dates import partial_iso


def formset_data(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
    return data


def party(organisation, role=Party.Role.SIGNATORY, **fields):
    return {
        "id": "",
        "organisation": organisation.pk if organisation else "",
        "role": role,
        "representative_name": "",
        "representative_title_en": "",
        "representative_title_vi": "",
        **fields,
    }


def flow(resource, provider, receiver, **fields):
    return {
        "id": "",
        "resource": resource.pk,
        "provider": provider.pk,
        "receiver": receiver.pk,
        "direction": ResourceFlow.Direction.ONE_WAY,
        "quantity": "",
        "unit": "",
        "period": ResourceFlow.Period.YEARLY,
        "notes_en": "",
        "notes_vi": "",
        **fields,
    }


def new_agreement_data(*, park, parties, flows=(), **fields):
    """The form filled in for a new agreement. ``parties`` and ``flows``: rows from
    ``party()`` and ``flow()``."""
    data = {
        "reference": "DEEPC-2024-001",
        "park": park.pk,
        "kind": "industrial_urban",
        "title_en": "Shared fire-fighting",
        "title_vi": "",
        "summary_en": "",
        "summary_vi": "",
        "signed_on": "2023-09-12",
        "signed_at_en": "Hai Phong",
        "signed_at_vi": "",
        "starts_on": "2023-09-12",
        "ends_on": "",
        "terminated_on": "",
        "version": "",
    }
    data.update(formset_data("parties", list(parties)))
    data.update(formset_data("flows", list(flows)))
    data.update({key: "" if value is None else str(value) for key, value in fields.items()})
    return data


def _day(value):
    return value.isoformat() if value else ""


def _partial(value, precision):
    return partial_iso(value, precision) if value else ""


def edit_data(agreement, *, extra_parties=(), extra_flows=(), **fields):
    """The form as it opens on a stored agreement, with ``fields`` changed and rows added."""
    data = {
        "reference": agreement.reference,
        "park": agreement.park_id,
        "kind": agreement.kind,
        "symbiosis_kind": agreement.symbiosis_kind,
        "title_en": agreement.title_en,
        "title_vi": agreement.title_vi,
        "summary_en": agreement.summary_en,
        "summary_vi": agreement.summary_vi,
        "signed_on": _partial(agreement.signed_on, agreement.signed_on_precision),
        "signed_at_en": agreement.signed_at_en,
        "signed_at_vi": agreement.signed_at_vi,
        "starts_on": _partial(agreement.starts_on, agreement.starts_on_precision),
        "ends_on": _day(agreement.ends_on),
        "terminated_on": _day(agreement.terminated_on),
        "framework": agreement.framework.reference if agreement.framework_id else "",
        "amends": agreement.amends.reference if agreement.amends_id else "",
        "amendment_kind": agreement.amendment_kind,
        "version": agreement.version,
    }
    parties = [
        {
            "id": row.pk,
            "organisation": row.organisation_id,
            "role": row.role,
            "representative_name": row.representative_name,
            "representative_title_en": row.representative_title_en,
            "representative_title_vi": row.representative_title_vi,
        }
        for row in agreement.parties.order_by("role", "pk")
    ]
    flows = [
        {
            "id": row.pk,
            "resource": row.resource_id,
            "provider": row.provider_id,
            "receiver": row.receiver_id,
            "direction": row.direction,
            "quantity": "" if row.quantity is None else row.quantity,
            "unit": row.unit,
            "period": row.period,
            "notes_en": row.notes_en,
            "notes_vi": row.notes_vi,
            "made_from": row.made_from_id or "",
            "symbiosis_kind": row.symbiosis_kind,
            "baseline_en": row.baseline_en,
            "baseline_vi": row.baseline_vi,
            "claimed_by": row.claimed_by,
        }
        for row in agreement.flows.order_by("pk")
    ]
    data.update(formset_data("parties", parties + list(extra_parties), initial=len(parties)))
    data.update(formset_data("flows", flows + list(extra_flows), initial=len(flows)))
    data.update({key: "" if value is None else str(value) for key, value in fields.items()})
    return data
