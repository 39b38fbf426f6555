"""Each row's outcome, analysed a chunk of rows at a time and kept in the ``ImportBatch``.

A row is an agreement's first row (a new agreement, or one whose reference exists already),
or a further flow of an agreement met in an earlier row; the agreement's columns are read from
its first row. For each row the outcome says what will be written, what each organisation and
resource name matched (or that it is to be proposed), and every error by column.

What one chunk learns for the next (the agreements met, the names matched) is kept in
``batch.state``; once the last row is analysed, ``finish`` checks what links rows across the
file (frameworks, earlier agreements, chains of flows) and counts the outcomes. A chunk reads the
candidates for its names, its existing references and the parks in a few queries, whatever its
number of rows.

Messages are kept as their English text and parameters and translated when shown
(``Outcome``), so that the preview speaks the language of whoever reads it.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from agreements import permissions, units
from agreements.imports import columns as c
from agreements.imports import matching
from agreements.models import MAX_CHAIN, Agreement, ResourceFlow
from agreements.reporting.exports import FLOW_MARK
from parks.models import Park
from symbiosis.partial_dates import Precision, parse
from symbiosis.search import fold

# Rows analysed per request of the preview page: some 2 seconds of work for the largest rows.
CHUNK_ROWS = 500

NEW, EXISTING = "new", "existing"
# How an outcome refers to an organisation or a resource: one in the registry by its key, or
# one to be proposed by its folded name.
STORED, PROPOSED = "id", "new"

# The messages (English, translated when shown). Those the models or forms already say are
# said in their words.
GIVE_REFERENCE = gettext_noop("Give the agreement's reference.")
GIVE_TITLE = gettext_noop("Give the title in English, in Vietnamese, or both.")
GIVE_PARK = gettext_noop("Give the park: one of those you enter agreements for.")
UNKNOWN_PARK = gettext_noop("No park is called “%(name)s”.")
FORBIDDEN_PARK = gettext_noop(
    "You cannot import agreements into %(name)s: only its staff and the officials overseeing it "
    "can."
)
GIVE_CHOICE = gettext_noop("Choose one of: %(choices)s.")
NOT_A_CHOICE = gettext_noop("“%(value)s” is not one of: %(choices)s.")
NOT_A_DATE = gettext_noop("“%(value)s” is not a date: write it as 2023-09-12, 2023-09 or 2023.")
NOT_A_DAY = gettext_noop("“%(value)s” is not a date: write it as 2023-09-12.")
ENDS_BEFORE_START = gettext_noop("The end date cannot be before the start date.")
TERMINATED_BEFORE_START = gettext_noop("The termination date cannot be before the start date.")
NO_PARTIES = gettext_noop("Name the parties, each as “Name (role)”, separated by semicolons.")
DUPLICATE_PARTY = gettext_noop("This organisation is already a party to the agreement.")
GIVE_FLOW_COLUMN = gettext_noop("Give the provider, the resource and the receiver of the flow.")
PROVIDER_NOT_PARTY = gettext_noop("The provider must be a party to this agreement.")
RECEIVER_NOT_PARTY = gettext_noop("The receiver must be a party to this agreement.")
SAME_ENDS = gettext_noop("The provider and the receiver must differ.")
NOT_A_NUMBER = gettext_noop("“%(value)s” is not a number.")
NEGATIVE = gettext_noop("The quantity cannot be negative.")
TOO_PRECISE = gettext_noop(
    "Give the quantity with at most 3 decimals and 13 digits before the point."
)
WRONG_UNIT = gettext_noop(
    "%(resource)s is measured in %(unit)s: give the quantity in one of these units: %(units)s."
)
GIVE_CATEGORY = gettext_noop(
    "Give the resource category: the resource is new and will be proposed."
)
GIVE_RESOURCE_UNIT = gettext_noop("Give the unit: the resource is new and will be proposed.")
PROPOSED_ELSEWHERE = gettext_noop(
    "%(name)s is already proposed in another park and awaits an official's confirmation: ask "
    "an official overseeing your park to confirm it."
)
NOT_A_FLOW_NUMBER = gettext_noop("“%(value)s” is not a flow number: give a whole number from 1.")
DUPLICATE_FLOW_NUMBER = gettext_noop("The agreement has another flow numbered %(number)s.")
NOT_A_FLOW = gettext_noop(
    "“%(value)s” names no flow: write the agreement's reference, “ #” and its number."
)
UNKNOWN_FLOW = gettext_noop("No flow %(flow)s is in this file or in the registry.")
NOT_RECEIVED = gettext_noop(
    "Choose a flow that this flow's provider receives: it is what the provider makes this one from."
)
OTHER_PARK_FLOW = gettext_noop("Choose a flow of an agreement of this park.")
FLOW_LOOP = gettext_noop(
    "That flow is made from this one, directly or through others: a chain cannot loop."
)
UNKNOWN_AGREEMENT = gettext_noop("No agreement %(reference)s is in this file or in the registry.")
OTHER_PARK_AGREEMENT = gettext_noop("Choose an agreement of the same park.")
AGREEMENT_LOOP = gettext_noop("The agreements of this file nest in a loop: %(references)s.")
GIVE_AMENDMENT_KIND = gettext_noop(
    "Say whether it amends, renews or replaces the earlier agreement."
)
AMENDMENT_KIND_WITHOUT = gettext_noop("Name the earlier agreement, or leave this blank.")
NOT_UPDATABLE = gettext_noop(
    "%(reference)s exists already and cannot be updated from this file (%(why)s): it will be "
    "left as it is."
)
WHY_OTHER_PARK = gettext_noop("it belongs to another park")
WHY_NOT_YOURS = gettext_noop("you do not enter this park's agreements")
WHY_AWAITING = gettext_noop("it awaits verification")


def _error(key, message, **params):
    return [key, message, {name: _text(value) for name, value in params.items()}]


def _text(value):
    with translation.override("en"):
        return str(value)


def _validation_errors(key, error):
    """A model field's ValidationError as errors of column ``key`` (its English text)."""
    found = []
    for item in error.error_list:
        params = {name: _text(value) for name, value in (item.params or {}).items()}
        found.append(_error(key, _text(item.message), **params))
    return found


