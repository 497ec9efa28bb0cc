#!/usr/bin/env node
// rule_bench.js — evaluations per second of orderpilot's reference rule in JS rule engines.
//
// Usage: node rule_bench.js [N] [JRE_N] [PASSES]
//   N       orders to generate and evaluate (default 1000000)
//   JRE_N   orders json-rules-engine is timed over (default min(N, 100000)): it is async and
//           about two orders of magnitude slower than the others, so it runs on the first JRE_N.
//   PASSES  timed passes per peer after the checked warm-up; the fastest is reported (default 3,
//           as bench/rule_bench.cc does for the C++ side).
//
// The rule, clauses in this order with short-circuit:
//   total > 500.00 && "VIP" in customer.tags && shipping_address.country_code in RULE_COUNTRIES
//   && some line item has quantity > 10
//
// The orders are exactly those of bench/rule_orders.h (MakeRuleBenchOrders, seed 42; see that
// header for the generator's definition), shaped like orderpilot's canonical JSON except that
// money is a JS number in dollars. The printed checksum and match count must equal the C++ ones.
//
// Output, one line each, machine-readable key=value:
//   data n=... seed=42 checksum=<16 hex> matched=...
//   peer=<name> evals_per_sec=... matched=... n=... seconds=... [note=...]   (the fastest pass)
// Every peer's result is compared order by order with plain-js in its warm-up pass; a mismatch
// exits with status 1.
'use strict';

const jsonLogic = require('json-logic-js');
const {Engine} = require('json-rules-engine');
const cel = require('@marcbachmann/cel-js');  // ESM package; Node >= 20.19 can require() it

const SEED = 42;
let PASSES = 3;

// kCountryPool of rule_orders.cc: the first 20 are the rule's countries.
const COUNTRY_POOL = [
  'US', 'CA', 'GB', 'DE', 'FR', 'IT', 'ES', 'NL', 'BE', 'AT', 'CH', 'SE', 'NO', 'DK',
  'FI', 'IE', 'PT', 'AU', 'NZ', 'JP', 'BR', 'MX', 'AR', 'CL', 'CO', 'PE', 'IN', 'CN',
  'KR', 'SG', 'MY', 'TH', 'ID', 'PH', 'VN', 'ZA', 'NG', 'EG', 'TR', 'PL',
];
const RULE_COUNTRIES = COUNTRY_POOL.slice(0, 20);
const TAG_POOL = [
  'VIP', 'wholesale', 'newsletter', 'returning', 'b2b',
  'employee', 'influencer', 'first-order', 'gift', 'loyalty',
];

