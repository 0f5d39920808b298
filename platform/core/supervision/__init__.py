"""Supervision: the figures a supervising department reads (on-time rates, escalations,
violations, callbacks), kept as incremental roll-ups, and what is built on them."""
