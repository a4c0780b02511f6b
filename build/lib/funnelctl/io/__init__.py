"""Reading user files into canonical frames, with every unusable row in a rejects ledger."""
