"""Members invited, not created by an admin: a park's managers and the officials over it invite a
person by email; the link works once, for seven days, lets a new person choose a password and a
language and lands them on the park. Roles change, access is revoked at once, and every step is
in the members page's trail. Officials invite colleagues to their agency; an admin appoints an
agency's first official."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.accounts import invitations
from agreements.accounts.models import AccountSettings, Invitation, MembershipEvent, hash_token
from agreements.models import Agreement
from parks.models import AuthorityMembership, ParkMembership
from tests.agreements.world import make_world
from tests.factories import make_agency, make_agreement, make_park_staff, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
LINK = re.compile(r"https?://\S+/accounts/invitation/[^/\s]+/")
PASSWORD = "dòng nước thải đã xử lý 2026"
Action = MembershipEvent.Action


@pytest.fixture
def world():
    world = make_world()
    world.park.name_vi = "Khu công nghiệp Deep C"
    world.park.save()
    return world


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def members_url(park):
    return reverse("parks:members", kwargs={"slug": park.slug})


def make_manager(park):
    user = make_park_staff(park)
    ParkMembership.objects.filter(user=user).update(role=ParkMembership.Role.MANAGER)
    return user


def invite_by_page(client, url, capture, **data):
    """Post the invitation form; returns the response and the link of the email sent (or None)."""
    sent = len(mail.outbox)
    with capture(execute=True):
        response = client.post(url, {"action": "invite", "language": "en", **data})
    new = mail.outbox[sent:]
    link = LINK.search(new[0].body).group(0) if new else None
    return response, link


def send_invitation(capture, *, by, park=None, agency=None, email="new.person@example.org", **kw):
    """An invitation sent by the service; returns it and the path of its link."""
    sent = len(mail.outbox)
    with capture(execute=True):
        invitation = invitations.invite(
            email=email,
            park=park,
            agency=agency,
            by=by,
            language=kw.pop("language", "en"),
            base_url="https://registry.example",
            **kw,
        )
    link = LINK.search(mail.outbox[sent].body).group(0)
    return invitation, link.removeprefix("https://registry.example")


def choose_password(client, path, language="vi"):
    return client.post(
        path, {"new_password1": PASSWORD, "new_password2": PASSWORD, "language": language}
    )


class TestInvitingAndAccepting:
    def test_a_manager_invites_and_the_link_sets_a_password_and_language_and_lands_on_the_park(
        self, world, django_capture_on_commit_callbacks
    ):
        manager = make_manager(world.park)

        response, link = invite_by_page(
            signed_in(manager),
            members_url(world.park),
            django_capture_on_commit_callbacks,
            email="lan.nguyen@example.org",
            role="staff",
            language="vi",
        )

        assert response.status_code == 302
        assert response["Location"] == members_url(world.park)
        email = mail.outbox[-1]
        assert email.to == ["lan.nguyen@example.org"]
        # In the language chosen on the form: the park's name in Vietnamese.
        assert "Khu công nghiệp Deep C" in email.subject
        assert "Deep C Industrial Park" not in email.body
        assert link.startswith("http://testserver/accounts/invitation/")

        visitor = Client()
        page = visitor.get(link)
        assert page.status_code == 200
        assert "lan.nguyen@example.org" in page.content.decode()

        landed = choose_password(visitor, link, language="vi")

        assert landed.status_code == 302
        assert landed["Location"] == world.park.get_absolute_url()
        person = User.objects.get(username="lan.nguyen@example.org")
        assert person.email == "lan.nguyen@example.org"
        assert person.check_password(PASSWORD)
        assert ParkMembership.objects.get(user=person, park=world.park).role == "staff"
        assert AccountSettings.objects.get(user=person).language == "vi"
        assert landed.cookies["django_language"].value == "vi"
        # Signed in: their park's agreements are theirs to enter.
        assert visitor.get(reverse("agreements:create")).status_code == 200
        actions = list(
            MembershipEvent.objects.filter(park=world.park).values_list("action", "actor")
        )
        assert actions == [(Action.ACCEPTED, person.pk), (Action.INVITED, manager.pk)]

    def test_the_token_is_stored_only_as_its_hash(self, world, django_capture_on_commit_callbacks):
        invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )

        token = path.rstrip("/").rsplit("/", 1)[1]
        invitation.refresh_from_db()
        assert invitation.token_hash == hash_token(token)
        assert token not in invitation.token_hash
        assert invitation.expires_at - invitation.created_at == timezone.timedelta(days=7)

    def test_a_weak_password_is_refused_with_a_message_and_nothing_is_created(
        self, world, django_capture_on_commit_callbacks
    ):
        _invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )

        response = Client().post(
            path, {"new_password1": "12345678", "new_password2": "12345678", "language": "en"}
        )

        assert response.status_code == 200
        assert "This password is too common." in response.content.decode()
        assert not User.objects.filter(email="new.person@example.org").exists()
        assert not ParkMembership.objects.filter(
            park=world.park, user__email="new.person@example.org"
        )

    def test_an_existing_account_signed_in_accepts_and_keeps_its_password(
        self, world, django_capture_on_commit_callbacks
    ):
        person = make_user("existing")
        _invitation, path = send_invitation(
            django_capture_on_commit_callbacks,
            by=world.official,
            park=world.park,
            email="existing@example.org",
            role=ParkMembership.Role.MANAGER,
        )

        signed_out = Client().get(path)
        assert signed_out.status_code == 302
        assert signed_out["Location"].startswith(reverse("login") + "?next=")

        client = signed_in(person)
        assert "Accept the invitation" in client.get(path).content.decode()
        response = client.post(path)

        assert response.status_code == 302
        assert response["Location"] == world.park.get_absolute_url()
        assert ParkMembership.objects.get(user=person, park=world.park).role == "manager"
        assert User.objects.filter(email="existing@example.org").count() == 1

    def test_someone_else_signed_in_cannot_use_the_link(
        self, world, django_capture_on_commit_callbacks
    ):
        _invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )

        response = signed_in(world.other_staff).post(
            path, {"new_password1": PASSWORD, "new_password2": PASSWORD, "language": "en"}
        )

        assert response.status_code == 403
        assert "new.person@example.org" in response.content.decode()
        assert not ParkMembership.objects.filter(park=world.park, user=world.other_staff).exists()

    def test_inviting_someone_already_a_member_is_refused_with_a_message(
        self, world, django_capture_on_commit_callbacks
    ):
        response, link = invite_by_page(
            signed_in(world.official),
            members_url(world.park),
            django_capture_on_commit_callbacks,
            email=world.staff.email.upper(),
            role="staff",
        )

        assert response.status_code == 200
        assert "is a member already" in response.content.decode()
        assert link is None
        assert not Invitation.objects.exists()

    def test_a_bad_address_is_refused_with_a_message_and_nothing_is_sent(
        self, world, django_capture_on_commit_callbacks
    ):
        response, link = invite_by_page(
            signed_in(world.official),
            members_url(world.park),
            django_capture_on_commit_callbacks,
            email="not an address",
            role="staff",
        )

        assert response.status_code == 200
        assert "Nobody was invited" in response.content.decode()
        assert "Enter a valid email address." in response.content.decode()
        assert (link, Invitation.objects.count(), MembershipEvent.objects.count()) == (None, 0, 0)

    def test_the_link_opens_in_the_invitations_language_unless_the_visitor_chose_one(
        self, world, django_capture_on_commit_callbacks
    ):
        _, path = send_invitation(
            django_capture_on_commit_callbacks,
            by=make_manager(world.park),
            park=world.park,
            language="vi",
        )

        english_browser = Client(headers={"accept-language": "en"})
        page = english_browser.get(path).content.decode()
        assert "Lời mời của anh/chị" in page and "Your invitation" not in page

        english_browser.cookies["django_language"] = "en"
        page = english_browser.get(path).content.decode()
        assert "Your invitation" in page and "Lời mời của anh/chị" not in page


class TestRefusedLinks:
    def test_an_expired_link_is_refused_with_a_message_and_nothing_is_created(
        self, world, django_capture_on_commit_callbacks
    ):
        invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )
        # Eight days later.
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timezone.timedelta(days=8),
            expires_at=timezone.now() - timezone.timedelta(days=1),
        )
        users = User.objects.count()

        page = Client().get(path)
        posted = choose_password(Client(), path)

        for response in (page, posted):
            assert response.status_code == 410
            assert "This invitation has expired" in response.content.decode()
        assert User.objects.count() == users
        assert not ParkMembership.objects.filter(user__email="new.person@example.org").exists()

    def test_a_used_link_is_refused_the_second_time_and_nothing_more_is_created(
        self, world, django_capture_on_commit_callbacks
    ):
        _invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )
        assert choose_password(Client(), path).status_code == 302
        users, memberships = User.objects.count(), ParkMembership.objects.count()

        again = Client().post(
            path, {"new_password1": "another pass 2026!", "new_password2": "another pass 2026!"}
        )

        assert again.status_code == 410
        assert "This invitation was already used" in again.content.decode()
        assert (User.objects.count(), ParkMembership.objects.count()) == (users, memberships)
        assert User.objects.get(username="new.person@example.org").check_password(PASSWORD)

    def test_a_withdrawn_link_is_refused(self, world, django_capture_on_commit_callbacks):
        invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )
        response = signed_in(world.official).post(
            members_url(world.park), {"action": "withdraw", "invitation": invitation.pk}
        )
        assert response.status_code == 302

        refused = choose_password(Client(), path)

        assert refused.status_code == 410
        assert "This invitation was withdrawn" in refused.content.decode()
        assert not User.objects.filter(email="new.person@example.org").exists()
        assert MembershipEvent.objects.filter(action=Action.WITHDRAWN).count() == 1

    def test_a_made_up_token_opens_nothing(self, world):
        response = Client().get(reverse("accounts:invitation", kwargs={"token": "x" * 43}))

        assert response.status_code == 404
        assert "This invitation link is not valid" in response.content.decode()

    def test_the_refusal_is_in_the_visitors_language(
        self, world, django_capture_on_commit_callbacks
    ):
        invitation, path = send_invitation(
            django_capture_on_commit_callbacks, by=world.official, park=world.park
        )
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

        response = Client(headers={"accept-language": "vi"}).get(path)

        assert response.status_code == 410
        assert '<html lang="vi">' in response.content.decode()


class TestManagingMembers:
    def test_a_revoked_member_loses_access_at_once(self, world):
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver],
            review_state=Agreement.ReviewState.DRAFT,
        )
        staff = signed_in(world.staff)
        edit = reverse("agreements:update", kwargs={"reference": agreement.reference})
        assert staff.get(edit).status_code == 200
        membership = ParkMembership.objects.get(user=world.staff, park=world.park)

        confirm = signed_in(world.official).post(
            members_url(world.park), {"action": "revoke", "membership": membership.pk}
        )
        assert confirm.status_code == 200
        assert ParkMembership.objects.filter(pk=membership.pk).exists()  # asked first
        done = signed_in(world.official).post(
            members_url(world.park),
            {"action": "revoke", "membership": membership.pk, "confirmed": "yes"},
        )

        assert done.status_code == 302
        assert not ParkMembership.objects.filter(pk=membership.pk).exists()
        # The next request: no park of theirs any more, so no agreement to create, and the
        # park's drafts are not theirs to see (404, as for any other park's staff).
        assert staff.get(reverse("agreements:create")).status_code == 403
        assert staff.get(edit).status_code == 404
        event = MembershipEvent.objects.get(action=Action.REVOKED)
        assert (event.actor, event.member, event.park) == (world.official, world.staff, world.park)

    def test_staff_cannot_manage_another_parks_members(
        self, world, django_capture_on_commit_callbacks
    ):
        membership = ParkMembership.objects.get(user=world.staff)
        for person in (world.other_staff, world.staff):  # another park's; this park's, not manager
            client = signed_in(person)
            invited, _link = invite_by_page(
                client,
                members_url(world.park),
                django_capture_on_commit_callbacks,
                email="intruder@example.org",
                role="manager",
            )
            promoted = client.post(
                members_url(world.park),
                {"action": "role", "membership": membership.pk, "role": "manager"},
            )
            revoked = client.post(
                members_url(world.park),
                {"action": "revoke", "membership": membership.pk, "confirmed": "yes"},
            )

            assert [invited.status_code, promoted.status_code, revoked.status_code] == [403] * 3
        assert not Invitation.objects.exists()
        assert mail.outbox == []
        membership.refresh_from_db()
        assert membership.role == ParkMembership.Role.STAFF
        assert not MembershipEvent.objects.exists()

    def test_a_role_change_is_recorded_and_shown(self, world):
        membership = ParkMembership.objects.get(user=world.staff)
        client = signed_in(world.official)

        response = client.post(
            members_url(world.park),
            {"action": "role", "membership": membership.pk, "role": "manager"},
        )

        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.role == ParkMembership.Role.MANAGER
        event = MembershipEvent.objects.get()
        assert (event.action, event.actor, event.member) == (
            Action.ROLE_CHANGED,
            world.official,
            world.staff,
        )
        assert (event.previous_role, event.role) == ("staff", "manager")
        page = client.get(members_url(world.park)).content.decode()
        assert f"changed the role of {world.staff.email} from Staff to Manager" in page
        # The new manager manages the members now.
        assert signed_in(world.staff).get(members_url(world.park)).status_code == 200

    def test_a_bad_role_changes_nothing(self, world):
        membership = ParkMembership.objects.get(user=world.staff)

        response = signed_in(world.official).post(
            members_url(world.park),
            {"action": "role", "membership": membership.pk, "role": "owner"},
            follow=True,
        )

        assert "The role was not changed" in response.content.decode()
        membership.refresh_from_db()
        assert membership.role == ParkMembership.Role.STAFF
        assert not MembershipEvent.objects.exists()

    def test_a_membership_of_another_park_cannot_be_changed_from_this_page(self, world):
        elsewhere = ParkMembership.objects.get(user=world.other_staff)

        response = signed_in(world.official).post(
            members_url(world.park),
            {"action": "revoke", "membership": elsewhere.pk, "confirmed": "yes"},
        )

        assert response.status_code == 404
        assert ParkMembership.objects.filter(pk=elsewhere.pk).exists()

    @pytest.mark.parametrize("rows", [1, 6])
    def test_the_members_page_runs_a_fixed_number_of_queries(
        self, world, django_assert_num_queries, django_capture_on_commit_callbacks, rows
    ):
        for number in range(rows):
            make_park_staff(world.park)
            send_invitation(
                django_capture_on_commit_callbacks,
                by=world.official,
                park=world.park,
                email=f"person{number}@example.org",
            )
        client = signed_in(world.official)
        client.get(members_url(world.park))  # the session's first read

        # session, user, savepoint, park, memberships of both kinds, parks overseen, members,
        # invitations, trail, release
        with django_assert_num_queries(10):
            response = client.get(members_url(world.park))

        assert response.status_code == 200
        assert response.content.decode().count("data-member=") == rows + 1


class TestAgencyOfficials:
    def test_an_official_invites_a_colleague_who_lands_on_the_dashboard(
        self, world, django_capture_on_commit_callbacks
    ):
        url = reverse("accounts:agency-members", kwargs={"slug": world.agency.slug})
        response, link = invite_by_page(
            signed_in(world.official),
            url,
            django_capture_on_commit_callbacks,
            email="colleague@example.org",
        )
        assert response.status_code == 302

        landed = choose_password(Client(), link, language="en")

        assert landed.status_code == 302
        assert landed["Location"] == reverse("agreements:dashboard")
        colleague = User.objects.get(username="colleague@example.org")
        assert AuthorityMembership.objects.filter(user=colleague, agency=world.agency).exists()
        assert not ParkMembership.objects.filter(user=colleague).exists()

    def test_an_admin_appoints_the_first_official_of_a_new_agency(
        self, world, django_capture_on_commit_callbacks
    ):
        agency = make_agency(name_en="Bac Ninh Economic Zone Authority")
        url = reverse("accounts:agency-members", kwargs={"slug": agency.slug})

        response, link = invite_by_page(
            signed_in(world.admin),
            url,
            django_capture_on_commit_callbacks,
            email="first.official@example.org",
        )
        assert response.status_code == 302
        assert choose_password(Client(), link, language="en").status_code == 302

        official = User.objects.get(username="first.official@example.org")
        assert list(AuthorityMembership.objects.filter(agency=agency)) == list(
            AuthorityMembership.objects.filter(user=official)
        )
        trail = MembershipEvent.objects.filter(agency=agency).values_list("action", flat=True)
        assert list(trail) == [Action.ACCEPTED, Action.INVITED]

    def test_an_official_cannot_invite_to_another_agency(
        self, world, django_capture_on_commit_callbacks
    ):
        url = reverse("accounts:agency-members", kwargs={"slug": world.other_agency.slug})

        response, link = invite_by_page(
            signed_in(world.official),
            url,
            django_capture_on_commit_callbacks,
            email="x@example.org",
        )

        assert response.status_code == 403
        assert link is None
        assert not Invitation.objects.exists()

    def test_a_revoked_official_no_longer_reviews(self, world):
        membership = AuthorityMembership.objects.get(user=world.other_official)
        url = reverse("accounts:agency-members", kwargs={"slug": world.other_agency.slug})
        client = signed_in(world.other_official)
        assert client.get(reverse("agreements:dashboard")).status_code == 200

        response = signed_in(world.admin).post(
            url, {"action": "revoke", "membership": membership.pk, "confirmed": "yes"}
        )

        assert response.status_code == 302
        assert client.get(reverse("agreements:dashboard")).status_code == 403


def test_a_manager_who_makes_themselves_staff_is_sent_to_the_park_page(world):
    manager = make_manager(world.park)
    membership = ParkMembership.objects.get(user=manager)

    response = signed_in(manager).post(
        members_url(world.park), {"action": "role", "membership": membership.pk, "role": "staff"}
    )

    assert response.status_code == 302
    assert response["Location"] == world.park.get_absolute_url()
    assert signed_in(manager).get(members_url(world.park)).status_code == 403


def test_the_admin_links_each_agency_to_its_officials_page(world):
    client = signed_in(world.admin)

    page = client.get(reverse("admin:parks_agency_change", args=[world.agency.pk]))

    assert reverse("accounts:agency-members", kwargs={"slug": world.agency.slug}) in (
        page.content.decode()
    )
