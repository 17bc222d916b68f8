from tests.ivr.conftest import make_caller, twilio_post  # noqa: F401  (shared fixtures)
