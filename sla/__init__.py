"""The SLA engine: working-day calendar, policies, deadline math, deadline rows, the watch,
the 12-second service level and the clock process. Never imports workorders or ivr."""
