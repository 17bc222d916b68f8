"""Turns the pure menu decisions into TwiML in the caller's language."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from flask import Response, current_app
from flask_babel import force_locale, get_translations
from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.telephony.speech import voice_of  # noqa: F401 (also used via ivr.twiml)
from ivr.menus import Line, Term

BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}


def catalog(language: str):
    """The merged translations of one IVR language, loaded once per app (prompts are
    rendered on every webhook; looking the catalog up per line was most of their cost)."""
    cache = current_app.extensions.setdefault("ivr.catalogs", {})
    if language not in cache:
        with force_locale(BABEL_LOCALES[language]):
            cache[language] = get_translations()
    return cache[language]


def text(message: str, language: str, **params: object) -> str:
    translated = catalog(language).gettext(message)
    return translated % params if params else translated


def translate(line: Line, language: str) -> str:
    spoken = line.language or language
    params = {key: text(value.message, spoken) if isinstance(value, Term) else value
              for key, value in line.params.items()}
    return text(line.message, spoken, **params)


def say(target: VoiceResponse | Gather, lines: Iterable[Line], language: str) -> None:
    """One `<Say>` per run of lines in the same language (the English hint gets its own)."""
    run: list[str] = []
    run_language = None
    for line in lines:
        spoken = line.language or language
        if run and spoken != run_language:
            target.say(" ".join(run), **voice_of(run_language))
            run = []
        run_language = spoken
        run.append(translate(line, language))
    if run:
        target.say(" ".join(run), **voice_of(run_language))


def url(path: str, **params: object) -> str:
    """A path with its query; Twilio resolves it against the URL it called."""
    query = {k: v for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(query)}" if query else path


def gather(response: VoiceResponse, lines: Iterable[Line], language: str, action: str, *,
           num_digits: int | None = 1, finish_on_key: str | None = None,
           timeout: int = 6) -> None:
    """Ask for keys; without input Twilio falls through to the Redirect to the same action,
    which sees no Digits and counts a retry."""
    kwargs = {"input": "dtmf", "action": action, "method": "POST", "timeout": timeout}
    if num_digits:
        kwargs["num_digits"] = num_digits
    if finish_on_key:
        kwargs["finish_on_key"] = finish_on_key
    g = response.gather(**kwargs)
    say(g, lines, language)
    response.redirect(action, method="POST")


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")

