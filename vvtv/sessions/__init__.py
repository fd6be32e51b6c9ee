"""The sessions context (SES-1..12): one actor per session over `vvtv.domain.sessions`, the
orchestrator that creates, transitions and ends them, their store and their routes."""
