"""Adapters implementing write_model.ports with real libraries: one module per port."""
