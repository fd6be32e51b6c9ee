"""Random's matching (MAT-1..5, ABU-1..7): one actor owns every segment of the queue and decides
who meets whom; the orchestrator makes each match's call (MAT-2)."""
