"""Live cost and the kill-switch ladder (TEL-4, INV-7, THB-6): what the product sends, per mode,
estimated and measured, and the steps it takes down when that passes the ceiling."""
