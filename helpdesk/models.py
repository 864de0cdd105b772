"""Models arrive with this app's feature work; the app is installed from the start."""
