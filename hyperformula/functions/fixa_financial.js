'use strict';
/*
 * VDB with a fractional start_period, as Excel computes it (cached in koala__excel_vdb.xlsx:
 * VDB(1,0,14,11,12,1.25) = 0.0686678993837795 but VDB(1,0,14,11.5,12.5,1.25) =
 * 0.0687262904546841). Excel lays the depreciation periods out from the start: a first piece
 * of length frac(start_period), then whole periods. Each piece depreciates its length times the
 * larger of the declining-balance amount (book value × factor / life, never below salvage) and
 * the straight-line amount (book value less salvage, spread over the life left); the last piece
 * up to end_period may be partial. With a whole start_period this is the usual schedule.
 * no_switch (declining balance only) keeps financial_extra.js's schedule.
 */
const { registerTable } = require('./financial_common');
const { FUNCTIONS } = require('./financial_extra');

const baseVdb = FUNCTIONS.VDB.impl;

function vdb(cost, salvage, life, start, end, factor, noSwitch) {
  const fac = factor === undefined ? 2 : factor;
  if (noSwitch || cost < 0 || salvage < 0 || life <= 0 || fac <= 0) {
    return baseVdb(cost, salvage, life, start, end, factor, noSwitch);
  }
  if (start < 0 || start > end || end > life) return 'NUM';
  const rate = Math.min(fac / life, 1);
  let t = 0;
  let value = cost; // book value at t
  let total = 0;
  const first = start - Math.floor(start);
  while (t < end) {
    const next = t === 0 && first > 0 ? first : Math.min(t + 1, end);
    const stop = t < start && next > start ? start : next;
    const declining = Math.max(Math.min(value * rate, value - salvage), 0);
    const straight = life - t > 0 ? (value - salvage) / (life - t) : 0;
    const amount = (stop - t) * Math.max(declining, straight);
    if (t >= start) total += amount;
    value -= amount;
    t = stop;
  }
  return total;
}

function register(hfModule) {
  return registerTable(hfModule, 'ExcelVdbPlugin', { VDB: { ...FUNCTIONS.VDB, impl: vdb } });
}

module.exports = { register };
