"""Production adapter: Twilio's REST client. Errors become DeliveryError so the outbox can
record them and retry transient ones with backoff."""

from __future__ import annotations

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.telephony.adapter import DeliveryError


# Seconds to wait for Twilio's REST API (TWILIO_HTTP_TIMEOUT_SECONDS): a hung request must
# not stall the delivery worker. A timeout is transient: the message is retried with backoff.
DEFAULT_TIMEOUT = 10.0


class TwilioAdapter:
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, http_client=None,
                 sms_status_callback: str = "", timeout: float = DEFAULT_TIMEOUT):
        if timeout <= 0:
            raise ValueError("the Twilio HTTP timeout must be a positive number of seconds")
        http_client = http_client or TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        # Where Twilio reports a message's fate after accepting it (failed, undelivered).
        self.sms_status_callback = sms_status_callback

    def send_sms(self, to: str, body: str) -> str:
        extra = {"status_callback": self.sms_status_callback} if self.sms_status_callback else {}
        return self._call(lambda: self.client.messages.create(
            to=to, from_=self.from_number, body=body, **extra).sid)

    def place_call(self, to: str, url: str) -> str:
        return self._call(lambda: self.client.calls.create(
            to=to, from_=self.from_number, url=url).sid)

    @staticmethod
    def _call(send) -> str:
        try:
            return send()
        except TwilioRestException as err:
            # 4xx (bad number, unverified, blocked) will fail the same way again; 429 and
            # 5xx are Twilio being busy, worth another try.
            permanent = 400 <= err.status < 500 and err.status != 429
            raise DeliveryError(err.msg or str(err), permanent=permanent,
                                code=err.code) from err
        except (TwilioException, OSError) as err:
            # OSError covers requests' ConnectTimeout/ReadTimeout and refused connections.
            raise DeliveryError(str(err) or type(err).__name__, permanent=False) from err
