'use strict';
// Registers every function plugin module of ../functions/: each module that exports
// `register(hfModule)` adds or replaces functions (Excel behaviour HyperFormula lacks or gets
// wrong). Modules load in name order; a module that fails to load is reported on stderr and
// skipped, so one broken plugin never takes the engine down.
const fs = require('fs');
const path = require('path');

function registerAll(hfModule) {
  const folder = path.join(__dirname, '..', 'functions');
  let names = [];
  try {
    names = fs.readdirSync(folder).filter((n) => n.endsWith('.js')).sort();
  } catch (err) {
    console.error(`[engine] no functions folder (${err.code}): HyperFormula's own functions only`);
    return [];
  }
  const registered = [];
  const finalizers = [];
  for (const name of names) {
    let mod;
    try {
      mod = require(path.join(folder, name));
    } catch (err) {
      console.error(`[engine] function module ${name} failed to load: ${err && err.stack}`);
      continue;
    }
    if (typeof mod.register !== 'function') continue; // a helper module (e.g. numfmt.js)
    try {
      mod.register(hfModule);
      registered.push(name);
      if (typeof mod.finalize === 'function') finalizers.push([name, mod.finalize]);
    } catch (err) {
      console.error(`[engine] function module ${name} failed to register: ${err && err.stack}`);
    }
  }
  // `finalize(hfModule)` runs once every module has registered: for changes that wrap whichever
  // implementation of a function is final.
  for (const [name, finalize] of finalizers) {
    try {
      finalize(hfModule);
    } catch (err) {
      console.error(`[engine] function module ${name} failed to finalize: ${err && err.stack}`);
    }
  }
  return registered;
}

module.exports = { registerAll };
