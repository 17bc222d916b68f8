"""Console shell: layout, role-based navigation, home pages, language switch, notifications."""
