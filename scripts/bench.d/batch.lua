-- 100 ticks per request, as an offline device syncing its queue.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HORRORS_TOKEN")
local items = {}
for i = 1, 100 do items[i] = '{"horror":"damaged-package","source":"complaint","site":"memphis"}' end
wrk.body = '{"ticks":[' .. table.concat(items, ",") .. ']}'
