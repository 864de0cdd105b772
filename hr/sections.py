"""Navigation for My profile and the HR change-request queue."""
