"""core/progress."""
