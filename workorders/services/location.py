"""Where the crew was when it reported on site (R16, R17), from the browser's geolocation
with the person's consent. Kept on the `arrive` event: latitude and longitude (WGS 84
degrees, rounded to about a metre) and the browser's accuracy radius in metres. Without
consent, or on a phone that cannot tell, the arrival still counts and the event says why
there is no location."""

from __future__ import annotations

from hotline.errors import ValidationFailed
from workorders.i18n import gettext as _

# Why an arrival has no location: the person said no (to the form's box or the browser's
# prompt), or the phone could not tell in time.
MISSING = ("not_shared", "denied", "unavailable")


def location_payload(params: dict) -> dict:
    """The `arrive` event's location part: {"location": {lat, lon, accuracy_m}} or
    {"location": None, "location_missing": why}. Half a position is refused."""
    lat, lon, accuracy = (params.get(k) for k in ("latitude", "longitude", "accuracy"))
    given = [v is not None for v in (lat, lon)]
    if any(given) and not all(given):
        raise ValidationFailed(_("A location needs both latitude and longitude."),
                               fields={"latitude" if lat is None else "longitude": "required"})
    if not any(given):
        why = params.get("location_missing")
        return {"location": None, "location_missing": why if why in MISSING else "unavailable"}
    problems = {}
    if not -90 <= lat <= 90:
        problems["latitude"] = "between -90 and 90"
    if not -180 <= lon <= 180:
        problems["longitude"] = "between -180 and 180"
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        problems["accuracy"] = "metres, 0 to 100000"
    if problems:
        raise ValidationFailed(_("The location is not a position on Earth."), fields=problems)
    return {"location": {"lat": round(float(lat), 6), "lon": round(float(lon), 6),
                         "accuracy_m": round(float(accuracy)) if accuracy is not None
                         else None}}
