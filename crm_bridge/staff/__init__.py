"""Staff accounts: who may sign in to the workbench, with which role, and what each role may do."""
