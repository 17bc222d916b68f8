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
