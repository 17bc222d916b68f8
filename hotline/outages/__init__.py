"""Outage notices (R25, R26): planned and emergency interruptions, visible to every unit and
announced by the IVR."""
