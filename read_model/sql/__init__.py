"""Read models stored in PostgreSQL (schema `read`)."""
