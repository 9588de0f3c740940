-- Authenticated GET of the path given to wrk.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HORRORS_TOKEN")
