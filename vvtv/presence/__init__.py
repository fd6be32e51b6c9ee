"""Presence (PRS-1..5): one room actor per ecosystem over the pure rules of
`vvtv.domain.presence`, woken by one timer task only while it holds someone."""
