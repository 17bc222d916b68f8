"""What callers hear about recordings, as pure prompt lines (no Flask, no SQLAlchemy):
the notice before the queue on a recorded line, and the spoken description a voicemail
caller may add (`<Gather input="speech">`; Twilio's `<Record transcribe>` is not a
Mandarin service, TWILIO-NOTES)."""

from __future__ import annotations

from ivr.menus import Line, _


def recording_notice() -> list[Line]:
    return [Line(_("To improve our service, your call may be recorded."))]


def ask_spoken_description() -> list[Line]:
    return [Line(_("If you wish, say in one sentence what happened and where, "
                   "then stay on the line."))]


def description_noted() -> list[Line]:
    return [Line(_("Thank you, we have noted your description."))]
