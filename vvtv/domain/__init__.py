"""Pure rules: state machines and policies as plain functions over msgspec Structs (no IO, no trio)."""
