"""Page extraction that works on layouts it was never shown: discovery, label maps, value parsing."""
