"""The Open311 GeoReport v2 server: partner apps (FixMyStreet and the like) read the council's catalogue,
report problems and follow their cases. See docs/open311.md."""
