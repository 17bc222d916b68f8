"""Work orders: categories, routing, the state machine, dispatch, first-contact ownership,
audit events, clusters and duplicates, follow-ups; their API and console pages."""
