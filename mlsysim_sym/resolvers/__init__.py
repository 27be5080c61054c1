"""MLSys·im-compatible resolvers: thin facades that bind a scenario, evaluate the walls, package a result."""
