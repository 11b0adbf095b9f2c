"""Reception kiosk mode: its own layout and flow over the portal's search, forms and hand-off (to come)."""
