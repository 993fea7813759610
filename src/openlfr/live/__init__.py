"""The live pipeline: camera sources to alerts (being built: sources first)."""
