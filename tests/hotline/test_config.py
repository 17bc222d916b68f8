import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import config
from hotline.logging import mask_phone


def test_production_refuses_default_secrets(tmp_path):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load(str(tmp_path), {"HOTLINE_ENV": "production"})


def test_production_with_secrets_loads(tmp_path):
    loaded = config.load(str(tmp_path), {
        "HOTLINE_ENV": "production", "SECRET_KEY": "s3cret-value", "TWILIO_AUTH_TOKEN": "tok",
        "HOTLINE_PUBLIC_URL": "https://hotline.example.org"})
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_instance_file_and_environment(tmp_path, monkeypatch):
    (tmp_path / "hotline.cfg").write_text('HOTLINE_TIMEZONE = "Asia/Urumqi"\n')
    assert config.load(str(tmp_path))["HOTLINE_TIMEZONE"] == "Asia/Urumqi"
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Europe/Berlin")
    assert config.load(str(tmp_path))["HOTLINE_TIMEZONE"] == "Europe/Berlin"


def test_database_url_normalised():
    assert config.normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_logs_never_carry_full_phone_numbers():
    line = mask_phone("call from +8613912345678 to 010-12345678")
    assert "13912345678" not in line
    assert "+861" in line and "78" in line


def test_environment_values_keep_their_type(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CLUSTER_SIZE", "4")
    monkeypatch.setenv("HOTLINE_CLOCK_TICK_SECONDS", "0.5")
    monkeypatch.setenv("HOTLINE_PROXY_FIX", "false")
    loaded = config.load(str(tmp_path))
    assert loaded["HOTLINE_CLUSTER_SIZE"] == 4 and isinstance(loaded["HOTLINE_CLUSTER_SIZE"], int)
    assert loaded["HOTLINE_CLOCK_TICK_SECONDS"] == 0.5
    assert loaded["HOTLINE_PROXY_FIX"] is False


def test_a_malformed_environment_value_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CLUSTER_SIZE", "three")
    with pytest.raises(config.ConfigError, match="HOTLINE_CLUSTER_SIZE must be a whole number"):
        config.load(str(tmp_path))


def test_unknown_telephony_mode_is_refused_everywhere(tmp_path):
    with pytest.raises(config.ConfigError, match="HOTLINE_TELEPHONY must be one of"):
        config.load(str(tmp_path), {"HOTLINE_TELEPHONY": "twillio"})


def test_twilio_mode_refuses_placeholder_credentials(tmp_path):
    with pytest.raises(config.ConfigError) as refused:
        config.load(str(tmp_path), {"HOTLINE_TELEPHONY": "twilio"})
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER"):
        assert key in str(refused.value)


def test_a_refusal_to_start_is_one_plain_line(tmp_path):
    env = {**os.environ, "HOTLINE_ENV": "production", "HOTLINE_INSTANCE_PATH": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([str(Path(sys.executable).parent / "hotline"), "db", "current"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SECRET_KEY must be set" in lines[0], result.stderr


def test_every_setting_is_in_the_readme():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"README's configuration table lacks {missing}"


# Keys the framework or the app sets itself, or tests inject (not operator settings).
INTERNAL = {"TESTING", "CLOCK", "TELEPHONY_ADAPTER", "TWILIO_HTTP_CLIENT", "INSTANCE_PATH",
            "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "WTF_CSRF_ENABLED",
            "WTF_CSRF_CHECK_DEFAULT", "BABEL_TRANSLATION_DIRECTORIES", "SESSION_COOKIE_SECURE",
            "REMEMBER_COOKIE_SECURE", "SERVER_NAME", "API_TITLE", "API_VERSION",
            "OPENAPI_VERSION", "OPENAPI_URL_PREFIX", "OPENAPI_JSON_PATH",
            "BABEL_DEFAULT_LOCALE", "BABEL_DEFAULT_TIMEZONE", "API_SPEC_OPTIONS"}


def test_every_key_the_code_reads_is_declared_in_one_place():
    """Configuration lives in hotline/config.py: no package reads an undeclared key."""
    root = Path(__file__).parents[2]
    pattern = re.compile(r"config(?:\[|\.get\(|\.setdefault\()\s*\"([A-Z][A-Z0-9_]+)\"")
    used = {}
    for package in ("hotline", "ivr", "webhooks", "workorders", "sla"):
        for path in (root / package).rglob("*.py"):
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                used.setdefault(name, str(path.relative_to(root)))
    undeclared = {k: v for k, v in used.items()
                  if k not in config.BY_NAME and k not in INTERNAL and k not in config.FIXED}
    assert not undeclared, f"declare these in hotline/config.py SETTINGS: {undeclared}"


def test_outbox_and_twilio_timings_are_numbers(tmp_path, monkeypatch):
    loaded = config.load(str(tmp_path))
    assert (loaded["OUTBOX_POLL_SECONDS"], loaded["OUTBOX_CLAIM_SECONDS"],
            loaded["TWILIO_HTTP_TIMEOUT_SECONDS"]) == (1.0, 120.0, 10.0)
    monkeypatch.setenv("TWILIO_HTTP_TIMEOUT_SECONDS", "4.5")
    assert config.load(str(tmp_path))["TWILIO_HTTP_TIMEOUT_SECONDS"] == 4.5
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "soon")
    with pytest.raises(config.ConfigError, match="OUTBOX_POLL_SECONDS"):
        config.load(str(tmp_path))


def test_a_claim_must_outlast_a_twilio_request(tmp_path):
    with pytest.raises(config.ConfigError, match="OUTBOX_CLAIM_SECONDS must exceed"):
        config.load(str(tmp_path), {"OUTBOX_CLAIM_SECONDS": 10,
                                    "TWILIO_HTTP_TIMEOUT_SECONDS": 10})
    with pytest.raises(config.ConfigError, match="TWILIO_HTTP_TIMEOUT_SECONDS must be more"):
        config.load(str(tmp_path), {"TWILIO_HTTP_TIMEOUT_SECONDS": 0})
