// The kiosk's behaviour: idle prompt and wipe, on-screen keyboard (see docs/kiosk.md).
