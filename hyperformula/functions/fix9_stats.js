'use strict';
/*
 * Statistical and aggregate functions as Excel computes them:
 *  - The compatibility functions whose newer twin takes one more argument (Microsoft: "Statistical
 *    functions (reference)", each function's page): HyperFormula 3.5.0 ran the twin with the
 *    arguments as given, so NORMSDIST(z) lacked `cumulative` (#N/A) and BETADIST(x,a,b,A,B) took
 *    A as `cumulative`. Excel's definitions:
 *      NORMSDIST(z) = NORM.S.DIST(z,TRUE), LOGNORMDIST(x,m,s) = LOGNORM.DIST(x,m,s,TRUE),
 *      BETADIST(x,a,b,[A],[B]) = BETA.DIST(x,a,b,TRUE,[A],[B]),
 *      HYPGEOMDIST(s,n,M,N) = HYPGEOM.DIST(s,n,M,N,FALSE),
 *      NEGBINOMDIST(f,s,p) = NEGBINOM.DIST(f,s,p,FALSE).
 *  - PRODUCT of arguments holding no number is 0 (HyperFormula gave 1): numbers of references
 *    and arrays count (text, logicals and empties ignored); values typed in the formula are
 *    converted (TRUE is 1, "2" is 2, other text #VALUE!); the first error wins.
 *  - AVEDEV and DEVSQ of no numbers are #NUM! (HyperFormula: #DIV/0! and 0).
 *  - SUMX2MY2, SUMX2PY2 and SUMXMY2 with no pair of numbers are #DIV/0! (HyperFormula: 0).
 */
const { registerPlugin, makeTools } = require('./info_common');

const LEGACY = {
  // legacy id: [target id, position of the inserted argument, its value, min args, max args]
  NORMSDIST: ['NORM.S.DIST', 1, true, 1, 1],
  LOGNORMDIST: ['LOGNORM.DIST', 3, true, 3, 3],
  BETADIST: ['BETA.DIST', 3, true, 3, 5],
  HYPGEOMDIST: ['HYPGEOM.DIST', 4, false, 4, 4],
  NEGBINOMDIST: ['NEGBINOM.DIST', 3, false, 3, 3],
};

const REFERENCE_NODES = new Set(['CELL_REFERENCE', 'CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);
const REFERENCE_FUNCTIONS = new Set(['INDIRECT', 'OFFSET', 'INDEX']);

/** A subclass of the plugin registered for `id` whose method for `id` is `impl(base, ast,
 * state)` (`base`: the method it replaces, bound to the instance). */
function overridePlugin(hfModule, id, impl, extra = {}) {
  const Base = hfModule.HyperFormula.getFunctionPlugin(id);
  if (!Base) return undefined;
  const target = (Base.aliases && Base.aliases[id]) || id;
  const meta = Base.implementedFunctions[target];
  if (!meta) return undefined;
  class Override extends Base {
    metadata(name) {
      const own = Override.implementedFunctions[name === target ? id : name];
      return own || Base.implementedFunctions[name] || super.metadata(name);
    }
  }
  Override.prototype[meta.method] = function overridden(ast, state) {
    return impl.call(this, (a, s) => Base.prototype[meta.method].call(this, a, s), ast, state);
  };
  Override.implementedFunctions = { [id]: { ...meta, ...extra } };
  Override.aliases = {};
  Object.defineProperty(Override, 'name', { value: `Excel9${id.replace(/\W/g, '')}Plugin` });
  return Override;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const tools = makeTools(hfModule);
  const { raw, isError, isRange, isEmpty, err } = tools;
  const plugins = [];
  const add = (plugin) => plugin && plugins.push(registerPlugin(hfModule, plugin));

  // --- compatibility functions: the twin with the missing argument inserted ---
  for (const [id, [targetId, at, flag, min, max]] of Object.entries(LEGACY)) {
    const Base = HyperFormula.getFunctionPlugin(targetId);
    if (!Base || !Base.implementedFunctions[targetId]) continue;
    const meta = Base.implementedFunctions[targetId];
    class Legacy extends Base {
      metadata(name) {
        return Legacy.implementedFunctions[name] || Base.implementedFunctions[name] || super.metadata(name);
      }
    }
    Legacy.prototype[`legacy${id}`] = function legacy(ast, state) {
      const n = ast.args.length;
      if (n < min || n > max) return err('NA', `${id}: wrong number of arguments`);
      const args = ast.args.slice();
      args.splice(at, 0, { type: 'NUMBER', value: flag ? 1 : 0 });
      return Base.prototype[meta.method].call(this, { ...ast, args }, state);
    };
    const params = meta.parameters.slice();
    params.splice(at, 1);
    Legacy.implementedFunctions = { [id]: { ...meta, method: `legacy${id}`, parameters: params } };
    Legacy.aliases = {};
    Object.defineProperty(Legacy, 'name', { value: `ExcelLegacy${id}Plugin` });
    add(Legacy);
  }

  // --- PRODUCT: 0 when no argument holds a number ---
  add(
    overridePlugin(hfModule, 'PRODUCT', function product(base, ast, state) {
      let result = 1;
      let any = false;
      for (const arg of ast.args) {
        if (arg.type === 'EMPTY') continue;
        const v = this.evaluateAst(arg, state);
        const fromReference =
          REFERENCE_NODES.has(arg.type) ||
          (arg.type === 'FUNCTION_CALL' && REFERENCE_FUNCTIONS.has(arg.procedureName));
        if (isRange(v)) {
          for (const x of v.valuesFromTopLeftCorner()) {
            if (isError(x)) return x;
            if (typeof raw(x) === 'number') {
              result *= raw(x);
              any = true;
            }
          }
          continue;
        }
        let x = raw(v);
        if (isError(x)) return x;
        if (isEmpty(x)) continue;
        if (typeof x !== 'number') {
          if (fromReference) continue;
          x = typeof x === 'boolean' ? Number(x) : raw(this.coerceScalarToNumberOrError(x));
          if (isError(x)) return x;
        }
        result *= x;
        any = true;
      }
      return any ? result : 0;
    })
  );

  // --- AVEDEV, DEVSQ: #NUM! without numbers ---
  for (const id of ['AVEDEV', 'DEVSQ']) {
    add(
      overridePlugin(hfModule, id, function noNumbersNum(base, ast, state) {
        const metadata = this.metadata(id);
        const count = this.runFunction(ast.args, state, metadata, (...args) => {
          const xs = this.arithmeticHelper.coerceNumbersExactRanges(args);
          return isError(xs) ? xs : xs.length;
        });
        if (count === 0) return err('NUM', `${id} of no numbers`);
        return base(ast, state);
      })
    );
  }

  // --- SUMX2MY2, SUMX2PY2, SUMXMY2: #DIV/0! without a pair of numbers ---
  for (const id of ['SUMX2MY2', 'SUMX2PY2', 'SUMXMY2']) {
    add(
      overridePlugin(hfModule, id, function noPairsDiv0(base, ast, state) {
        const result = base(ast, state);
        if (raw(result) !== 0 || ast.args.length !== 2) return result;
        const [xs, ys] = ast.args.map((a) => tools.flatten(this.evaluateAst(a, state)));
        const pairs = xs.some((x, i) => typeof raw(x) === 'number' && typeof raw(ys[i]) === 'number');
        return pairs ? result : err('DIV_BY_ZERO', `${id} of no pairs of numbers`);
      })
    );
  }
  return plugins;
}

module.exports = { register, overridePlugin };
