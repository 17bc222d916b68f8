"""Users, roles, login with lockout, API bearer tokens and department-scoping helpers."""
