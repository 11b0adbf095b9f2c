"""Staff sign-in, and the permission check every staff route carries."""
