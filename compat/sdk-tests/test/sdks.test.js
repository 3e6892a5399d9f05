// Runs the Flexprice, Lago and OpenMeter SDKs, unchanged, against a real
// `tally serve`. Started by cmd/tally's TestCompatSDKs, which creates the
// tenant and passes:
//   TALLY_URL         the server's base URL
//   TALLY_KEY         an admin key of the tenant
//   TALLY_INGEST_KEY  an ingest key of the tenant
//   TALLY_SUBS        JSON {"fp"|"lg"|"om": subscription id}; their customers
//                     are cus-fp, cus-lg, cus-om, their external ids sub-fp,
//                     sub-lg, sub-om; plan "metered" bills meter "tokens"
//                     (sum of "tokens" of event "llm.usage").
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Flexprice } from "@flexprice/sdk";
import { Client as LagoClient } from "lago-javascript-client";
import { OpenMeter } from "@openmeter/sdk";

const url = process.env.TALLY_URL;
const key = process.env.TALLY_KEY;
const ingestKey = process.env.TALLY_INGEST_KEY;
const subs = JSON.parse(process.env.TALLY_SUBS ?? "{}");
if (!url || !key || !ingestKey) throw new Error("TALLY_URL, TALLY_KEY and TALLY_INGEST_KEY must be set (run through go test ./cmd/tally -run TestCompatSDKs)");

// The one line each app changes: the base URL.
const flexprice = new Flexprice({ serverURL: `${url}/v1`, apiKeyAuth: ingestKey });
const lago = LagoClient(ingestKey, { baseUrl: `${url}/api/v1` });
const lagoAdmin = LagoClient(key, { baseUrl: `${url}/api/v1` });
const openmeter = new OpenMeter({ baseUrl: url, apiKey: ingestKey });
const openmeterAdmin = new OpenMeter({ baseUrl: url, apiKey: key });

// proposedQuantity is what Tally's proposed invoice bills for tokens.
async function proposedQuantity(sub) {
  const res = await fetch(`${url}/v1/subscriptions/${sub}/proposed_invoice`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  const inv = await res.json();
  const line = inv.lines.find((l) => l.meter === "tokens");
  return line.quantity;
}

const run = randomUUID().slice(0, 8);

test("Flexprice: single, bulk, resend once, bad event raises, usage", async () => {
  const single = await flexprice.events.ingestEvent({ eventId: `fp-${run}-1`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "100" } });
  assert.equal(single.event_id, `fp-${run}-1`);
  await flexprice.events.ingestEvent({ eventId: `fp-${run}-1`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "100" } });
  await flexprice.events.ingestEventsBulk({
    events: [
      { eventId: `fp-${run}-2`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "10" } },
      { eventId: `fp-${run}-3`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "20" }, timestamp: new Date(Date.now() - 1000).toISOString() },
      { eventId: `fp-${run}-1`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "100" } },
    ],
  });
  await assert.rejects(
    flexprice.events.ingestEvent({ eventId: `fp-${run}-bad`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "lots" } }),
    (err) => { assert.match(String(err.message), /tokens/); return true; },
  );
  await assert.rejects(flexprice.events.ingestEventsBulk({ events: [{ eventId: `fp-${run}-bad2`, eventName: "llm.usage", externalCustomerId: "cus-fp", properties: { tokens: "lots" } }] }));
  assert.equal(await proposedQuantity(subs.fp), "130");
});

test("Lago: single, batch, resend once, bad event raises, current_usage", async () => {
  const ts = Math.floor(Date.now() / 1000) - 5;
  const one = await lago.events.createEvent({ event: { transaction_id: `lg-${run}-1`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: ts, properties: { tokens: 100 } } });
  assert.equal(one.data.event.transaction_id, `lg-${run}-1`);
  await lago.events.createEvent({ event: { transaction_id: `lg-${run}-1`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: ts, properties: { tokens: 100 } } });
  const batch = await lago.events.createBatchEvents({
    events: [
      { transaction_id: `lg-${run}-2`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: `${ts}.250`, properties: { tokens: 10 } },
      { transaction_id: `lg-${run}-3`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: ts, properties: { tokens: 20 } },
    ],
  });
  assert.equal(batch.data.events.length, 2);
  // A batch whose events are all rejected is an error, never a silent success.
  await assert.rejects(
    lago.events.createBatchEvents({ events: [{ transaction_id: `lg-${run}-bad`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: ts, properties: { tokens: "lots" } }] }),
    (res) => { assert.equal(res.status, 422); assert.equal(res.error.code, "validation_errors"); assert.ok(res.error.error_details["0"]); return true; },
  );
  // A partly rejected batch says which.
  await assert.rejects(
    lago.events.createBatchEvents({
      events: [
        { transaction_id: `lg-${run}-4`, external_subscription_id: "sub-lg", code: "llm.usage", timestamp: ts, properties: { tokens: 1 } },
        { transaction_id: `lg-${run}-5`, external_subscription_id: "no-such-sub", code: "llm.usage", timestamp: ts, properties: { tokens: 1 } },
      ],
    }),
    (res) => { assert.equal(res.status, 422); assert.deepEqual(Object.keys(res.error.error_details), ["1"]); return true; },
  );
  const usage = await lagoAdmin.customers.findCustomerCurrentUsage("cus-lg", { external_subscription_id: "sub-lg" });
  const cu = usage.data.customer_usage;
  const charge = cu.charges_usage.find((c) => c.billable_metric.code === "tokens");
  const q = await proposedQuantity(subs.lg);
  assert.equal(q, "131");
  assert.equal(charge.units, q);
  assert.equal(cu.amount_cents, 131); // 0.01 USD per token
});

test("OpenMeter: single, batch, resend once, bad event raises, meter query", async () => {
  const time = new Date(Date.now() - 5000);
  await openmeter.events.ingest({ id: `om-${run}-1`, type: "llm.usage", subject: "cus-om", time, data: { tokens: 100 } });
  await openmeter.events.ingest([
    { id: `om-${run}-1`, type: "llm.usage", subject: "cus-om", time, data: { tokens: 100 } },
    { id: `om-${run}-2`, type: "llm.usage", subject: "cus-om", time, data: { tokens: 10 } },
    { id: `om-${run}-3`, type: "llm.usage", subject: "cus-om", time, data: { tokens: 20 } },
  ]);
  await assert.rejects(
    openmeter.events.ingest({ id: `om-${run}-bad`, type: "llm.usage", subject: "cus-om", time, data: { tokens: "lots" } }),
    (err) => { assert.equal(err.name, "HTTPError"); assert.equal(err.status, 400); assert.match(err.message, /data\.tokens/); return true; },
  );
  const q = await proposedQuantity(subs.om);
  assert.equal(q, "130");
  const inv = await (await fetch(`${url}/v1/subscriptions/${subs.om}/proposed_invoice`, { headers: { Authorization: `Bearer ${key}` } })).json();
  const line = inv.lines.find((l) => l.meter === "tokens");
  const res = await openmeterAdmin.meters.query("tokens", { from: new Date(line.period_start), to: new Date(), subject: ["cus-om"] });
  assert.equal(res.data.length, 1);
  assert.equal(String(res.data[0].value), q);
  const post = await openmeterAdmin.meters.queryPost("tokens", { from: new Date(line.period_start).toISOString(), to: new Date().toISOString(), subject: ["cus-om"], windowSize: "DAY" });
  assert.equal(post.data.reduce((s, r) => s + Number(r.value), 0), 130);
});
