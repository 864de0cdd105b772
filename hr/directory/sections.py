"""Navigation for the directory, org chart and My team (registered from HrConfig.ready)."""
