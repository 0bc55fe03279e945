"""minsheng (民生): residents' requests about public services, tracked to a rated close."""
