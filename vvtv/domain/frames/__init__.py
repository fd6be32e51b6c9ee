"""Automated frame checks (issue 16): when a published camera's frame is checked (schedule) and
what a classifier's score does (verdict). Pure: no IO, no clock of its own."""
