"""Automated frame checks (issue 16): what the SFU's scores of published cameras do."""
