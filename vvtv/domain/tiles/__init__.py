"""Live tiles (THB-1..6, INV-4) as pure rules: one viewer's pool of slots and what it shows
(`viewer`), the step down and back up of a poor link (`quality`), and the cost of it (`cost`)."""
