// Placeholder; the routing helper replaces this file.
