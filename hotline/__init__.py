"""Hotline: the application shell and shared core (config, database, clock, auth, directory,
outages, telephony adapter, console layout, REST API registration and the `hotline` CLI).
The app is built by `hotline.app.create_app`; importing a core module loads nothing else."""