def _labels(key):
    with translation.override("en"):
        return ", ".join(str(label) for _value, label in c.CHOICES[key].choices)


class _Row:
    """One row's cells by column, and the errors found in them."""

    def __init__(self, keys, row):
        self.line = row[0]
        self.cells = dict(zip(keys, row[1:], strict=True))
        self.errors = []

    def __getitem__(self, key):
        return self.cells.get(key, "")

    def error(self, key, message, **params):
        self.errors.append(_error(key, message, **params))

    def choice(self, key, *, required=False, default=""):
        text = self[key]
        if not text:
            if required:
                self.error(key, GIVE_CHOICE, choices=_labels(key))
            return default
        value = c.choice(key, text)
        if value is None:
            self.error(key, NOT_A_CHOICE, value=text, choices=_labels(key))
            return default
        return value

    def field(self, key, model, name, value):
        """``value`` cleaned by the model's field (length, format), or None if refused."""
        try:
            return model._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            self.errors.extend(_validation_errors(key, error))
            return None

    def partial_date(self, key):
        text = self[key]
        if not text:
            return None, Precision.DAY
        found = parse(text.removesuffix("T00:00:00"))
        if found is None:
            self.error(key, NOT_A_DATE, value=text)
            return None, Precision.DAY
        return found.date.isoformat(), found.precision

    def day(self, key):
        text = self[key]
        if not text:
            return None
        found = parse(text.removesuffix("T00:00:00"))
        if found is None or found.precision != Precision.DAY:
            self.error(key, NOT_A_DAY, value=text)
            return None
        return found.date.isoformat()


