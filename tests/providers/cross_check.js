// The payment providers' own libraries, driven by tests/providers/provider_libraries_test.cpp:
//   node cross_check.js REQUESTS.jsonl
// reads one request per line and prints one JSON line per request (same "id"), then {"done": N}:
//   {"op":"stripe.sign", "payload", "secret", "timestamp"}   -> {"header"}   generateTestHeaderString
//   {"op":"stripe.verify", "payload", "header", "secret", "tolerance", "now"}
//                                                            -> {"accepted", "message"}   signature.verifyHeader
//   {"op":"razorpay.verify", "body", "signature", "secret"}  -> {"accepted", "message"}   validateWebhookSignature
//   {"op":"s3.presignGet", S3, "expires"}                   -> {"url"}   s3-request-presigner's getSignedUrl
//   {"op":"s3.put", S3, "bodyHex", "contentType"}            -> {"method", "protocol", "hostname", "port",
//                                                               "path", "query", "headers"}   PutObjectCommand
//   where S3 is "endpoint" (empty: AWS's own), "region", "bucket", "key", "pathStyle", "accessKeyId",
//   "secretAccessKey", "sessionToken" (empty: none) and "now" (unix seconds: the signing time).
// No network: neither library is asked to reach its provider, and the S3 client's request handler
// keeps the request it is given, signed as it would go on the wire, instead of sending it.
'use strict';
const fs = require('fs');
const Stripe = require('stripe');
const Razorpay = require('razorpay');
const {S3Client, GetObjectCommand, PutObjectCommand} = require('@aws-sdk/client-s3');
const {getSignedUrl} = require('@aws-sdk/s3-request-presigner');

const stripe = new Stripe('sk_test_cross_check_no_network');

// Headers the SDK adds for its own telemetry (a random invocation id, the attempt count, its
// version): S3 needs none of them and lms does not send them, so they go before signing.
const kTelemetryHeaders = ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent', 'user-agent'];

class Captured extends Error {}

// An S3 client for one request that sends nothing. Checksums only when an operation requires them
// (PutObject does not): lms's PUT proves its body with x-amz-content-sha256, which S3 checks.
function s3Client(request, sink) {
    const client = new S3Client({
        region: request.region,
        endpoint: request.endpoint || undefined,
        forcePathStyle: request.pathStyle,
        credentials: {
            accessKeyId: request.accessKeyId,
            secretAccessKey: request.secretAccessKey,
            sessionToken: request.sessionToken || undefined,
        },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 1,
        requestHandler: {
            handle: async (httpRequest) => {
                sink.request = httpRequest;
                throw new Captured('captured, not sent');
            },
        },
    });
    client.middlewareStack.addRelativeTo((next) => async (args) => {
        for (const name of kTelemetryHeaders) delete args.request.headers[name];
        return next(args);
    }, {relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'lmsDropTelemetryHeaders'});
    return client;
}

// The signer reads the time from Date.now (getSkewCorrectedDate): it stands still at `now` while
// the request is signed.
async function at(seconds, work) {
    const realNow = Date.now;
    Date.now = () => seconds * 1000;
    try {
        return await work();
    } finally {
        Date.now = realNow;
    }
}

async function run(request) {
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
        case 's3.presignGet': {
            const client = s3Client(request, {});
            const url = await getSignedUrl(client, new GetObjectCommand({Bucket: request.bucket, Key: request.key}),
                                           {expiresIn: request.expires, signingDate: new Date(request.now * 1000)});
            return {url};
        }
        case 's3.put': {
            const sink = {};
            const client = s3Client(request, sink);
            const command = new PutObjectCommand({Bucket: request.bucket, Key: request.key,
                                                  Body: Buffer.from(request.bodyHex, 'hex'),
                                                  ContentType: request.contentType});
            await at(request.now, async () => {
                try {
                    await client.send(command);
                } catch (e) {
                    if (!(e instanceof Captured)) throw e;
                }
            });
            if (!sink.request) throw new Error('the S3 client sent no request');
            const r = sink.request;
            return {method: r.method, protocol: r.protocol, hostname: r.hostname, port: r.port || null, path: r.path,
                    query: r.query, headers: r.headers};
        }
        default:
            throw new Error(`unknown op ${request.op}`);
    }
}

async function main() {
    const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((line) => line !== '');
    for (const line of lines) {
        const request = JSON.parse(line);
        let answer;
        try {
            answer = await run(request);
        } catch (e) {
            if (!request.op.endsWith('.verify')) throw e;
            answer = {accepted: false, message: String(e.message).split('\n')[0]};  // the libraries refuse by throwing
        }
        process.stdout.write(JSON.stringify({id: request.id, ...answer}) + '\n');
    }
    process.stdout.write(JSON.stringify({done: lines.length}) + '\n');
}

main().catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
});
