"""The domain: aggregates, their events and the use cases that decide them."""
