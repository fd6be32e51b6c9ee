"""The LAB agent: planner, fetcher, QA, queue and HLS transmitter for the 24/7 channel."""