// mulberry32 on uint32, bit-identical to rule_orders.cc.
function mulberry32(seed) {
  let s = seed >>> 0;
  return function next() {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
    t = (t ^ ((t + Math.imul(t ^ (t >>> 7), t | 61)) >>> 0)) >>> 0;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function makeOrders(n, seed) {
  const next = mulberry32(seed);
  const uniform = (m) => next() % m;
  const orders = new Array(n);
  for (let i = 0; i < n; i++) {
    const totalCents = uniform(100000);
    const tags = [];
    const tagDraws = uniform(5);
    for (let k = 0; k < tagDraws; k++) {
      const r = uniform(21);
      const tag = r < 3 ? TAG_POOL[0] : TAG_POOL[1 + ((r - 3) % 9)];
      if (!tags.includes(tag)) tags.push(tag);
    }
    const country = COUNTRY_POOL[uniform(40)];
    const lineCount = 1 + uniform(8);
    const lineItems = new Array(lineCount);
    for (let l = 0; l < lineCount; l++) {
      const a = uniform(15);
      const b = uniform(15);
      const quantity = 1 + Math.min(a, b);
      const sku = 'SKU-' + String(uniform(100000)).padStart(5, '0');
      const unitPriceCents = 100 + uniform(19900);
      lineItems[l] = {sku, quantity, unit_price: unitPriceCents / 100};
    }
    orders[i] = {
      total: totalCents / 100,
      currency: 'USD',
      customer: {tags},
      shipping_address: {country_code: country},
      line_items: lineItems,
    };
  }
  return orders;
}

// RuleDataChecksum of rule_orders.h: FNV-1a 64 kept as two uint32 halves (no BigInt). The
// integers are recovered exactly from the dollar numbers (Math.round(x * 100)).
function ruleDataChecksum(orders) {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  // h = (h ^ b) * 0x100000001b3 = (h ^ b) * 0x1b3 + ((h ^ b) << 40), mod 2^64.
  function byte(b) {
    lo = (lo ^ b) >>> 0;
    const p = lo * 0x1b3;  // < 2^41, exact
    const carry = Math.floor(p / 4294967296);
    hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    lo = p >>> 0;
  }
  function word(w) {
    byte(w & 0xff);
    byte((w >>> 8) & 0xff);
    byte((w >>> 16) & 0xff);
    byte((w >>> 24) & 0xff);
  }
  function str(s) {
    word(s.length);
    for (let i = 0; i < s.length; i++) byte(s.charCodeAt(i));  // ASCII only
  }
  for (const o of orders) {
    word(Math.round(o.total * 100));
    word(o.customer.tags.length);
    for (const tag of o.customer.tags) str(tag);
    if (o.shipping_address) str(o.shipping_address.country_code);
    else word(0);
    word(o.line_items.length);
    for (const li of o.line_items) {
      word(li.quantity);
      str(li.sku);
      word(Math.round(li.unit_price * 100));
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

// ---- the peers: each prepares the rule once and returns order => boolean (or Promise) ----

function plainJs() {
  const countries = new Set(RULE_COUNTRIES);
  return (o) => {
    if (!(o.total > 500)) return false;
    if (!o.customer.tags.includes('VIP')) return false;
    if (!o.shipping_address || !countries.has(o.shipping_address.country_code)) return false;
    const items = o.line_items;
    for (let i = 0; i < items.length; i++) if (items[i].quantity > 10) return true;
    return false;
  };
}

function jsonLogicJs() {
  // json-logic-js has no compile step: the rule object is built once and interpreted per call.
  // Its "and" evaluates operands in order and stops at the first falsy one.
  const rule = {
    and: [
      {'>': [{var: 'total'}, 500]},
      {in: ['VIP', {var: 'customer.tags'}]},
      {in: [{var: 'shipping_address.country_code'}, RULE_COUNTRIES]},
      {some: [{var: 'line_items'}, {'>': [{var: 'quantity'}, 10]}]},
    ],
  };
  return (o) => jsonLogic.truthy(jsonLogic.apply(rule, o));
}

function celJs() {
  // parse() is the compile-once form: it returns a callable evaluated per context.
  // JS numbers are CEL doubles here; cel-js compares double with int literals.
  const list = RULE_COUNTRIES.map((c) => `"${c}"`).join(', ');
  const expr = cel.parse(
      `order.total > 500.0 && "VIP" in order.customer.tags && ` +
      `order.shipping_address.country_code in [${list}] && ` +
      `order.line_items.exists(li, li.quantity > 10)`);
  return (o) => expr({order: o}) === true;
}

function jsonRulesEngine() {
  // Distinct condition priorities make "all" run the clauses one after another and stop at the
  // first false one; equal priorities would evaluate them all concurrently (Promise.all).
  // "Any line item with quantity > 10" has no built-in operator: a custom one is the documented
  // extension point (engine.addOperator).
  const engine = new Engine([], {allowUndefinedFacts: false});
  engine.addOperator(
      'someQuantityGreaterThan',
      (items, limit) => Array.isArray(items) && items.some((li) => li.quantity > limit));
  engine.addRule({
    name: 'reference-rule',
    conditions: {
      all: [
        {fact: 'total', operator: 'greaterThan', value: 500, priority: 4},
        {fact: 'customer', path: '$.tags', operator: 'contains', value: 'VIP', priority: 3},
        {
          fact: 'shipping_address',
          path: '$.country_code',
          operator: 'in',
          value: RULE_COUNTRIES,
          priority: 2,
        },
        {fact: 'line_items', operator: 'someQuantityGreaterThan', value: 10, priority: 1},
      ],
    },
    event: {type: 'reference-rule-matched'},
  });
  return async (o) => (await engine.run(o)).events.length > 0;
}

// ---- timing ----

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function report(name, n, matched, secs, note) {
  const rate = Math.round(n / secs);
  let line = `peer=${name} evals_per_sec=${rate} matched=${matched} n=${n} ` +
      `seconds=${secs.toFixed(4)}`;
  if (note) line += ` note=${note}`;
  console.log(line);
}

function checkAgainst(name, results, expected, n) {
  let mismatches = 0;
  for (let i = 0; i < n; i++) if (results[i] !== expected[i]) mismatches++;
  if (mismatches > 0) {
    console.error(`${name}: ${mismatches} orders disagree with plain-js`);
    process.exitCode = 1;
  }
}

function benchSync(name, evaluate, orders, expected) {
  const n = orders.length;
  const results = new Uint8Array(n);
  for (let i = 0; i < n; i++) results[i] = evaluate(orders[i]) ? 1 : 0;  // warm-up, checked
  checkAgainst(name, results, expected, n);
  let matched = 0;
  let best = Infinity;
  for (let p = 0; p < PASSES; p++) {
    matched = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (evaluate(orders[i])) matched++;
    best = Math.min(best, seconds(t0));
  }
  report(name, n, matched, best);
}

async function benchAsync(name, evaluate, orders, expected, note) {
  const n = orders.length;
  const results = new Uint8Array(n);
  for (let i = 0; i < n; i++) results[i] = (await evaluate(orders[i])) ? 1 : 0;
  checkAgainst(name, results, expected, n);
  let matched = 0;
  let best = Infinity;
  for (let p = 0; p < PASSES; p++) {
    matched = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (await evaluate(orders[i])) matched++;
    best = Math.min(best, seconds(t0));
  }
  report(name, n, matched, best, note);
}

async function main() {
  const n = process.argv[2] ? Number.parseInt(process.argv[2], 10) : 1000000;
  const jreN = process.argv[3] ? Number.parseInt(process.argv[3], 10) : Math.min(n, 100000);
  PASSES = process.argv[4] ? Number.parseInt(process.argv[4], 10) : 3;
  if (!(n > 0) || !(jreN > 0) || jreN > n || !(PASSES > 0)) {
    console.error('usage: node rule_bench.js [N] [JRE_N <= N] [PASSES >= 1]');
    process.exit(2);
  }
  const orders = makeOrders(n, SEED);
  const reference = plainJs();
  const expected = new Uint8Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += expected[i] = reference(orders[i]) ? 1 : 0;
  console.log(`data n=${n} seed=${SEED} checksum=${ruleDataChecksum(orders)} matched=${total}`);

  benchSync('plain-js', reference, orders, expected);
  benchSync('json-logic-js', jsonLogicJs(), orders, expected);
  benchSync('cel-js', celJs(), orders, expected);

  const subset = orders.slice(0, jreN);
  const note = jreN < n ? `timed_over_first_${jreN}_orders` : '';
  await benchAsync('json-rules-engine', jsonRulesEngine(), subset, expected, note);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
