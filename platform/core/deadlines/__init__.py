"""core/deadlines."""
