"""Facts about a module, computed once per file and shared by every rule."""
