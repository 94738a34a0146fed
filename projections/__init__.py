"""Event handlers that keep the read models current, and the sagas."""
