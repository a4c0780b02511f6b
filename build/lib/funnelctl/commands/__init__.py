"""The commands other than audit: validate, inspect, init (and templates)."""
