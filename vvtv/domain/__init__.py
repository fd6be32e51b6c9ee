"""Pure rules: state machines and policies as plain functions over msgspec Structs.

No IO, no trio, no clock reads: every input arrives as an argument."""
