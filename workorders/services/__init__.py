"""Work-order services: each takes a session and `now`; the caller commits once."""
