"""What a build is asked to make: the options of one run and the targets it plans (shared by the engine, the output kinds, the CLI, the preview and publishing)."""