class Chunk:
    """What analysing some rows needs read from the database, read once for them all."""

    def __init__(self, batch, rows):
        user = batch.created_by
        self.user = user
        self.state = batch.state
        self.state.setdefault("organisations", {})
        self.state.setdefault("resources", {})
        self.state.setdefault("agreements", {})
        self.language = self.state.setdefault("language", translation.get_language() or "en")
        keys = batch.columns
        parsed = [_Row(keys, row) for row in rows]
        self.rows = parsed
        # The parks, by their names and slugs (a few hundred at most), and those the user may
        # import into.
        self.parks = {}
        for park in Park.objects.only("pk", "slug", "name_en", "name_vi"):
            for name in (park.name_en, park.name_vi, park.slug):
                if name:
                    self.parks.setdefault(fold(name), park)
        self.allowed_park_ids = set(permissions.importable_parks(user).values_list("pk", flat=True))
        # The references of these rows that exist already.
        references = {row[c.REFERENCE] for row in parsed} - set(self.state["agreements"])
        self.existing = {
            agreement.reference: agreement
            for agreement in Agreement.objects.filter(reference__in=references).only(
                "pk", "reference", "park_id", "review_state"
            )
        }
        # The organisations and resources these rows name that no earlier chunk matched.
        known_organisations, known_resources = self.state["organisations"], self.state["resources"]
        organisation_names, resource_names = set(), set()
        for row in parsed:
            if row[c.REFERENCE] not in self.state["agreements"]:
                organisation_names.update(name for name, _role in parse_parties(row[c.PARTIES]))
            organisation_names.update((row[c.PROVIDER], row[c.RECEIVER]))
            resource_names.add(row[c.RESOURCE])
        self.organisations = matching.organisations(
            name for name in organisation_names if fold(name) not in known_organisations
        )
        self.resources = matching.resources(
            name for name in resource_names if fold(name) not in known_resources
        )

    # Names

    def organisation(self, name):
        """How the outcome refers to the organisation called ``name``, and what it matched."""
        key = fold(name)
        known = self.state["organisations"]
        if key not in known:
            found = self.organisations.get(key)
            if found is None:
                known[key] = {"ref": [PROPOSED, key], "name": name, "matched": None, "by": None}
            else:
                organisation, field, matched = found
                known[key] = {
                    "ref": [STORED, organisation.pk],
                    "name": name,
                    "matched": organisation.name,
                    "by": field,
                    "exact": matched == name,
                }
        return known[key]

    def resource(self, row, park_id):
        name = row[c.RESOURCE]
        key = fold(name)
        known = self.state["resources"]
        if key not in known:
            found = self.resources.get(key)
            if found is None:
                known[key] = {"ref": [PROPOSED, key], "name": name, "matched": None, "by": None}
            else:
                resource, field, matched = found
                known[key] = {
                    "ref": [STORED, resource.pk],
                    "name": name,
                    "matched": resource.name,
                    "by": field,
                    "exact": matched == name,
                    "unit": resource.unit,
                    "confirmed": resource.is_confirmed,
                    "park": resource.proposed_for_park_id,
                }
        entry = known[key]
        if entry["ref"][0] == PROPOSED and "category" not in entry:
            # A resource to be proposed takes its category and unit from its first row.
            category = row.choice(c.CATEGORY)
            unit = c.choice(c.RESOURCE_UNIT, row[c.RESOURCE_UNIT]) or c.choice(c.UNIT, row[c.UNIT])
            if not category:
                if c.CATEGORY not in _keys(row):
                    row.error(c.CATEGORY, GIVE_CATEGORY)
            elif not unit:
                row.error(c.RESOURCE_UNIT, GIVE_RESOURCE_UNIT)
            else:
                entry.update(category=category, unit=unit, park=park_id)
        elif (
            entry["ref"][0] == STORED
            and not entry["confirmed"]
            and entry["park"] != park_id
            and not permissions.confirms_at_once(self.user)
        ):
            row.error(c.RESOURCE, PROPOSED_ELSEWHERE, name=entry["matched"])
        return entry

    # Rows

    def analyse(self):
        return [self.analyse_row(row) for row in self.rows]

    def analyse_row(self, row):
        reference = row[c.REFERENCE]
        outcome = {"line": row.line, "reference": reference, "matches": []}
        agreements = self.state["agreements"]
        if not reference:
            row.error(c.REFERENCE, GIVE_REFERENCE)
            outcome["errors"] = row.errors
            return outcome
        agreement = agreements.get(reference)
        if agreement is None:
            agreement = self.analyse_agreement(row, outcome)
            agreements[reference] = agreement
        if any(row[key] for key in c.FLOW_COLUMNS):
            self.analyse_flow(row, outcome, agreement)
        outcome["errors"] = row.errors
        if row.errors:
            agreement["errors"] = True
        return outcome

    def analyse_agreement(self, row, outcome):
        reference = row[c.REFERENCE]
        values = {}
        existing = self.existing.get(reference)
        if existing is None:
            reference = row.field(c.REFERENCE, Agreement, "reference", reference)
            outcome["agreement"] = NEW
        else:
            outcome["agreement"] = EXISTING
        title = row.field(c.TITLE, Agreement, "title_en", row[c.TITLE])
        if not row[c.TITLE]:
            row.error(c.TITLE, GIVE_TITLE)
        values["title_vi" if self.language == "vi" else "title_en"] = title or ""
        park_id = self.park(row)
        values["park"] = park_id
        values["kind"] = row.choice(c.KIND, required=True)
        values["symbiosis_kind"] = row.choice(c.SYMBIOSIS_KIND)
        values["signed_on"], values["signed_on_precision"] = row.partial_date(c.SIGNED_ON)
        values["starts_on"], values["starts_on_precision"] = row.partial_date(c.STARTS_ON)
        values["ends_on"] = row.day(c.ENDS_ON)
        values["terminated_on"] = row.day(c.TERMINATED_ON)
        starts = values["starts_on"]
        if starts and values["ends_on"] and values["ends_on"] < starts:
            row.error(c.ENDS_ON, ENDS_BEFORE_START)
        if starts and values["terminated_on"] and values["terminated_on"] < starts:
            row.error(c.TERMINATED_ON, TERMINATED_BEFORE_START)
        values["amendment_kind"] = row.choice(c.AMENDMENT_KIND)
        framework, amends = row[c.FRAMEWORK], row[c.AMENDS]
        if amends and not values["amendment_kind"] and c.AMENDMENT_KIND not in _keys(row):
            row.error(c.AMENDMENT_KIND, GIVE_AMENDMENT_KIND)
        elif values["amendment_kind"] and not amends:
            row.error(c.AMENDMENT_KIND, AMENDMENT_KIND_WITHOUT)
        outcome["values"] = values
        outcome["links"] = {"framework": framework, "amends": amends}
        # The parties, each matched.
        parties, seen = [], set()
        listed = parse_parties(row[c.PARTIES])
        if not listed:
            row.error(c.PARTIES, NO_PARTIES)
        for name, role in listed:
            entry = self.organisation(name)
            outcome["matches"].append([c.PARTIES, name, entry["matched"], entry["by"]])
            key = tuple(entry["ref"])
            if key in seen:
                row.error(c.PARTIES, DUPLICATE_PARTY)
                continue
            seen.add(key)
            parties.append([entry["ref"], role])
        outcome["parties"] = parties
        state = {
            "line": row.line,
            "park": park_id,
            "parties": {fold(name): self.organisation(name)["ref"] for name, _role in listed},
            "flows": {},
            "framework": framework,
            "amends": amends,
        }
        if existing is not None:
            state["existing"] = existing.pk
            why = None
            if existing.park_id != park_id:
                why = WHY_OTHER_PARK
            elif not permissions.works_in_park(self.user, existing.park_id):
                why = WHY_NOT_YOURS
            elif not existing.is_editable:
                why = WHY_AWAITING
            state["not_updatable"] = why
            outcome["not_updatable"] = why
        return state

    def park(self, row):
        name = row[c.PARK]
        if not name:
            if len(self.allowed_park_ids) == 1:
                return next(iter(self.allowed_park_ids))
            row.error(c.PARK, GIVE_PARK)
            return None
        park = self.parks.get(fold(name))
        if park is None:
            row.error(c.PARK, UNKNOWN_PARK, name=name)
            return None
        if park.pk not in self.allowed_park_ids:
            row.error(c.PARK, FORBIDDEN_PARK, name=park.name)
            return None
        return park.pk

    def analyse_flow(self, row, outcome, agreement):
        flow = {}
        missing = [key for key in (c.PROVIDER, c.RESOURCE, c.RECEIVER) if not row[key]]
        for key in missing:
            row.error(key, GIVE_FLOW_COLUMN)
        ends = {}
        for key, message in ((c.PROVIDER, PROVIDER_NOT_PARTY), (c.RECEIVER, RECEIVER_NOT_PARTY)):
            name = row[key]
            if not name:
                continue
            entry = self.organisation(name)
            outcome["matches"].append([key, name, entry["matched"], entry["by"]])
            ref = agreement["parties"].get(fold(name))
            if ref is None:
                # Named otherwise than among the parties, but the same organisation?
                if entry["ref"] in agreement["parties"].values():
                    ref = entry["ref"]
                else:
                    row.error(key, message)
            ends[key] = ref
        flow["provider"], flow["receiver"] = ends.get(c.PROVIDER), ends.get(c.RECEIVER)
        if flow["provider"] is not None and flow["provider"] == flow["receiver"]:
            row.error(c.RECEIVER, SAME_ENDS)
        resource_unit = None
        if row[c.RESOURCE]:
            entry = self.resource(row, agreement["park"])
            outcome["matches"].append([c.RESOURCE, row[c.RESOURCE], entry["matched"], entry["by"]])
            flow["resource"] = entry["ref"]
            resource_unit = entry.get("unit")
        flow["direction"] = row.choice(c.DIRECTION, default=ResourceFlow.Direction.ONE_WAY)
        flow["period"] = row.choice(c.PERIOD, default=ResourceFlow.Period.YEARLY)
        flow["quantity"] = self.quantity(row)
        flow["unit"] = row.choice(c.UNIT)
        if flow["unit"] and resource_unit and not units.convertible(flow["unit"], resource_unit):
            with translation.override("en"):
                row.error(
                    c.UNIT,
                    WRONG_UNIT,
                    resource=row[c.RESOURCE],
                    unit=units.label(resource_unit),
                    units=", ".join(
                        str(label) for _code, label in units.convertible_units(resource_unit)
                    ),
                )
        kind = row.choice(c.FLOW_SYMBIOSIS_KIND)
        # The export writes the agreement's kind where the flow has none of its own.
        agreement_kind = c.choice(c.SYMBIOSIS_KIND, row[c.SYMBIOSIS_KIND])
        flow["symbiosis_kind"] = "" if kind == agreement_kind else kind
        flow["claimed_by"] = row.choice(c.CLAIMED_BY)
        number = self.flow_number(row, agreement)
        flow["number"] = number
        made_from = row[c.MADE_FROM]
        if made_from:
            target = parse_flow(made_from)
            if target is None:
                row.error(c.MADE_FROM, NOT_A_FLOW, value=made_from)
            flow["made_from"] = target
        if number is not None:
            agreement["flows"][str(number)] = {
                "receiver": flow["receiver"],
                "provider": flow["provider"],
                "made_from": flow.get("made_from"),
            }
        outcome["flow"] = flow

    def quantity(self, row):
        text = row[c.QUANTITY].replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            row.error(c.QUANTITY, NOT_A_NUMBER, value=row[c.QUANTITY])
            return None
        if not number.is_finite():
            row.error(c.QUANTITY, NOT_A_NUMBER, value=row[c.QUANTITY])
            return None
        if number < 0:
            row.error(c.QUANTITY, NEGATIVE)
            return None
        if number != number.quantize(Decimal("0.001")) or number >= Decimal(10) ** 13:
            row.error(c.QUANTITY, TOO_PRECISE)
            return None
        return str(number)

    def flow_number(self, row, agreement):
        text = row[c.FLOW_NUMBER]
        used = agreement["flows"]
        if not text:
            number = max((int(n) for n in used), default=0) + 1
        else:
            try:
                number = int(Decimal(text))
            except (InvalidOperation, ValueError):
                number = None
            if number is None or number < 1 or Decimal(text) != number:
                row.error(c.FLOW_NUMBER, NOT_A_FLOW_NUMBER, value=text)
                return None
        if str(number) in used:
            row.error(c.FLOW_NUMBER, DUPLICATE_FLOW_NUMBER, number=number)
            return None
        return number


