"""An admin removes a person who has worked in the registry by deactivating the account: its
access ends and its name stays on the record. Deleting it, which would erase the name, is
refused; an account named on nothing is deleted as before."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.models import Agreement
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    return client


def returned_by(world, official):
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state="draft"
    )
    services.submit_agreement(agreement=agreement, user=world.staff)
    services.return_agreement(agreement=agreement, user=official, comment="Add the date.")
    return agreement


def changelist_action(client, action, users, **data):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [user.pk for user in users], **data},
        follow=True,
    )


def text_of(response):
    return " ".join(response.content.decode().split())


def test_the_users_list_says_to_deactivate_a_person_who_has_worked_in_the_registry(
    admin_client,
):
    page = text_of(admin_client.get(reverse("admin:auth_user_changelist")))

    assert "To remove a person who has worked in the registry" in page
    assert "Deactivate the selected users" in page


def test_deactivating_ends_the_access_and_keeps_the_name_on_the_record(admin_client, world):
    agreement = returned_by(world, world.official)
    officials_session = Client()
    officials_session.force_login(world.official)

    response = changelist_action(admin_client, "deactivate_selected", [world.official])

    assert "1 user is deactivated" in text_of(response)
    assert User.objects.get(pk=world.official.pk).is_active is False
    # Signed out of the session they had, and their name still on what they did.
    assert officials_session.get(reverse("agreements:mine")).status_code == 302
    staff = Client()
    staff.force_login(world.staff)
    mine = text_of(staff.get(reverse("agreements:mine")))
    assert "Returned by heza-official on" in mine
    assert Agreement.objects.get(pk=agreement.pk).reviewed_by == world.official


def test_an_admin_does_not_deactivate_their_own_account(admin_client, world):
    response = changelist_action(admin_client, "deactivate_selected", [world.admin])

    assert "Your own account stays active" in text_of(response)
    assert User.objects.get(pk=world.admin.pk).is_active is True


def test_an_account_named_on_the_record_is_not_deleted_and_deactivation_is_offered(
    admin_client, world
):
    returned_by(world, world.official)
    page = reverse("admin:auth_user_delete", args=[world.official.pk])

    shown = text_of(admin_client.get(page))
    admin_client.post(page, {"post": "yes"})

    assert "“heza-official” cannot be deleted" in shown
    # Returned it: the agreement's reviewer, and the change in its history.
    assert "heza-official is named on 2 records of the registry" in shown
    assert '<input type="hidden" name="action" value="deactivate_selected">' in shown
    assert "Deactivate the account instead" in shown
    assert User.objects.filter(pk=world.official.pk).exists()


def test_deleting_selected_accounts_refuses_those_named_on_the_record(admin_client, world):
    returned_by(world, world.official)
    unused = make_user("opened-by-mistake")

    response = changelist_action(
        admin_client, "delete_selected", [world.official, unused], post="yes"
    )

    assert "heza-official is named on" in text_of(response)
    assert User.objects.filter(pk__in=[world.official.pk, unused.pk]).count() == 2


def test_an_account_named_on_nothing_is_deleted(admin_client, world):
    unused = make_user("opened-by-mistake")

    admin_client.post(reverse("admin:auth_user_delete", args=[unused.pk]), {"post": "yes"})

    assert not User.objects.filter(pk=unused.pk).exists()
