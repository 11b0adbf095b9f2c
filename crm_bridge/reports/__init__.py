"""Managers' reports (docs/metrics.md, docs/reports.md): every figure counted from the contacts, cases,
ratings, check-ins and search logs the product already records, with aggregate queries.

- metrics.py: the definitions, as plain functions over counts (no Flask, no database).
- queries.py: the aggregate queries that count for a period and filters.
- tallies.py: the daily contact tally the contact figures are read from, kept in step and rebuilt.
- dashboard.py: the dashboard for a period, compared with the previous period and the targets.
- published.py: the public "Our performance" figures (complaints by quarter).
"""
