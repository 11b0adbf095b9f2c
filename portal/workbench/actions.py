"""What staff do to a case: claim, assign, status, updates, notes, complaint stages, merge."""
