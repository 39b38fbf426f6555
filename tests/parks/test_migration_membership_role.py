"""parks 0006 gives park memberships a role: every membership written before it is kept, as
staff (a park's managers are named afterwards, on its members page)."""

from tests.test_migrations import migrate, run_sql


def test_every_membership_is_kept_as_staff(empty_database):
    before = migrate(empty_database, "parks", "0005")
    assert before.returncode == 0, before.stderr
    run_sql(
        empty_database,
        [
            (
                "INSERT INTO auth_user (id, password, last_login, is_superuser, username, "
                "first_name, last_name, email, is_staff, is_active, date_joined) VALUES "
                "(%s, '!', '2026-01-01', FALSE, %s, '', '', %s, FALSE, TRUE, '2026-01-01')",
                [user, f"staff{user}", f"staff{user}@example.org"],
            )
            for user in (1, 2)
        ]
        + [
            (
                "INSERT INTO parks_park (id, name_vi, name_en, slug, province, eip_status, "
                "website, search_text, kind, country) VALUES (1, '', 'Deep C', 'deep-c', "
                "'Hải Phòng', 'not_assessed', '', 'deep c', 'industrial_park', 'VN')",
                [],
            ),
        ]
        + [
            (
                "INSERT INTO parks_parkmembership (id, created_at, park_id, user_id) VALUES "
                "(%s, '2026-01-01', 1, %s)",
                [user, user],
            )
            for user in (1, 2)
        ],
    )

    forward = migrate(empty_database, "parks", "0006")
    assert forward.returncode == 0, forward.stderr

    rows = run_sql(
        empty_database,
        [("SELECT id, park_id, user_id, role FROM parks_parkmembership ORDER BY id", [])],
    )
    assert rows == [(1, 1, 1, "staff"), (2, 1, 2, "staff")]
