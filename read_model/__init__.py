"""Read models: SQL and Redis views of the events, and the queries the API calls."""
