"""The agreement form driven by Hypothesis: its fields, its party and flow rows and the row
counts sent with them, each valid, missing, out of range or any text at all. Whatever is sent,
the page answers (never a server error) and saves all or nothing: the agreement as sent,
consistent with the party rules, or nothing changed."""

from contextlib import contextmanager

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from agreements.forms import AgreementForm
from agreements.models import Agreement, Party, ResourceFlow
from tests.agreements.entry import edit_data, new_agreement_data
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_organisation, make_resource

pytestmark = pytest.mark.django_db

# Any text: NUL bytes and other control characters, any script (surrogates left out: a browser
# cannot send them), numbers no database stores, numbers written oddly.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
HUGE_NUMBERS = st.integers(-(10**30), 10**30).map(str)
ODD_NUMBERS = st.sampled_from(["", "0", "-1", "1.5", "1e9", "1e400", "NaN", "٣", "１２", "9" * 40])
JUNK = st.one_of(ANY_TEXT, HUGE_NUMBERS, ODD_NUMBERS)

# The form's fields, and the version it carries (VersionCheckMixin).
AGREEMENT_FIELDS = [*AgreementForm.Meta.fields, "version"]


def mostly(valid, wild):
    """One of ``valid`` or, in a ``wild`` example, now and then anything."""
    if not wild:
        return st.sampled_from(valid)
    return st.integers(0, 3).flatmap(lambda n: st.sampled_from(valid) if n else JUNK)


def free_text(wild):
    """What a text field takes: any text, or (in a tame example) text a keyboard types."""
    return (
        ANY_TEXT
        if wild
        else st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40)
    )


def row_count(right):
    """A row count as sent: mostly ``right``, else a few off, out of range or not a number (a
    count beyond the form's rows is rare: the page it draws again is a slow example)."""
    odd = st.one_of(ANY_TEXT, st.sampled_from(["-1", "101", "9" * 40, "1.5", "NaN", "١"]))

    def sent(n):
        if n < 6:
            return st.just(str(right))
        if n < 9:
            return st.integers(-3, right + 3).map(str)
        return odd

    return st.integers(0, 9).flatmap(sent)


@pytest.fixture
def world(db):
    world = make_world()
    world.outsider = make_organisation(name_en="Outsider")
    world.other_resource = make_resource(name_en="Treated wastewater")
    world.client = Client()
    world.client.force_login(world.staff)
    return world


