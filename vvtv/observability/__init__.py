"""Metrics, health and (later) the audit log: what lets one operator see the whole process."""
