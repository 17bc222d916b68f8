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
