"""Voice flows: TwiML menus, self-service look-ups, the queue with callback offer, agent
connect; `Call` and `CallbackRequest` records."""
