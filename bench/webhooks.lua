-- wrk script of `ops/bench http`'s webhooks part: POSTs pre-signed Stripe deliveries, each once.
--
-- wrk -t T ... -s bench/webhooks.lua URL -- FILE T
-- FILE holds one delivery a line, `<Stripe-Signature value>\t<body>` (bench/seed/payments.cpp).
-- Thread k of T (1-based) sends lines k, k+T, k+2T, ...: every line at most once across the run,
-- so that every request is a first delivery of a distinct payment. A thread whose lines run out
-- stops (wrk.thread:stop()): it sends no redelivery, and wrk then counts no request of it for the
-- rest of the run, so its rate is a lower bound; done() says so ("exhausted"), and bench/http.sh
-- reports the round as short of deliveries instead of a rate.
local path = "/api/v1/payments/webhooks/stripe"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  deliveries, sent, exhausted = {}, 0, 0
  local n = 0
  for line in io.lines(file) do
    n = n + 1
    if (n - index) % count == 0 and n >= index then
      local tab = line:find("\t", 1, true)
      deliveries[#deliveries + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
    end
  end
  available = #deliveries
end

local function post(d)
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Stripe-Signature"] = d[1] }, d[2])
end

-- wrk calls the first thread's request() once before it starts, to parse what it returns (the
-- pipeline depth), and never sends that: it gets the first delivery without using it up.
local verified = false

function request()
  if index == 1 and not verified then
    verified = true
    return post(deliveries[1])
  end
  if sent >= available then
    exhausted = 1
    wrk.thread:stop()
    -- Nothing to write: the connection waits for nothing until the thread's loop ends.
    return ""
  end
  sent = sent + 1
  return post(deliveries[sent])
end

function done(summary, latency, requests)
  local handed, available, out = 0, 0, 0
  for _, t in ipairs(threads) do
    handed = handed + t:get("sent")
    available = available + t:get("available")
    out = out + t:get("exhausted")
  end
  io.write(string.format("webhooks.lua: %d distinct deliveries handed to wrk of %d in the file slice; %d of %d threads exhausted\n",
    handed, available, out, #threads))
end
