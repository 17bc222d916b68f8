"""One telephony adapter for outbound SMS and calls: Twilio's REST client in production, a
local outbox (stored and shown in the console) by default. Messages are written to the
outbox table inside the business transaction and sent by the delivery worker."""
