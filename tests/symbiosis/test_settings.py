"""The settings refuse an unsafe or unreadable configuration, before anything starts."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.storage import configured_documents_storage
from tests.storage import run_manage as run_documents_manage

PROJECT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_a_secret_key_refuses_to_start_with_one_line():
    result = run_manage("check", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_debug_value_that_is_not_a_boolean_is_an_error(value):
    result = run_manage("check", DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert f"DJANGO_DEBUG={value!r} is not a boolean" in result.stderr


def test_a_connection_age_that_is_not_a_number_is_an_error():
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_CONN_MAX_AGE="soon"
    )

    assert result.returncode != 0
    assert "DJANGO_CONN_MAX_AGE='soon' is not a whole number" in result.stderr


def test_debug_on_starts_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_load_demo_with_users_refuses_to_run_with_debug_off():
    result = run_manage(
        "load_demo",
        "--with-users",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="sqlite:///:memory:",
    )

    assert result.returncode != 0
    assert "runs only with DJANGO_DEBUG=true" in result.stderr


def settings_of(*names, **env):
    """The named settings as the app reads them with ``env`` (debug off, a long key)."""
    code = "import json; from django.conf import settings; " + (
        f"print(json.dumps([getattr(settings, name) for name in {list(names)!r}]))"
    )
    result = run_manage(
        "shell", "-c", code, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, **env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_for_subdomains_preloading_and_the_session_length_are_set_by_environment():
    assert settings_of(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_AGE",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        DJANGO_SECURE_HSTS_PRELOAD="yes",
        DJANGO_SESSION_COOKIE_AGE="28800",
    ) == [True, True, 28800]


@pytest.mark.parametrize(
    ("value", "admins"),
    [
        (
            "Nguyen Van An <an@example.org>, Registry operations <ops@example.org>",
            [["Nguyen Van An", "an@example.org"], ["Registry operations", "ops@example.org"]],
        ),
        (
            "an@example.org,ops@example.org",
            [["an@example.org", "an@example.org"], ["ops@example.org", "ops@example.org"]],
        ),
        ('"Tran, Thi Binh" <binh@example.org>', [["Tran, Thi Binh", "binh@example.org"]]),
    ],
)
def test_the_admins_emailed_about_server_errors_are_set_by_environment(value, admins):
    assert settings_of("ADMINS", "SERVER_EMAIL", DJANGO_ADMINS=value) == [
        admins,
        "registry@localhost",  # sent from DJANGO_DEFAULT_FROM_EMAIL, not root@localhost
    ]


@pytest.mark.parametrize(
    "value", ["an@example.org ops@example.org", "Nguyen Van An", "an@example.org, ops@"]
)
def test_admins_that_are_not_email_addresses_stop_every_command_with_one_line(value):
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_ADMINS=value
    )

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert f"DJANGO_ADMINS={value!r} is not a list of email addresses" in result.stderr


@pytest.mark.parametrize("value", ["0", "-60"])
def test_a_session_that_would_end_at_once_is_refused(value):
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_SESSION_COOKIE_AGE=value
    )

    assert result.returncode != 0
    assert f"DJANGO_SESSION_COOKIE_AGE={value!r} is less than 1" in result.stderr


def readme_production_environment():
    """The variables of the README's example production environment: its code block that
    turns debug off."""
    readme = (PROJECT / "README.md").read_text()
    for block in re.findall(r"```(?:sh|ini|env)?\n(.*?)```", readme, flags=re.DOTALL):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        if "DJANGO_DEBUG=false" in lines:
            return dict(line.split("=", 1) for line in lines)
    raise AssertionError("the README has no example production environment")


def test_the_deployment_checklist_finds_nothing_to_fix_in_the_readme_production_example():
    environment = readme_production_environment()
    assert environment["DJANGO_SECRET_KEY"].startswith("<")  # a placeholder, to be replaced
    environment["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr and "issue" not in result.stderr


# Where documents are kept: DJANGO_DOCUMENTS_STORAGE


def test_documents_are_kept_on_the_file_system_by_default():
    assert configured_documents_storage() == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_documents_can_be_kept_in_a_private_bucket_of_s3_compatible_storage():
    storage = configured_documents_storage(
        DJANGO_DOCUMENTS_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="registry-documents",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="ap-southeast-1",
    )

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "registry-documents",
        "https://s3.example.org",
        "ap-southeast-1",
    )
    # Private objects, signed URLs only, nothing overwritten.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["custom_domain"] is None
    assert options["file_overwrite"] is False


def test_a_bucket_that_refuses_acls_is_sent_none():
    storage = configured_documents_storage(
        DJANGO_DOCUMENTS_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="documents", AWS_DEFAULT_ACL="none"
    )

    assert storage["OPTIONS"]["default_acl"] is None
    assert storage["OPTIONS"]["endpoint_url"] is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DJANGO_DOCUMENTS_STORAGE": "ftp"},
            "DJANGO_DOCUMENTS_STORAGE='ftp' is not one of: filesystem, s3.",
        ),
        (
            {"DJANGO_DOCUMENTS_STORAGE": "s3"},
            "DJANGO_DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME",
        ),
        (
            {
                "DJANGO_DOCUMENTS_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "documents",
                "AWS_DEFAULT_ACL": "public-read",
            },
            "AWS_DEFAULT_ACL='public-read' is not one of: private, bucket-owner-full-control",
        ),
    ],
    ids=["unknown-storage", "s3-without-a-bucket", "public-objects"],
)
def test_a_documents_storage_that_cannot_be_used_or_is_public_is_an_error(env, message):
    result = run_documents_manage("check", **env)

    assert result.returncode != 0
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_behind_a_load_balancer_its_addresses_must_be_named():
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_BEHIND_TLS_PROXY="true"
    )

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "DJANGO_BEHIND_TLS_PROXY=true needs DJANGO_TRUSTED_PROXIES" in result.stderr


def test_the_load_balancers_addresses_are_addresses_or_networks():
    named = run_manage(
        "check",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1, 2001:db8::/32",
    )
    mistyped = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_TRUSTED_PROXIES="10.0.0/8"
    )

    assert named.returncode == 0, named.stderr
    assert mistyped.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: '10.0.0/8' is not an IP address or network" in mistyped.stderr


@pytest.mark.parametrize("value", ["lots", "120", "120/fortnight", "0/min", "/min"])
def test_an_api_rate_that_is_not_a_rate_is_an_error(value):
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_API_ANON_RATE=value
    )

    assert result.returncode != 0
    assert f"DJANGO_API_ANON_RATE={value!r} is not a rate" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org/tiles.png",
        "ftp://x/{z}/{x}/{y}",
    ],
)
def test_a_map_tiles_address_without_its_scheme_or_places_is_an_error(value):
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_MAP_TILES_URL=value
    )

    assert result.returncode != 0
    assert f"DJANGO_MAP_TILES_URL={value!r} is not a tile address" in result.stderr


def test_a_map_tiles_address_is_read_and_unset_is_none():
    show = "from django.conf import settings; print(repr(settings.MAP_TILES_URL))"
    url = "https://{s}.tile.example.org/{z}/{x}/{y}.png"

    for env, expected in [({}, "''"), ({"DJANGO_MAP_TILES_URL": url}, repr(url))]:
        result = run_manage(
            "shell", "-c", show, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, **env
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected
