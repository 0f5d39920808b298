"""core/contacts."""
