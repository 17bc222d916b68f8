"""Twilio request signature validation and call-status/queue/SMS status callbacks, stored
idempotently."""