@contextmanager
def undone():
    """Whatever an example writes is undone after it, so that every example starts alike."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def organisations(world):
    return [str(o.pk) for o in [world.provider, world.receiver, world.witness, world.outsider]]


def party_values(world, ids, wild):
    return {
        "id": mostly(ids, wild),
        "organisation": mostly(organisations(world), wild),
        "organisation_query": st.just(""),
        "role": mostly(Party.Role.values, wild),
        "representative_name": st.one_of(st.just(""), free_text(wild)),
        "representative_title_en": st.sampled_from(
            ["", "Director", *(["x" * 201] if wild else [])]
        ),
        "representative_title_vi": st.sampled_from(["", "Giám đốc"]),
    }


def flow_values(world, ids, wild):
    return {
        "id": mostly(ids, wild),
        "resource": mostly([str(world.resource.pk), str(world.other_resource.pk)], wild),
        "provider": mostly(organisations(world), wild),
        "receiver": mostly(organisations(world), wild),
        "direction": mostly(ResourceFlow.Direction.values, wild),
        "quantity": mostly(["", "0", "12.5", "1000000"], wild),
        "period": mostly(ResourceFlow.Period.values, wild),
        "notes_en": st.one_of(st.just(""), free_text(wild)),
        "notes_vi": st.one_of(st.just(""), free_text(wild)),
    }


def fuzz_rows(draw, data, prefix, values, *, most, wild):
    """Change ``data``'s ``prefix`` rows: those it has (a stored agreement's) and new ones, a few
    of their fields changed, some marked for removal and, in a ``wild`` example, fields not sent
    at all and row counts sent off, out of range or not at all."""
    stored = int(data[f"{prefix}-INITIAL_FORMS"])
    rows = []
    for index in range(int(data.pop(f"{prefix}-TOTAL_FORMS"))):
        rows.append({name: data.pop(f"{prefix}-{index}-{name}", "") for name in values})
    rows += draw(st.lists(st.fixed_dictionaries({**values, "id": st.just("")}), max_size=most))
    for _ in range(draw(st.integers(0, 3)) if rows else 0):
        row, name = draw(st.sampled_from(rows)), draw(st.sampled_from(sorted(values)))
        row[name] = draw(values[name])
    for row in rows:
        if draw(st.integers(0, 5)) == 0:
            row["DELETE"] = "on"
        if wild and draw(st.integers(0, 9)) == 0:
            del row[draw(st.sampled_from(sorted(values)))]
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(stored)})
    if wild:
        counts = {"TOTAL_FORMS": row_count(len(rows)), "INITIAL_FORMS": row_count(stored)}
        for name, count in counts.items():
            del data[f"{prefix}-{name}"]
            if draw(st.integers(0, 19)):  # now and then not sent
                data[f"{prefix}-{name}"] = draw(count)


def fuzzed(draw, world, data, *, party_ids, flow_ids):
    """``data`` with its rows fuzzed and, in a wild example (every other one), a few of the
    agreement's fields sent as anything; a tame one sends what the page could, its choices
    among those the page offers, so that more are valid or refused only by the party rules."""
    wild = draw(st.booleans())
    event("wild" if wild else "tame")
    if wild:
        for name in draw(st.lists(st.sampled_from(AGREEMENT_FIELDS), unique=True, max_size=3)):
            data[name] = draw(JUNK)
    fuzz_rows(draw, data, "parties", party_values(world, party_ids, wild), most=4, wild=wild)
    fuzz_rows(draw, data, "flows", flow_values(world, flow_ids, wild), most=2, wild=wild)
    return data


def kept(data, prefix, field):
    """The values of ``field`` in the rows a valid form saves: those within the count sent, not
    marked for removal, with ``field`` filled in (a row without is a spare row left blank)."""
    total = forms.IntegerField().clean(data[f"{prefix}-TOTAL_FORMS"])  # read as the form does
    return sorted(
        data[f"{prefix}-{index}-{field}"]
        for index in range(total)
        if f"{prefix}-{index}-DELETE" not in data and data.get(f"{prefix}-{index}-{field}")
    )


def assert_saved_as_sent(agreement, data):
    parties = list(agreement.parties.all())
    organisations = {party.organisation_id for party in parties}
    assert len(parties) >= 2
    assert any(party.role == Party.Role.SIGNATORY for party in parties)
    assert sorted(str(pk) for pk in organisations) == kept(data, "parties", "organisation")
    flows = list(agreement.flows.all())
    assert len(flows) == len(kept(data, "flows", "resource"))
    for flow in flows:
        assert {flow.provider_id, flow.receiver_id} <= organisations
        assert flow.provider_id != flow.receiver_id


def stored_state(agreement):
    agreement.refresh_from_db()
    return (
        agreement.version,
        agreement.title_en,
        agreement.review_state,
        sorted(agreement.parties.values_list("pk", "organisation_id", "role")),
        sorted(
            agreement.flows.values_list(
                "pk", "resource_id", "provider_id", "receiver_id", "notes_en", "notes_vi"
            )
        ),
    )


@given(st.data())
def test_a_new_agreement_sent_any_way_is_saved_whole_or_not_at_all(world, fuzz):
    data = fuzzed(
        fuzz.draw,
        world,
        new_agreement_data(park=world.park, parties=[], flows=[]),
        party_ids=[""],
        flow_ids=[""],
    )

    with undone():
        response = world.client.post(reverse("agreements:create"), data)

        assert response.status_code in {200, 302}
        event(f"answered {response.status_code}")
        if response.status_code == 302:
            assert_saved_as_sent(Agreement.objects.get(), data)
        else:
            assert not Agreement.objects.exists()
            assert not (Party.objects.exists() or ResourceFlow.objects.exists())


@given(st.data())
def test_an_edit_sent_any_way_is_saved_whole_or_changes_nothing(world, fuzz):
    with undone():
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver, world.witness],
            flows=[
                (world.resource, world.provider, world.receiver),
                (world.other_resource, world.witness, world.provider),
            ],
            review_state=Agreement.ReviewState.DRAFT,
        )
        other = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
        party_ids = [str(pk) for pk in agreement.parties.values_list("pk", flat=True)]
        flow_ids = [str(pk) for pk in agreement.flows.values_list("pk", flat=True)]
        data = fuzzed(
            fuzz.draw,
            world,
            edit_data(agreement),
            # The agreement's rows, none, or another agreement's.
            party_ids=[*party_ids, "", str(other.parties.first().pk)],
            flow_ids=[*flow_ids, "", str(other.flows.get().pk)],
        )
        before = stored_state(agreement)

        response = world.client.post(reverse("agreements:update", args=[agreement.reference]), data)

        assert response.status_code in {200, 302}
        event(f"answered {response.status_code}")
        if response.status_code == 302:
            assert_saved_as_sent(agreement, data)
        else:
            assert stored_state(agreement) == before
