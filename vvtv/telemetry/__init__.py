"""Telemetry: the events of `config/telemetry-events.yaml`, checked, sampled and counted."""
