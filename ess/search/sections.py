"""Navigation entries for search, its knowledge gaps and analytics."""
