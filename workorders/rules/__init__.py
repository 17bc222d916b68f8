"""Pure work-order rules: no Flask, no SQLAlchemy, unit-tested without an app."""
