"""The durable job queue shared by the bot and every engine: database, jobs with leases, the worker."""
