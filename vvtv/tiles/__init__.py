"""Live tiles (THB-1..6, INV-3/4/10): each viewer's pool of slots over the MediaProvider, granted
as they come into view within the device's budget, released out of view, stepped down on a poor
link, and what it all costs."""
