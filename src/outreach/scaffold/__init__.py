"""New projects and items, and the environment check (`outreach init`, `new`, `doctor`)."""
