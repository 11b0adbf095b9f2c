"""The case store: customers, contacts, cases, the hand-off, the working-day clock, the outbox."""
