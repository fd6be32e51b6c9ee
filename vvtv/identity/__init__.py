"""Identity: accounts, login sessions and tokens, roles, flags, blocks, bans and the guard."""
