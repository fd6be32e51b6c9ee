"""Media: the MediaProvider port (MED-1/2, `port`), its errors (`errors`) and its adapters — the
local SFU, a fake for tests — plus TURN REST credentials. The session orchestrator knows the port
and the errors, never an adapter (import-linter's MED-2)."""
