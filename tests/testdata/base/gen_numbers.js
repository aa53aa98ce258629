// gen_numbers.js: writes ecmascript_numbers.tsv, the reference for FormatEcmaScriptNumber.
// Each line is "<16 hex digits of the IEEE 754 bits><TAB><String(x)>", String(x) being
// ECMAScript's Number::toString as node (V8) computes it. Deterministic: a fixed-seed
// SplitMix64 generator, so rerunning gives the same file.
//   node tests/testdata/base/gen_numbers.js > tests/testdata/base/ecmascript_numbers.tsv
'use strict';

const kCount = 100000;
const mask64 = (1n << 64n) - 1n;
let state = 0x5eed_1234_abcd_0042n;  // the fixed seed
function next64() {  // SplitMix64
  state = (state + 0x9e3779b97f4a7c15n) & mask64;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask64;
  return z ^ (z >> 31n);
}
function uniform() { return Number(next64() >> 11n) / 2 ** 53; }  // [0, 1)

const buf = new DataView(new ArrayBuffer(8));
function bitsOf(x) { buf.setFloat64(0, x); return buf.getBigUint64(0); }
function fromBits(b) { buf.setBigUint64(0, b); return buf.getFloat64(0); }

const out = [];
function emit(x) {
  if (!Number.isFinite(x)) return;
  out.push(bitsOf(x).toString(16).padStart(16, '0') + '\t' + String(x));
}

// Edge cases: zeros, extremes, the ECMAScript layout thresholds (1e21, 1e-7), 2^53.
const edges = [0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
  1.7976931348623157e308, -1.7976931348623157e308, 1e21, 1e21 * (1 - 2 ** -52), 999999999999999900000,
  1e-7, 1e-6, 9.999999999999999e-7, 1.0000000000000001e-7, 2 ** 53, 2 ** 53 + 2, 2 ** 53 - 1,
  0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 123456789012345680000, 1e20, 1e22, 1e23,
  5e-7, 4.35, 0.000001, 1e308, 1e-323, 9007199254740993, 295147905179352830000,
  333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001];
for (const x of edges) { emit(x); emit(-x); }
for (let e = -330; e <= 310; ++e) { emit(Number('1e' + e)); emit(Number('9.5e' + e)); }

while (out.length < kCount) {
  const kind = next64() % 10n;
  if (kind < 7n) {  // random bit pattern (NaN and infinities are skipped by emit)
    emit(fromBits(next64()));
  } else if (kind === 7n) {  // integers of every size up to 2^64
    const bits = Number(next64() % 64n);
    emit(Number(next64() >> BigInt(64 - Math.max(bits, 1))) * (next64() & 1n ? -1 : 1));
  } else if (kind === 8n) {  // short decimals such as 12.75 or 0.0034
    const digits = Number(next64() % 6n) + 1;
    const scale = Number(next64() % 12n) - 6;
    emit(Number(String(Math.floor(uniform() * 10 ** digits)) + 'e' + scale));
  } else {  // uniform in [0, 1) and products spanning the exponent range
    emit(uniform() * 10 ** (Number(next64() % 60n) - 30));
  }
}
process.stdout.write(out.slice(0, kCount).join('\n') + '\n');
