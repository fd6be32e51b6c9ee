"""HTTP and WebSocket adapters: the app factory, routing with schemas and guards, error mapping."""
