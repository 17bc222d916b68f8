"""The app's request class. Url-encoded forms (every Twilio webhook, most console posts)
are parsed in one pass over the cached body: werkzeug's general parser (stream wrappers,
limits, multipart dispatch) took four times as long as the parse on the voice URL."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Request

URLENCODED = "application/x-www-form-urlencoded"


class HotlineRequest(Request):
    def _load_form_data(self) -> None:
        if "form" in self.__dict__ or self.mimetype != URLENCODED:
            return super()._load_form_data()
        # get_data reads through werkzeug's limited stream: max_content_length still holds.
        body = self.get_data(cache=True)
        try:
            items = parse_qsl(body.decode(), keep_blank_values=True,
                              errors="werkzeug.url_quote")
        except ValueError:  # not UTF-8: an empty form, as werkzeug's silent parser gives
            items = []
        self.__dict__["form"] = self.parameter_storage_class(items)
        self.__dict__["files"] = self.parameter_storage_class()
