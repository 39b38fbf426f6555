"""The settings refuse an unsafe or unreadable configuration, before anything starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def mfa_for_officials(**env):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.MFA_FOR_OFFICIALS)", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]


def test_officials_must_use_two_factor_sign_in_by_default_when_debug_is_off_only():
    assert mfa_for_officials(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50) == "True"
    assert mfa_for_officials(DJANGO_DEBUG="true") == "False"
    assert mfa_for_officials(DJANGO_DEBUG="true", DJANGO_MFA_FOR_OFFICIALS="yes") == "True"
    assert (
        mfa_for_officials(
            DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_MFA_FOR_OFFICIALS="off"
        )
        == "False"
    )


def test_a_two_factor_setting_that_is_not_a_boolean_is_an_error():
    result = run_manage("check", DJANGO_DEBUG="true", DJANGO_MFA_FOR_OFFICIALS="sometimes")

    assert result.returncode != 0
    assert "DJANGO_MFA_FOR_OFFICIALS='sometimes' is not a boolean" in result.stderr
