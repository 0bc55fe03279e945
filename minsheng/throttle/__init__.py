"""Failed sign-ins and unknown tracking codes, counted in the database so that every web
process sees the same count: the brake on password and tracking-code guessing."""
