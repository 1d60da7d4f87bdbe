// The payment providers' own libraries, driven by tests/providers/provider_libraries_test.cpp:
//   node cross_check.js REQUESTS.jsonl
// reads one request per line and prints one JSON line per request (same "id"), then {"done": N}:
//   {"op":"stripe.sign", "payload", "secret", "timestamp"}   -> {"header"}   generateTestHeaderString
//   {"op":"stripe.verify", "payload", "header", "secret", "tolerance", "now"}
//                                                            -> {"accepted", "message"}   signature.verifyHeader
//   {"op":"razorpay.verify", "body", "signature", "secret"}  -> {"accepted", "message"}   validateWebhookSignature
// No network: neither library is asked to reach its provider.
'use strict';
const fs = require('fs');
const Stripe = require('stripe');
const Razorpay = require('razorpay');

const stripe = new Stripe('sk_test_cross_check_no_network');

function run(request) {
    switch (request.op) {
        case 'stripe.sign':
            return {
                header: stripe.webhooks.generateTestHeaderString({
                    payload: request.payload,
                    secret: request.secret,
                    timestamp: request.timestamp,
                }),
            };
        case 'stripe.verify':
            // receivedAt (milliseconds) stands in for the clock, so that both sides judge the same "now".
            stripe.webhooks.signature.verifyHeader(request.payload, request.header, request.secret, request.tolerance,
                                                   undefined, request.now * 1000);
            return {accepted: true, message: ''};
        case 'razorpay.verify':
            return {accepted: Razorpay.validateWebhookSignature(request.body, request.signature, request.secret),
                    message: ''};
        default:
            throw new Error(`unknown op ${request.op}`);
    }
}

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((line) => line !== '');
for (const line of lines) {
    const request = JSON.parse(line);
    let answer;
    try {
        answer = run(request);
    } catch (e) {
        if (request.op === 'stripe.sign') throw e;
        answer = {accepted: false, message: String(e.message).split('\n')[0]};  // the libraries refuse by throwing
    }
    process.stdout.write(JSON.stringify({id: request.id, ...answer}) + '\n');
}
process.stdout.write(JSON.stringify({done: lines.length}) + '\n');
