"""Sagas: events that ask for work outside the event store, done once, retried, never lost."""