def _keys(row):
    return {error[0] for error in row.errors}


_FLOW = re.compile(r"^(?P<reference>\S+)\s*#\s*(?P<number>\d+)$")


def parse_flow(text):
    """[reference, number] of a flow named as the export names it ("DEEPC-1 #2"), or None."""
    found = _FLOW.match(text.strip())
    if found is None:
        return None
    return [found["reference"], int(found["number"])]


@cache
def _parties_pattern():
    roles = c.role_labels()
    labels = "|".join(re.escape(label) for label in sorted(roles, key=len, reverse=True))
    pattern = re.compile(
        r"\s*(?P<name>.+?)\s*\(\s*(?P<role>" + labels + r")\s*\)\s*(?:;|$)", re.IGNORECASE
    )
    return pattern, {label.casefold(): role for label, role in roles.items()}


def parse_parties(text):
    """[(name, role)] of "Name (Signatory); Other (Witness)" (roles in either language; a name
    with no role after the last one is a signatory). A name may itself hold "; " or
    parentheses: the text is cut only after a role."""
    text = (text or "").strip()
    if not text:
        return []
    pattern, by_label = _parties_pattern()
    found, position = [], 0
    for match in pattern.finditer(text):
        if match.start() != position:
            break
        found.append((match["name"], by_label[match["role"].casefold()]))
        position = match.end()
    rest = text[position:].strip()
    if rest:
        found += [(name.strip(), "signatory") for name in rest.split(";") if name.strip()]
    return found


