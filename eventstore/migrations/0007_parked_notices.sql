-- Provider notices the payments processor could not yet match to a payment (a Stripe refund of a
-- PaymentIntent whose completion has not arrived): processor state, not a read model, since
-- which notices are waiting depends on when they were processed, not only on the events. A
-- notice leaves when the payment it names gains that provider payment id.
CREATE TABLE lms_parked_notices (
    webhook_stream       text PRIMARY KEY,
    provider             text NOT NULL,
    provider_payment_id  text NOT NULL,
    provider_ref         text NOT NULL,
    parked_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lms_parked_notices_payment ON lms_parked_notices (provider, provider_payment_id);
CREATE INDEX lms_parked_notices_ref ON lms_parked_notices (provider, provider_ref);
