"""A search finds an agreement by its parties' and resources' names through the copy each
agreement keeps of them (``linked_search_text``): true after every way those names change."""

from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from agreements.models import Agreement, Party, Resource
from parks.models import Organisation
from symbiosis.search import BearsOneOf
from tests.factories import make_agreement, make_organisation, make_resource


def found(query):
    return set(Agreement.objects.search(query).values_list("reference", flat=True))


def test_an_agreement_is_found_by_a_partys_name_in_any_language_without_accents(db):
    police = make_organisation(name_en="Hai An District Police", name_vi="Công an quận Hải An")
    make_agreement(reference="FIRE-1", parties=[police, make_organisation()])
    make_agreement(reference="OTHER-1")

    assert found("cong an quan hai an") == {"FIRE-1"}
    assert found("District Police") == {"FIRE-1"}


def test_a_renamed_organisation_is_found_by_its_new_name_only(db):
    company = make_organisation(name_en="Old Steel Works")
    make_agreement(reference="STEEL-1", parties=[company, make_organisation()])

    company.name_en = "Northern Foundry"
    company.save()

    assert found("northern foundry") == {"STEEL-1"}
    assert found("old steel") == set()


def test_a_renamed_resource_is_found_by_its_new_name(db):
    slag = make_resource(name_en="Slag")
    first, second = make_organisation(), make_organisation()
    make_agreement(reference="SLAG-1", parties=[first, second], flows=[(slag, first, second)])

    slag.name_en = "Granulated blast-furnace slag"
    slag.save()

    assert found("granulated") == {"SLAG-1"}


def test_a_party_removed_no_longer_finds_the_agreement(db):
    leaving = make_organisation(name_en="Leaving Partner")
    agreement = make_agreement(reference="LEFT-1", parties=[leaving, make_organisation()])
    assert found("leaving partner") == {"LEFT-1"}

    Party.objects.filter(agreement=agreement, organisation=leaving).delete()

    assert found("leaving partner") == set()


def test_the_migration_fills_every_agreements_copy_and_keeps_every_row(db):
    migration = import_module("agreements.migrations.0008_agreement_linked_search_text")
    police = make_organisation(name_en="Hai An District Police")
    water = make_resource(name_en="Treated wastewater")
    other = make_organisation()
    make_agreement(reference="A-1", parties=[police, other], flows=[(water, police, other)])
    make_agreement(reference="A-2", parties=[], flows=[])
    Agreement.objects.update(linked_search_text="")  # as the column is added: empty
    before = Agreement.objects.count()

    migration.fill(apps, SimpleNamespace(connection=connection))

    assert Agreement.objects.count() == before
    assert found("district police") == found("wastewater") == {"A-1"}
    assert Agreement.objects.get(reference="A-2").linked_search_text == " | "


def sharing(category):
    return set(Agreement.objects.sharing(category).values_list("reference", flat=True))


def test_a_list_filtered_by_category_follows_every_change_to_the_flows_and_resources(db):
    """The category filter reads the categories each agreement keeps of its flows'
    resources (``shared_categories``): a flow added or removed, or its resource moved to
    another category, moves the agreement in or out of the filtered list at once."""
    water = make_resource(name_en="Treated wastewater", category="water")
    steam = make_resource(name_en="Steam", category="energy")
    first, second = make_organisation(), make_organisation()
    agreement = make_agreement(
        reference="W-1", parties=[first, second], flows=[(water, first, second)]
    )
    make_agreement(reference="NONE-1", parties=[], flows=[])
    assert sharing("water") == {"W-1"}
    assert sharing("energy") == set()

    flow = agreement.flows.create(resource=steam, provider=second, receiver=first)
    assert sharing("energy") == {"W-1"}

    flow.delete()
    assert sharing("energy") == set()

    water.category = "material"
    water.save()
    assert sharing("water") == set()
    assert sharing("material") == {"W-1"}


def test_no_category_is_found_inside_another(db):
    """Each category is matched whole, between its separators."""
    service = make_resource(name_en="Fire-fighting", category="service")
    first, second = make_organisation(), make_organisation()
    make_agreement(reference="S-1", parties=[first, second], flows=[(service, first, second)])

    assert sharing("service") == {"S-1"}
    assert Agreement.objects.filter(shared_categories__contains="servic").exists()
    assert sharing("servic") == set()


def test_the_categories_migration_fills_every_agreements_copy_and_keeps_every_row(db):
    migration = import_module("agreements.migrations.0010_agreement_shared_categories")
    water = make_resource(name_en="Treated wastewater", category="water")
    first, second = make_organisation(), make_organisation()
    make_agreement(reference="A-1", parties=[first, second], flows=[(water, first, second)])
    make_agreement(reference="A-2", parties=[], flows=[])
    Agreement.objects.update(shared_categories="")  # as the column is added: empty
    before = Agreement.objects.count()

    migration.fill(apps, SimpleNamespace(connection=connection))

    assert Agreement.objects.count() == before
    assert sharing("water") == {"A-1"}
    assert Agreement.objects.get(reference="A-2").shared_categories == ""


def test_many_names_find_the_rows_bearing_one_of_them_exactly_in_any_language(db):
    """The import's look-up of many names at once (``BearsOneOf``): a row is found when one
    of its names, folded, is one of the names; never by a part of a name, and never a row that
    bears none of them."""
    police = make_organisation(name_en="Hai An District Police", name_vi="Công an quận Hải An")
    port = make_organisation(name_en="Dinh Vu Port", short_name="DVP")
    make_organisation(name_en="Hai An District Police Station 2")
    merged = make_organisation(name_en="Deep C Industrial Zones", aliases="Dinh Vu Industrial Park")
    slag = make_resource(name_en="Slag", name_vi="Xỉ thép")
    make_resource(name_en="Steel slag")

    def bearing(model, *names):
        return set(model.objects.filter(BearsOneOf(names)).values_list("pk", flat=True))

    assert bearing(
        Organisation, "cong an quan hai an", "DINH VU PORT", "dinh vu industrial park", "nobody"
    ) == {police.pk, port.pk, merged.pk}
    assert bearing(Organisation, "dvp") == {port.pk}  # a short name is one of its names
    assert bearing(Organisation, "hai an", "district police", "port") == set()
    assert bearing(Resource, "xi thep") == {slag.pk}
    assert bearing(Resource, "slag", "steel") == {slag.pk}
    assert bearing(Organisation) == set()
