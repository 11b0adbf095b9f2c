"""The reception kiosk: a touchscreen mode over the same search, knowledge base, forms and hand-off."""
