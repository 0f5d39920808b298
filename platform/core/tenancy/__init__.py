"""core/tenancy."""
