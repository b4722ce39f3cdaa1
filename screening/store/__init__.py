"""The results store: every calculation keyed by content, computed once."""
