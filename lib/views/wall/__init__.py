"""Wall display page pieces (SPEC M4 4.7): link access and the rotating panels."""
