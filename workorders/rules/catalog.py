"""The seeded category codes (stable: API, CLI, SLA policies). Names, default departments and
priorities live in `wo_categories` (seeded by migration wo_0001, admin-editable)."""

CATEGORY_CODES = ("leak", "no_water", "low_pressure", "water_quality", "billing_dispute",
                  "water_theft", "complaint", "enquiry", "connection", "general_enquiry")
# R10: complaints about a unit or a staff member go to the unit concerned.
COMPLAINT_CATEGORIES = ("complaint",)
