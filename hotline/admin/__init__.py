"""Administration pages: users (roles, departments, A/B backups, absence), departments, areas."""
