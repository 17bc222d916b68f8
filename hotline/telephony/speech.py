"""How TwiML `<Say>` speaks each caller language (voice and language pairs from settings;
a wrong pair fails the `<Say>`, TWILIO-NOTES, TwiML)."""

from __future__ import annotations

from flask import current_app


def voice_of(language: str) -> dict[str, str]:
    """`<Say>` keyword arguments for "zh" (Mandarin) or "en"."""
    config = current_app.config
    if language == "en":
        return {"language": config["IVR_SAY_LANGUAGE_EN"], "voice": config["IVR_VOICE_EN"]}
    return {"language": config["IVR_SAY_LANGUAGE_ZH"], "voice": config["IVR_VOICE_ZH"]}