def analyse_next(batch, *, rows=None):
    """Analyse the next ``rows`` rows of ``batch`` (locked by the caller), and finish it after
    its last one. Saves the batch."""
    start = batch.analysed
    chunk = batch.rows[start : start + (rows or CHUNK_ROWS)]
    if chunk:
        batch.outcomes.extend(Chunk(batch, chunk).analyse())
        batch.analysed = start + len(chunk)
    if batch.analysed >= batch.total:
        finish(batch)
    batch.save(update_fields=["analysed", "state", "outcomes", "finished_at"])


def finish(batch):
    """What links rows across the file: each framework and earlier agreement, and each flow's
    ``made_from``, in the file or in the registry (read in two queries), in the same park,
    and closing no loop. Then the counts."""
    state, outcomes = batch.state, batch.outcomes
    agreements = state.get("agreements", {})
    first_rows = {}
    for index, outcome in enumerate(outcomes):
        if "agreement" in outcome:
            first_rows[outcome["reference"]] = index
    named = set()
    for agreement in agreements.values():
        named.update(ref for ref in (agreement.get("framework"), agreement.get("amends")) if ref)
        for flow in agreement["flows"].values():
            if flow.get("made_from"):
                named.add(flow["made_from"][0])
    stored = {
        agreement.reference: agreement
        for agreement in Agreement.objects.filter(reference__in=named).only(
            "pk", "reference", "park_id"
        )
    }
    stored_flows = {}
    rows = (
        ResourceFlow.objects.filter(agreement__reference__in=named)
        .order_by("agreement_id", "pk")
        .values_list("agreement__reference", "pk", "receiver_id")
    )
    for reference, pk, receiver in rows:
        numbered = stored_flows.setdefault(reference, {})
        numbered[str(len(numbered) + 1)] = {"pk": pk, "receiver": [STORED, receiver]}

    def error(reference, key, message, **params):
        index = first_rows.get(reference)
        if index is not None:
            outcomes[index].setdefault("errors", []).append(_error(key, message, **params))

    # Agreements: the one each names, in the same park, nesting in no loop.
    for reference, agreement in agreements.items():
        for key, field in ((c.FRAMEWORK, "framework"), (c.AMENDS, "amends")):
            other = agreement.get(field)
            if not other:
                continue
            if other in agreements:
                park = agreements[other]["park"]
            elif other in stored:
                park = stored[other].park_id
            else:
                error(reference, key, UNKNOWN_AGREEMENT, reference=other)
                continue
            if park != agreement["park"]:
                error(reference, key, OTHER_PARK_AGREEMENT)
    for field, key in (("framework", c.FRAMEWORK), ("amends", c.AMENDS)):
        for loop in _loops({ref: a.get(field) for ref, a in agreements.items()}):
            error(loop[0], key, AGREEMENT_LOOP, references=" → ".join([*loop, loop[0]]))
    # Flows: the flow each is made from, received by its provider, in the same park.
    lines = {}
    for index, outcome in enumerate(outcomes):
        flow = outcome.get("flow")
        if flow and flow.get("number") is not None:
            lines[(outcome["reference"], flow["number"])] = index
    links = {}
    for reference, agreement in agreements.items():
        for number, flow in agreement["flows"].items():
            target = flow.get("made_from")
            if not target:
                continue
            index = lines.get((reference, int(number)))
            other, other_number = target
            found = agreements.get(other, {}).get("flows", {}).get(str(other_number))
            if found is not None:
                park = agreements[other]["park"]
                links[(reference, int(number))] = (other, other_number)
            else:
                found = stored_flows.get(other, {}).get(str(other_number))
                park = stored[other].park_id if other in stored else None
            problem = None
            if found is None:
                problem = (UNKNOWN_FLOW, {"flow": f"{other}{FLOW_MARK}{other_number}"})
            elif park != agreement["park"]:
                problem = (OTHER_PARK_FLOW, {})
            elif flow["provider"] is not None and found["receiver"] != flow["provider"]:
                problem = (NOT_RECEIVED, {})
            if problem and index is not None:
                outcomes[index].setdefault("errors", []).append(
                    _error(c.MADE_FROM, problem[0], **problem[1])
                )
    for loop in _loops(links):
        index = lines.get(loop[0])
        if index is not None:
            outcomes[index].setdefault("errors", []).append(_error(c.MADE_FROM, FLOW_LOOP))
    state["counts"] = counts(batch)
    batch.finished_at = timezone.now()


