"""The directory (R30): areas, departments and customer accounts (one household, one file)."""
