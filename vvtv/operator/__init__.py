"""The operator's console: live counts and alerts gathered from the other contexts' ports."""
