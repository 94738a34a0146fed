"""Read models stored in Redis: a cache, never the only copy."""
