"""Benefits pages: the employee, the manager chain and HR."""
