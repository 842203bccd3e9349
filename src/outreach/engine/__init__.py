"""The build: options, targets and fingerprints, planning, executors, staging and the manifest."""