def _loops(links):
    """Each loop in ``links`` ({node: the node it links to}) once, as the list of its nodes,
    and each chain longer than ``MAX_CHAIN``."""
    loops, done = [], set()
    for start in links:
        path, node = [], start
        while node is not None and node not in done and node not in path and len(path) <= MAX_CHAIN:
            path.append(node)
            node = links.get(node)
        if node in path:
            loops.append(path[path.index(node) :])
        done.update(path)
    return loops


def counts(batch):
    """How many rows of each outcome, and what will be written."""
    outcomes = batch.outcomes
    state = batch.state
    found = {
        "rows": len(outcomes),
        "errors": sum(1 for outcome in outcomes if outcome.get("errors")),
        "new": sum(1 for outcome in outcomes if outcome.get("agreement") == NEW),
        "existing": sum(1 for outcome in outcomes if outcome.get("agreement") == EXISTING),
        "flows": sum(1 for outcome in outcomes if outcome.get("flow")),
        "organisations_proposed": sum(
            1 for entry in state.get("organisations", {}).values() if entry["ref"][0] == PROPOSED
        ),
        "resources_proposed": sum(
            1 for entry in state.get("resources", {}).values() if entry["ref"][0] == PROPOSED
        ),
    }
    found["error_cells"] = sum(len(outcome.get("errors", [])) for outcome in outcomes)
    return found


def can_confirm(batch, *, counts=None):
    """Whether the batch may be confirmed; ``counts`` are its ``state["counts"]``, given when its
    state is not read (the preview)."""
    if not batch.is_finished or batch.confirmed_at is not None:
        return False
    return not (batch.state["counts"] if counts is None else counts)["errors"]
