"""In-console notifications (alerts for supervisors, departments and owners), each stored once."""
