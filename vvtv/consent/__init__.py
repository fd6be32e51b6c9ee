"""The consent context: private-call invites and their handshake (CNS-1..6)."""
