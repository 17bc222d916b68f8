"""The four roles and the named sets of them that the rules and the console use. Pure: the
rule modules (`workorders.rules`) import it too, so no Flask or SQLAlchemy here."""

from __future__ import annotations

AGENT = "agent"
STAFF = "staff"  # department staff (R14: accept, work and resolve their department's orders)
SUPERVISOR = "supervisor"
ADMIN = "admin"

# Every role, in the order the admin pages list them.
ROLES = (AGENT, STAFF, SUPERVISOR, ADMIN)
EVERYONE = ROLES
# The hotline itself: takes calls, owns the orders it logs (R20), sees every department's
# orders and the customers' files.
HOTLINE = (AGENT, SUPERVISOR, ADMIN)
# Supervision: approves extensions (R15) and long outages (R25), watches the SLA.
SUPERVISION = (SUPERVISOR, ADMIN)
# Who talks to customers and so sees their whole phone numbers (R27).
CUSTOMER_CONTACT = (AGENT, SUPERVISOR)
