"""Demo data: a believable small water utility (`hotline demo load`).

Later packages add their own demo records with a loader registered in their plugin:

    registry(app).add_demo_loader("workorders", load_demo_orders)  # fn(session, now)

Loaders run in registration order after the core data (areas, departments, users,
customers, outages) inside the same transaction, and must be idempotent: `demo load` may
run on every `make run` (see hotline.registry.DemoLoader).
"""
