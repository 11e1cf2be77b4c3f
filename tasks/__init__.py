"""The worker side of Courier: the procrastinate task and the handler of each job kind."""
