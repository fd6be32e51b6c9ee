"""Random's matching (MAT-1..5, ABU-1..7, INV-5) as a pure `decide(book, message, rules)`: the
queue's segments and who may meet whom, each user's anti-abuse ledger, and the matches made."""
