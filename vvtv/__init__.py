"""VVTV: the 24/7 channel and the live social modes, served by one trio process."""
