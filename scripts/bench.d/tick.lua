-- One tick per request, as the tally page sends it (at a site of data/horrors.toml).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HORRORS_TOKEN")
wrk.body = '{"horror":"late-delivery","qty":1,"source":"internal","site":"chicago-hub"}'
