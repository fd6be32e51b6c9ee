"""Moderation: reports from every context in one queue, the moderators' console, decisions."""
