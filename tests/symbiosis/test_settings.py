"""The settings refuse an unsafe or unreadable configuration, before anything starts."""

import os
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
