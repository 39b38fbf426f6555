"""Writing an import: the batch stored from an upload, and, once confirmed, everything its
preview showed, in one transaction, or nothing.

Confirming writes, in this order: the organisations and resources to be proposed (proposed by
the user, as the agreement form's dialogs propose them: waiting for an official unless the user
is one), the agreements with their parties and flows through ``services.save_agreement`` (the
agreement form's service: drafts created by the user, each with its history), an agreement
before those made under it or amending it; then each flow's ``made_from``, once every flow it
may name exists. Each agreement is checked by the model's rules (``full_clean``) first: a rule
the preview could not check (a change in the registry since) refuses the whole import.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements import permissions
from agreements.forms import unique_resource_slug
from agreements.imports import reading
from agreements.imports.analysis import EXISTING, PROPOSED, STORED, can_confirm
from agreements.models import Agreement, ImportBatch, Party, Resource, ResourceFlow
from agreements.services import save_agreement
from parks.forms import unique_slug
from parks.models import Organisation
from symbiosis.statistics import analyze_on_commit

# Batches are kept this long (the preview and its confirmation), then deleted.
BATCH_LIFETIME = datetime.timedelta(days=1)
# An import writing at least this many rows has its tables analysed (PostgreSQL) once committed.
ANALYZE_FROM_ROWS = 200


class NotConfirmable(Exception):
    """The batch has errors, is not analysed yet, or was confirmed already."""


def delete_old_batches(*, now=None):
    """Delete the batches older than ``BATCH_LIFETIME``: run on each upload."""
    now = now or timezone.now()
    return ImportBatch.objects.filter(created_at__lt=now - BATCH_LIFETIME).delete()[0]


def create_batch(*, upload, user):
    """A batch of the rows of ``upload`` (raises ``reading.Unreadable``), not yet analysed."""
    keys, ignored, rows = reading.read(upload)
    delete_old_batches()
    return ImportBatch.objects.create(
        created_by=user,
        file_name=(upload.name or "")[-255:],
        columns=keys,
        ignored_columns=ignored,
        rows=rows,
        total=len(rows),
    )


@dataclass
class Written:
    agreements: int = 0
    updated: int = 0
    skipped: int = 0
    flows: int = 0
    organisations: int = 0
    resources: int = 0


def confirm_import(*, batch, on_existing, user):
    """Write what ``batch``'s preview showed, all or nothing (raises ``NotConfirmable`` or
    ``ValidationError``). An agreement whose reference exists already is left as it is
    (``on_existing`` "skip") or updated from the file ("update") where the user may edit it.
    Returns what was written (``Written``)."""
    if not can_confirm(batch) or batch.created_by_id != user.pk:
        raise NotConfirmable
    state = batch.state
    update = on_existing == ImportBatch.OnExisting.UPDATE
    written = Written()
    with transaction.atomic():
        organisations = _propose_organisations(state, user=user, written=written)
        resources = _propose_resources(state, user=user, written=written)

        def organisation(ref):
            return ref[1] if ref[0] == STORED else organisations[ref[1]]

        def resource(ref):
            return ref[1] if ref[0] == STORED else resources[ref[1]]

        plans = _plans(batch.outcomes)
        saved = {}  # reference: agreement pk, for those of the file written
        numbered = {}  # (reference, number in the file): the flow's pk once written
        for reference in _in_order(plans):
            plan = plans[reference]
            agreement_state = state["agreements"][reference]
            stored = None
            if agreement_state.get("existing"):
                if not update or agreement_state.get("not_updatable"):
                    written.skipped += 1
                    continue
                stored = Agreement.objects.get(pk=agreement_state["existing"])
            values = dict(plan["values"])
            links = plan["links"]
            values["framework"] = _agreement_pk(links["framework"], saved)
            values["amends"] = _agreement_pk(links["amends"], saved)
            if stored is None:
                values["reference"] = reference
            parties = [
                {"organisation": organisation(ref), "role": role} for ref, role in plan["parties"]
            ]
            flows = sorted(plan["flows"], key=lambda flow: flow["number"])
            flow_rows = [
                {
                    "resource": resource(flow["resource"]),
                    "provider": organisation(flow["provider"]),
                    "receiver": organisation(flow["receiver"]),
                    "direction": flow["direction"],
                    "quantity": None if flow["quantity"] is None else Decimal(flow["quantity"]),
                    "unit": flow["unit"],
                    "period": flow["period"],
                    "symbiosis_kind": flow["symbiosis_kind"],
                    "claimed_by": flow["claimed_by"],
                }
                for flow in flows
            ]
            if stored is not None:
                _keep_stored_rows(stored, parties, flow_rows)
            _check(values, stored=stored, user=user)
            agreement, _reverted = save_agreement(
                agreement=stored,
                values=values,
                parties=parties,
                flows=flow_rows,
                version=None if stored is None else stored.version,
                user=user,
            )
            saved[reference] = agreement.pk
            pks = list(agreement.flows.order_by("pk").values_list("pk", flat=True))
            for flow, pk in zip(flows, pks, strict=False):
                numbered[(reference, flow["number"])] = pk
            written.flows += len(flows)
            if stored is None:
                written.agreements += 1
            else:
                written.updated += 1
        _link_chains(plans, saved, numbered, user=user)
        if written.agreements + written.updated + written.flows >= ANALYZE_FROM_ROWS:
            analyze_on_commit(Agreement, Party, ResourceFlow, Organisation, Resource)
        batch.confirmed_at = timezone.now()
        batch.on_existing = on_existing
        batch.save(update_fields=["confirmed_at", "on_existing"])
    return written


def _plans(outcomes):
    """{reference: the agreement's values, links, parties and flows} from the outcomes."""
    plans = {}
    for outcome in outcomes:
        reference = outcome["reference"]
        if "agreement" in outcome:
            plans[reference] = {
                "values": outcome["values"],
                "links": outcome["links"],
                "parties": outcome["parties"],
                "existing": outcome["agreement"] == EXISTING,
                "flows": [],
            }
        if outcome.get("flow"):
            plans[reference]["flows"].append(outcome["flow"])
    return plans


def _in_order(plans):
    """The references, each after the agreements of the file it is made under or amends."""
    ordered, done = [], set()

    def visit(reference, path=()):
        if reference in done or reference not in plans or reference in path:
            return
        links = plans[reference]["links"]
        for other in (links["framework"], links["amends"]):
            if other:
                visit(other, (*path, reference))
        done.add(reference)
        ordered.append(reference)

    for reference in plans:
        visit(reference)
    return ordered


def _agreement_pk(reference, saved):
    if not reference:
        return None
    if reference in saved:
        return saved[reference]
    return Agreement.objects.only("pk").get(reference=reference).pk


def _keep_stored_rows(stored, parties, flows):
    """An agreement updated keeps its party rows of the same organisations and its flows of the
    same numbers (the n-th flow entered is flow n): their history goes on."""
    by_organisation = dict(stored.parties.values_list("organisation_id", "pk"))
    for party in parties:
        if party["organisation"] in by_organisation:
            party["id"] = by_organisation[party["organisation"]]
    for flow, pk in zip(
        flows, stored.flows.order_by("pk").values_list("pk", flat=True), strict=False
    ):
        flow["id"] = pk


def _check(values, *, stored, user):
    """The agreement's values by the model's rules, as the form checks them."""
    agreement = stored or Agreement(created_by=user)
    for name, value in values.items():
        field = Agreement._meta.get_field(name)
        setattr(agreement, field.attname if field.is_relation else name, value)
    for name in ("signed_on", "starts_on", "ends_on", "terminated_on"):
        value = getattr(agreement, name)
        if isinstance(value, str):
            setattr(agreement, name, datetime.date.fromisoformat(value))
            values[name] = getattr(agreement, name)
    agreement.full_clean(exclude=["created_by"])


def _propose_organisations(state, *, user, written):
    """The organisations to be proposed, each once: {folded name: pk}."""
    confirmed = permissions.confirms_at_once(user)
    language = state.get("language", "en")
    created = {}
    for key, entry in state.get("organisations", {}).items():
        if entry["ref"][0] != PROPOSED:
            continue
        name = entry["name"]
        organisation = Organisation(
            kind=Organisation.Kind.COMPANY,
            **{"name_vi" if language == "vi" else "name_en": name},
        )
        organisation.slug = unique_slug(name)
        organisation.mark_proposed(by=user, confirmed=confirmed)
        organisation.full_clean()
        organisation.save()
        created[key] = organisation.pk
        written.organisations += 1
    return created


def _propose_resources(state, *, user, written):
    """The resources to be proposed, each once, for the park of their first row (or confirmed
    at once, for an official): {folded name: pk}."""
    confirmed = permissions.confirms_at_once(user)
    language = state.get("language", "en")
    created = {}
    for key, entry in state.get("resources", {}).items():
        if entry["ref"][0] != PROPOSED:
            continue
        name = entry["name"]
        resource = Resource(
            category=entry["category"],
            unit=entry["unit"],
            **{"name_vi" if language == "vi" else "name_en": name},
        )
        resource.slug = unique_resource_slug(name)
        resource.mark_proposed(by=user, confirmed=confirmed)
        resource.proposed_for_park_id = None if confirmed else entry["park"]
        resource.full_clean()
        resource.save()
        created[key] = resource.pk
        written.resources += 1
    return created


def _link_chains(plans, saved, numbered, *, user):
    """Each written flow's ``made_from``: a flow of the file, or one in the registry (its
    agreement's n-th flow), checked by the model's rule."""
    stored_numbers = {}
    for reference, plan in plans.items():
        if reference not in saved:
            continue
        for flow in plan["flows"]:
            target = flow.get("made_from")
            if not target:
                continue
            pk = numbered.get((reference, flow["number"]))
            other, number = target
            source = numbered.get((other, number))
            if source is None:
                if other not in stored_numbers:
                    stored_numbers[other] = list(
                        ResourceFlow.objects.filter(agreement__reference=other)
                        .order_by("pk")
                        .values_list("pk", flat=True)
                    )
                found = stored_numbers[other]
                source = found[number - 1] if 0 < number <= len(found) else None
            if source is None:
                raise ValidationError({"made_from": _("That flow is no longer in the registry.")})
            row = ResourceFlow.objects.select_related("agreement").get(pk=pk)
            row.made_from_id = source
            error = row.made_from_error()
            if error is not None:
                raise ValidationError({"made_from": error})
            row._history_user = user
            row.save(update_fields=["made_from"])
