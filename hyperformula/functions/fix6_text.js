'use strict';
/*
 * The byte-counting text functions LENB, LEFTB, RIGHTB, MIDB, FINDB, SEARCHB, REPLACEB and ASC,
 * which HyperFormula 3.5.0 lacks. Microsoft ("LEN, LENB functions", "LEFT, LEFTB functions",
 * "FIND, FINDB functions" ...): the B variants count each double-byte character as 2 only when a
 * DBCS language (Japanese, Chinese, Korean) is the default editing language; otherwise they
 * count every character as 1 and equal LEN, LEFT, RIGHT, MID, FIND, SEARCH and REPLACE.
 * Likewise ASC ("ASC function") changes full-width characters to half-width only for a DBCS
 * language; otherwise it returns its argument as text, unchanged. The workbooks we import are
 * computed as by a non-DBCS Excel (Excel's cached FINDB("ia","山田太郎ciao") is 6, a character
 * position), so LENB, LEFTB, RIGHTB, MIDB and REPLACEB run their base function's own
 * implementation (whichever plugin provides it when this module registers).
 *
 * FIND/FINDB and SEARCH/SEARCHB replace HyperFormula's, which neither truncate start_num nor
 * honour it (FIND("ia","ciao",3) gave 2 where Excel gives #VALUE!, SEARCH("BASE","database",1.9)
 * 5.9 where Excel gives 5). Microsoft ("FIND, FINDB functions", "SEARCH, SEARCHB functions"):
 * start_num (default 1) is truncated; below 1 or past the text #VALUE!; the result is the
 * position of the first match at or after start_num, #VALUE! when there is none; an empty
 * find_text matches at start_num. FIND is case-sensitive without wildcards; SEARCH ignores case
 * and takes the wildcards ? (one character), * (any run) and ~ (escapes the next ? * ~).
 */
const { registerPlugin, wildcardSource } = require('./info_common');

const ALIASES = {
  LENB: 'LEN',
  LEFTB: 'LEFT',
  RIGHTB: 'RIGHT',
  MIDB: 'MID',
  REPLACEB: 'REPLACE',
};

/** A plugin class running `Base`'s implementation of `baseId` under the name `aliasId`. */
function aliasPlugin(Base, aliasId, baseId) {
  class AliasPlugin extends Base {
    metadata(name) {
      // The base method asks for its own id's metadata; that is the alias's here.
      return super.metadata(name === baseId ? aliasId : name);
    }
  }
  const meta = Base.implementedFunctions[baseId];
  // HyperFormula wants the method on the class's own prototype.
  AliasPlugin.prototype[meta.method] = function aliased(ast, state) {
    return Base.prototype[meta.method].call(this, ast, state);
  };
  AliasPlugin.implementedFunctions = { [aliasId]: { ...meta } };
  Object.defineProperty(AliasPlugin, 'name', { value: `Excel${aliasId}Plugin` });
  return AliasPlugin;
}

/** Unanchored case-insensitive regular expression of an Excel wildcard pattern. In SEARCH a ~
 * before any other character stands for that character and a final ~ for nothing (Excel caches
 * SEARCH("~d","My dear") = 4 and SEARCH("~","Hello") = 1). */
const searchRegex = (pattern) =>
  new RegExp(wildcardSource(pattern.replace(/~([^*?~]|$)/g, '$1')), 'i');

/** 1-based position of `pattern` in `text` from `start` (Excel's FIND/SEARCH), or undefined. */
function findPosition(pattern, text, start, wildcards) {
  if (start < 1 || start > text.length + 1) return undefined;
  if (!wildcards) {
    const i = text.indexOf(pattern, start - 1);
    return i < 0 ? undefined : i + 1;
  }
  const m = searchRegex(pattern).exec(text.slice(start - 1));
  return m ? m.index + start : undefined;
}

function defineFindPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T, CellError, ErrorType } = hf;
  const run = (plugin, ast, state, id, wildcards) =>
    plugin.runFunction(ast.args, state, plugin.metadata(id), (pattern, text, start) => {
      const pos = findPosition(pattern, text, Math.trunc(start), wildcards);
      return pos === undefined ? new CellError(ErrorType.VALUE, `${id}: no match`) : pos;
    });
  class ExcelFindPlugin extends FunctionPlugin {
    find(ast, state) {
      return run(this, ast, state, 'FIND', false);
    }
    findb(ast, state) {
      return run(this, ast, state, 'FINDB', false);
    }
    search(ast, state) {
      return run(this, ast, state, 'SEARCH', true);
    }
    searchb(ast, state) {
      return run(this, ast, state, 'SEARCHB', true);
    }
  }
  const params = [
    { argumentType: T.STRING },
    { argumentType: T.STRING },
    { argumentType: T.NUMBER, defaultValue: 1 },
  ];
  ExcelFindPlugin.implementedFunctions = {
    FIND: { method: 'find', parameters: params },
    FINDB: { method: 'findb', parameters: params },
    SEARCH: { method: 'search', parameters: params },
    SEARCHB: { method: 'searchb', parameters: params },
  };
  return ExcelFindPlugin;
}

function defineAscPlugin(hf) {
  const { FunctionPlugin, FunctionArgumentType: T } = hf;
  class ExcelAscPlugin extends FunctionPlugin {
    asc(ast, state) {
      return this.runFunction(ast.args, state, this.metadata('ASC'), (text) => text);
    }
  }
  ExcelAscPlugin.implementedFunctions = {
    ASC: { method: 'asc', parameters: [{ argumentType: T.STRING }] },
  };
  return ExcelAscPlugin;
}

function register(hfModule) {
  const { HyperFormula } = hfModule;
  const plugins = [];
  for (const [aliasId, baseId] of Object.entries(ALIASES)) {
    const Base = HyperFormula.getFunctionPlugin(baseId);
    if (!Base) throw new Error(`no plugin implements ${baseId}`);
    plugins.push(registerPlugin(hfModule, aliasPlugin(Base, aliasId, baseId)));
  }
  plugins.push(registerPlugin(hfModule, defineFindPlugin(hfModule)));
  plugins.push(registerPlugin(hfModule, defineAscPlugin(hfModule)));
  return plugins;
}

module.exports = { register, ALIASES, findPosition };
